#include "portmap/upnp/description.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"
#include "portmap/upnp/xml_support.hpp"

namespace mulenet::portmap::upnp {
namespace {

using Result = Parsed<RootDescription>;

constexpr std::string_view kIgdPrefix = "urn:schemas-upnp-org:device:InternetGatewayDevice:";
constexpr std::string_view kWanDevicePrefix = "urn:schemas-upnp-org:device:WANDevice:";
constexpr std::string_view kWanConnectionDevicePrefix = "urn:schemas-upnp-org:device:WANConnectionDevice:";

struct Counts {
  std::size_t devices = 0;
  std::size_t services = 0;
};

ServiceDescription read_service(const pugi::xml_node& node)
{
  ServiceDescription s;
  s.service_type = xml::text(xml::child(node, "serviceType"));
  s.service_id = xml::text(xml::child(node, "serviceId"));
  s.control_url = xml::text(xml::child(node, "controlURL"));
  s.event_sub_url = xml::text(xml::child(node, "eventSubURL"));
  s.scpd_url = xml::text(xml::child(node, "SCPDURL"));
  return s;
}

// Recursion is bounded: the document is at most kMaxDescriptionDepth deep
// and each level of devices takes two elements (deviceList, device).
std::optional<std::string> read_device(const pugi::xml_node& node, DeviceDescription& d, Counts& counts)
{
  if (++counts.devices > kMaxDevices) return fmt::format("more than {} devices", kMaxDevices);
  d.device_type = xml::text(xml::child(node, "deviceType"));
  d.friendly_name = xml::text(xml::child(node, "friendlyName"));
  d.manufacturer = xml::text(xml::child(node, "manufacturer"));
  d.model_name = xml::text(xml::child(node, "modelName"));
  d.model_number = xml::text(xml::child(node, "modelNumber"));
  d.udn = xml::text(xml::child(node, "UDN"));
  for (pugi::xml_node list = node.first_child(); list; list = list.next_sibling()) {
    if (list.type() != pugi::node_element) continue;
    const std::string_view name = xml::local_name(list);
    if (name == "serviceList") {
      for (pugi::xml_node s = list.first_child(); s; s = s.next_sibling()) {
        if (s.type() != pugi::node_element || xml::local_name(s) != "service") continue;
        if (++counts.services > kMaxServices) return fmt::format("more than {} services", kMaxServices);
        d.services.push_back(read_service(s));
      }
    } else if (name == "deviceList") {
      for (pugi::xml_node sub = list.first_child(); sub; sub = sub.next_sibling()) {
        if (sub.type() != pugi::node_element || xml::local_name(sub) != "device") continue;
        d.devices.emplace_back();
        if (auto why = read_device(sub, d.devices.back(), counts)) return why;
      }
    }
  }
  return std::nullopt;
}

bool is_type(std::string_view device_type, std::string_view prefix) { return ascii::istarts_with(device_type, prefix); }

struct Candidate {
  WanService wan;
  std::size_t order = 0;  // document order
};

// `parent` and `grandparent` are the device types of the enclosing devices
// (empty at the root).
void collect(const DeviceDescription& device, std::string_view parent, std::string_view grandparent,
             const DeviceDescription& root, std::vector<Candidate>& out)
{
  const bool canonical = is_type(device.device_type, kWanConnectionDevicePrefix) &&
                         is_type(parent, kWanDevicePrefix) && is_type(grandparent, kIgdPrefix);
  for (const auto& s : device.services) {
    const auto kind = wan_service_kind(s.service_type);
    if (!kind || s.control_url.empty()) continue;
    Candidate c;
    c.wan.kind = *kind;
    c.wan.service = s;
    c.wan.device_friendly_name = device.friendly_name;
    c.wan.root_friendly_name = root.friendly_name;
    c.wan.root_manufacturer = root.manufacturer;
    c.wan.root_model_name = root.model_name;
    c.wan.canonical_placement = canonical;
    c.order = out.size();
    out.push_back(std::move(c));
  }
  for (const auto& sub : device.devices) collect(sub, device.device_type, parent, root, out);
}

}  // namespace

Parsed<RootDescription> parse_description(std::string_view xml_body)
{
  pugi::xml_document doc;
  if (auto failure = xml::load(doc, xml_body, kMaxDescriptionBytes, kMaxDescriptionDepth, "the device description"))
    return Result::fail(failure->error, std::move(failure->detail));
  const pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "root")
    return Result::fail(CodecErrc::malformed,
                        fmt::format("the description's root element is <{}>, not <root>", root.name()));
  const pugi::xml_node device = xml::child(root, "device");
  if (!device) return Result::fail(CodecErrc::missing_field, "the description has no <device>");
  RootDescription d;
  d.url_base = xml::text(xml::child(root, "URLBase"));
  Counts counts;
  if (auto why = read_device(device, d.device, counts))
    return Result::fail(CodecErrc::too_large, "the description lists " + *why);
  return Result::done(std::move(d));
}

std::string_view to_string(WanServiceKind kind)
{
  switch (kind) {
    case WanServiceKind::wan_ip_connection_2: return "WANIPConnection:2";
    case WanServiceKind::wan_ip_connection_1: return "WANIPConnection:1";
    case WanServiceKind::wan_ppp_connection_1: return "WANPPPConnection:1";
  }
  return "unknown";
}

std::optional<WanServiceKind> wan_service_kind(std::string_view service_type)
{
  if (ascii::iequals(service_type, "urn:schemas-upnp-org:service:WANIPConnection:2"))
    return WanServiceKind::wan_ip_connection_2;
  if (ascii::iequals(service_type, "urn:schemas-upnp-org:service:WANIPConnection:1"))
    return WanServiceKind::wan_ip_connection_1;
  if (ascii::iequals(service_type, "urn:schemas-upnp-org:service:WANPPPConnection:1"))
    return WanServiceKind::wan_ppp_connection_1;
  return std::nullopt;
}

std::vector<WanService> wan_services(const RootDescription& description)
{
  std::vector<Candidate> candidates;
  collect(description.device, {}, {}, description.device, candidates);
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.wan.canonical_placement != b.wan.canonical_placement) return a.wan.canonical_placement;
    if (a.wan.kind != b.wan.kind) return a.wan.kind < b.wan.kind;
    return a.order < b.order;
  });
  std::vector<WanService> out;
  out.reserve(candidates.size());
  for (auto& c : candidates) out.push_back(std::move(c.wan));
  return out;
}

std::optional<WanService> select_wan_service(const RootDescription& description)
{
  auto all = wan_services(description);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

}  // namespace mulenet::portmap::upnp
