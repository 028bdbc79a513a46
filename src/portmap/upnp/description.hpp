#pragma once
// The root device description (UPnP Device Architecture §2.3) a router
// serves at its SSDP LOCATION, and the choice of the WAN connection service
// we send port-mapping actions to.
//
// Parsed with pugixml, bounded (256 KiB, 16 levels of elements). Element
// names are matched by local name, whatever namespace prefix a router uses;
// URLs are kept as written: resolve and check them with url_guard.hpp
// (against url_base when set, else the description's own URL).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portmap/upnp/codec_result.hpp"

namespace mulenet::portmap::upnp {

inline constexpr std::size_t kMaxDescriptionBytes = 256 * 1024;
inline constexpr std::size_t kMaxDescriptionDepth = 16;  // element nesting
inline constexpr std::size_t kMaxDevices = 64;
inline constexpr std::size_t kMaxServices = 256;

struct ServiceDescription {
  std::string service_type;  // "urn:schemas-upnp-org:service:WANIPConnection:2"
  std::string service_id;    // "urn:upnp-org:serviceId:WANIPConn1"
  std::string control_url;   // "/ctl/IPConn", relative or absolute, as written
  std::string event_sub_url;
  std::string scpd_url;
};

struct DeviceDescription {
  std::string device_type;  // "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
  std::string friendly_name;
  std::string manufacturer;
  std::string model_name;
  std::string model_number;
  std::string udn;  // "uuid:..."
  std::vector<ServiceDescription> services;
  std::vector<DeviceDescription> devices;  // its deviceList
};

struct RootDescription {
  std::string url_base;  // URLBase (UDA 1.0; gone in 1.1), empty when absent
  DeviceDescription device;
};

// Fails with too_large (over the limits above), malformed (not XML, a
// DOCTYPE, no <root>), missing_field (no <device> in <root>).
[[nodiscard]] Parsed<RootDescription> parse_description(std::string_view xml_body);

// The WAN connection services a port mapper can use, best first.
enum class WanServiceKind { wan_ip_connection_2, wan_ip_connection_1, wan_ppp_connection_1 };
[[nodiscard]] std::string_view to_string(WanServiceKind kind);
// The kind of a serviceType, nullopt for any other service.
[[nodiscard]] std::optional<WanServiceKind> wan_service_kind(std::string_view service_type);

struct WanService {
  WanServiceKind kind = WanServiceKind::wan_ip_connection_1;
  ServiceDescription service;
  // The device that holds the service, and the root device (its friendly
  // name and model help users recognise the router).
  std::string device_friendly_name;
  std::string root_friendly_name;
  std::string root_manufacturer;
  std::string root_model_name;
  // True when found where UPnP puts it: in a WANConnectionDevice inside a
  // WANDevice inside an InternetGatewayDevice. False for the oddly nested
  // ones some routers serve (the service directly in the IGD or the
  // WANDevice, a WANConnectionDevice at the root, ...).
  bool canonical_placement = true;
};

// Every WAN connection service with a controlURL, best first: canonically
// placed before oddly placed, then WANIPConnection:2 > WANIPConnection:1 >
// WANPPPConnection:1, then document order. A router with several (one PPP
// link down, one IP link up) needs GetStatusInfo to pick; the list is what
// to try in order.
[[nodiscard]] std::vector<WanService> wan_services(const RootDescription& description);

// The first of wan_services(): nullopt when there is no usable WAN
// connection service at all (a device that is not a router, or a router
// that describes no WAN service, as some Huawei models do).
[[nodiscard]] std::optional<WanService> select_wan_service(const RootDescription& description);

}  // namespace mulenet::portmap::upnp
