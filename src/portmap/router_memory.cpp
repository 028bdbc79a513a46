#include "portmap/router_memory.hpp"

#include <boost/json.hpp>

#include "config/config_file.hpp"
#include "net/read_text_file.hpp"

namespace mulenet::portmap {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxMemoryBytes = 16 * 1024;
constexpr std::size_t kMaxFieldBytes = 2048;
constexpr std::int64_t kVersion = 1;

std::optional<std::string> field(const json::object& object, std::string_view name)
{
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string() || value->as_string().size() > kMaxFieldBytes) return std::nullopt;
  return std::string(value->as_string());
}

}  // namespace

std::filesystem::path router_memory_path_for(const std::filesystem::path& config_path)
{
  return config_path.parent_path() / "mulenet-router.json";
}

std::string serialize_router_memory(const RouterMemory& memory)
{
  return json::serialize(json::object{{"version", kVersion},
                                      {"gateway", memory.gateway},
                                      {"upnp_location", memory.upnp_location},
                                      {"upnp_server", memory.upnp_server}}) +
         "\n";
}

std::optional<RouterMemory> parse_router_memory(std::string_view text)
{
  if (text.size() > kMaxMemoryBytes) return std::nullopt;
  json::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return std::nullopt;
  const json::object& object = root.as_object();
  const json::value* version = object.if_contains("version");
  if (version == nullptr || !version->is_int64() || version->as_int64() != kVersion) return std::nullopt;
  auto gateway = field(object, "gateway");
  auto location = field(object, "upnp_location");
  auto server = field(object, "upnp_server");
  if (!gateway || !location || gateway->empty() || location->empty()) return std::nullopt;
  return RouterMemory{std::move(*gateway), std::move(*location), server.value_or("")};
}

std::optional<RouterMemory> recall_router(const std::filesystem::path& path)
{
  const auto text = net::read_text_file(path, kMaxMemoryBytes + 1);
  if (!text) return std::nullopt;
  return parse_router_memory(*text);
}

bool remember_router(const std::filesystem::path& path, const RouterMemory& memory, std::string& error)
{
  config::FileError file_error;
  if (!config::write_file_atomically(path, serialize_router_memory(memory), file_error)) {
    error = "cannot remember the router in " + path.string() + ": " + file_error.message;
    return false;
  }
  return true;
}

}  // namespace mulenet::portmap
