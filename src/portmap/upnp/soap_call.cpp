#include "portmap/upnp/soap_call.hpp"

#include "portmap/portmap_error.hpp"
#include "portmap/upnp/http_fetch.hpp"
#include "portmap/upnp/upnp_error.hpp"

namespace mulenet::portmap::upnp::soap {

namespace asio = boost::asio;

// A SOAP answer is small; 64 KiB is far more than any router sends.
constexpr std::size_t kMaxSoapBody = 64 * 1024;

asio::awaitable<CallResult> call(const HttpUrl& control, const std::string& service_type, const Action& action,
                                 std::chrono::milliseconds timeout)
{
  const auto request = encode_request(control, service_type, action);
  if (!request) {
    co_return CallResult{std::nullopt, "cannot build the SOAP request (odd service type from the router)",
                         PortmapErrc::bad_answer};
  }
  const HttpResponse http = co_await http_exchange(control, request->to_http(), {timeout, kMaxSoapBody});
  if (!http.ok) co_return CallResult{std::nullopt, http.error, http.code};
  auto parsed = parse_response(http.body, action.name);
  if (!parsed) {
    co_return CallResult{std::nullopt, "HTTP " + std::to_string(http.status) + ", " + parsed.detail,
                         PortmapErrc::bad_answer};
  }
  co_return CallResult{std::move(parsed.value), {}, {}};
}

asio::awaitable<CallResult> call(const std::string& control_url, const std::string& service_type,
                                 const Action& action, std::chrono::milliseconds timeout)
{
  const auto url = parse_http_url(control_url);
  if (!url) co_return CallResult{std::nullopt, "bad UPnP control URL " + control_url, PortmapErrc::bad_mapping};
  co_return co_await call(url.value, service_type, action, timeout);
}

std::string fault_text(const Fault& fault) { return upnp_error_message(fault.error_code, fault.error_description); }

asio::awaitable<MappingTable> list_port_mappings(const HttpUrl& control, const std::string& service_type,
                                                 std::chrono::milliseconds timeout, std::uint16_t max_entries)
{
  MappingTable table;
  for (std::uint16_t index = 0; index < max_entries; ++index) {
    const Action action = get_generic_port_mapping_entry(index);
    const CallResult r = co_await call(control, service_type, action, timeout);
    if (!r.response) {
      table.error = "GetGenericPortMappingEntry " + std::to_string(index) + ": " + r.error;
      co_return table;
    }
    if (r.response->fault) {
      // 713 SpecifiedArrayIndexInvalid is the normal end; some routers say
      // 714 NoSuchEntryInArray or 402 instead, also the end for us.
      const auto code = r.response->fault->error_code;
      if (code != 713 && code != 714 && code != 402 && code != 501)
        table.error = "GetGenericPortMappingEntry " + std::to_string(index) + ": " + fault_text(*r.response->fault);
      co_return table;
    }
    auto entry = port_mapping_entry(*r.response);
    if (!entry) {
      table.error = "GetGenericPortMappingEntry " + std::to_string(index) + ": " + entry.detail;
      co_return table;
    }
    table.entries.push_back(std::move(entry.value));
  }
  table.truncated = true;
  co_return table;
}

}  // namespace mulenet::portmap::upnp::soap
