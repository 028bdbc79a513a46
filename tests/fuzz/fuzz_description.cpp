// Device descriptions (portmap/upnp/description.hpp parse_description, with
// wan_services and select_wan_service). Properties: a failure says why, and a
// body over 256 KiB is too_large; what parses holds at most 64 devices and
// 256 services, with every text trimmed; wan_services lists exactly the WAN
// connection services that have a controlURL (counted here on the tree),
// each of the kind its serviceType says, canonically placed ones first, then
// by kind, then in document order; select_wan_service is its first entry;
// resolving a service's controlURL against the description's URL never
// trips url_guard's own properties (a resolved URL parses back to itself).
// ctest: -runs=60000 -max_len=4096
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "portmap/upnp/description.hpp"
#include "portmap/upnp/url_guard.hpp"

using namespace mulenet::portmap::upnp;

namespace {

bool trimmed(std::string_view s)
{
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  return s.empty() || (!space(s.front()) && !space(s.back()));
}

struct Tally {
  std::size_t devices = 0;
  std::size_t services = 0;
  std::vector<const ServiceDescription*> usable;  // document order (depth first, services before sub-devices)
};

void walk(const DeviceDescription& d, Tally& t)
{
  ++t.devices;
  for (const std::string* s : {&d.device_type, &d.friendly_name, &d.manufacturer, &d.model_name, &d.model_number, &d.udn})
    FUZZ_CHECK(trimmed(*s), "device texts are trimmed");
  for (const auto& s : d.services) {
    ++t.services;
    for (const std::string* v : {&s.service_type, &s.service_id, &s.control_url, &s.event_sub_url, &s.scpd_url})
      FUZZ_CHECK(trimmed(*v), "service texts are trimmed");
    if (wan_service_kind(s.service_type) && !s.control_url.empty()) t.usable.push_back(&s);
  }
  for (const auto& sub : d.devices) walk(sub, t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  const auto r = parse_description(in);
  if (in.size() > kMaxDescriptionBytes) FUZZ_CHECK(!r && r.error == CodecErrc::too_large, "over 256 KiB is too_large");
  if (!r) {
    FUZZ_CHECK(!r.detail.empty(), "a description that does not parse has an explanation");
    return 0;
  }
  const RootDescription& d = r.value;
  FUZZ_CHECK(trimmed(d.url_base), "URLBase is trimmed");
  Tally tally;
  walk(d.device, tally);
  FUZZ_CHECK(tally.devices <= kMaxDevices, "at most kMaxDevices devices");
  FUZZ_CHECK(tally.services <= kMaxServices, "at most kMaxServices services");

  const std::vector<WanService> wan = wan_services(d);
  FUZZ_CHECK(wan.size() == tally.usable.size(), "every WAN connection service with a controlURL is listed, once");
  for (std::size_t i = 0; i < wan.size(); ++i) {
    const WanService& w = wan[i];
    FUZZ_CHECK(!w.service.control_url.empty(), "a listed service has a controlURL");
    const auto kind = wan_service_kind(w.service.service_type);
    FUZZ_CHECK(kind && *kind == w.kind, "a listed service is of the kind its serviceType says");
    FUZZ_CHECK(!to_string(w.kind).empty(), "a kind has a name");
    FUZZ_CHECK(w.root_friendly_name == d.device.friendly_name && w.root_manufacturer == d.device.manufacturer &&
                   w.root_model_name == d.device.model_name,
               "the root's names are the root device's");
    if (i > 0) {
      const WanService& p = wan[i - 1];
      FUZZ_CHECK(p.canonical_placement || !w.canonical_placement, "canonically placed services come first");
      if (p.canonical_placement == w.canonical_placement)
        FUZZ_CHECK(p.kind <= w.kind, "then the better kind first");
    }
  }
  // Document order among equals: the listed services, filtered by placement
  // and kind, come in the order of the tree.
  for (const bool canonical : {true, false}) {
    for (const WanServiceKind kind : {WanServiceKind::wan_ip_connection_2, WanServiceKind::wan_ip_connection_1,
                                      WanServiceKind::wan_ppp_connection_1}) {
      std::size_t next = 0;
      for (const WanService& w : wan) {
        if (w.canonical_placement != canonical || w.kind != kind) continue;
        while (next < tally.usable.size() && !(tally.usable[next]->service_type == w.service.service_type &&
                                               tally.usable[next]->control_url == w.service.control_url &&
                                               tally.usable[next]->service_id == w.service.service_id))
          ++next;
        FUZZ_CHECK(next < tally.usable.size(), "services of equal rank keep document order");
        ++next;
      }
    }
  }
  const auto selected = select_wan_service(d);
  FUZZ_CHECK(selected.has_value() == !wan.empty(), "select_wan_service finds a service when there is one");
  if (selected) {
    FUZZ_CHECK(selected->kind == wan.front().kind && selected->service.control_url == wan.front().service.control_url &&
                   selected->canonical_placement == wan.front().canonical_placement,
               "select_wan_service is the first of wan_services");
  }

  // What the client does next: resolve the control URL against URLBase or the
  // description's own URL.
  static const HttpUrl kFetchedFrom = parse_http_url("http://192.168.1.1:5000/rootDesc.xml").value;
  HttpUrl base = kFetchedFrom;
  if (!d.url_base.empty()) {
    if (const auto b = parse_http_url(d.url_base)) base = b.value;
  }
  for (const WanService& w : wan) {
    const auto control = resolve_url(base, w.service.control_url);
    if (control) {
      const auto again = parse_http_url(control.value.str());
      FUZZ_CHECK(again.ok && again.value == control.value, "a resolved control URL parses back to itself");
    }
  }
  return 0;
}
