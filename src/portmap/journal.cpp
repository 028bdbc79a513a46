#include "portmap/journal.hpp"

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "config/config_file.hpp"

namespace mulenet::portmap {
namespace {

namespace json = boost::json;
constexpr std::int64_t kVersion = 1;
constexpr std::uintmax_t kMaxJournalBytes = 1 << 20;

json::object to_json(const Mapping& m)
{
  return {{"via", to_string(m.via)},
          {"protocol", config::to_string(m.protocol)},
          {"internal_port", m.internal_port},
          {"external_port", m.external_port},
          {"internal_client", m.internal_client},
          {"gateway", m.gateway},
          {"lease", m.lease_seconds},
          {"name", m.name},
          {"pcp_nonce", m.pcp_nonce_hex},
          {"upnp_control_url", m.upnp_control_url},
          {"upnp_service_type", m.upnp_service_type}};
}

std::optional<std::string> text_field(const json::object& o, std::string_view key)
{
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<std::uint16_t> port_field(const json::object& o, std::string_view key)
{
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  const std::int64_t n = v->as_int64();
  if (n < 1 || n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(n);
}

std::optional<Mapping> from_json(const json::value& value)
{
  const json::object* o = value.if_object();
  if (o == nullptr) return std::nullopt;
  const auto via = text_field(*o, "via");
  const auto protocol = text_field(*o, "protocol");
  const auto internal_port = port_field(*o, "internal_port");
  const auto external_port = port_field(*o, "external_port");
  if (!via || !parse_via(*via) || !protocol || (*protocol != "tcp" && *protocol != "udp") || !internal_port ||
      !external_port)
    return std::nullopt;
  Mapping m;
  m.via = *parse_via(*via);
  m.protocol = *protocol == "tcp" ? config::Protocol::tcp : config::Protocol::udp;
  m.internal_port = *internal_port;
  m.external_port = *external_port;
  m.internal_client = text_field(*o, "internal_client").value_or("");
  m.gateway = text_field(*o, "gateway").value_or("");
  if (const json::value* lease = o->if_contains("lease"); lease != nullptr && lease->is_int64() &&
                                                          lease->as_int64() >= 0 && lease->as_int64() <= 0xFFFFFFFF)
    m.lease_seconds = static_cast<std::uint32_t>(lease->as_int64());
  m.name = text_field(*o, "name").value_or("");
  m.pcp_nonce_hex = text_field(*o, "pcp_nonce").value_or("");
  m.upnp_control_url = text_field(*o, "upnp_control_url").value_or("");
  m.upnp_service_type = text_field(*o, "upnp_service_type").value_or("");
  return m;
}

}  // namespace

std::filesystem::path journal_path_for(const std::filesystem::path& config_path)
{
  const auto dir = config_path.has_parent_path() ? config_path.parent_path() : std::filesystem::path(".");
  return dir / "mulenet-mappings.json";
}

std::string serialize_journal(const Journal& journal)
{
  json::array list;
  for (const Mapping& m : journal.mappings) list.push_back(to_json(m));
  return json::serialize(json::object{{"version", kVersion}, {"mappings", list}}) + "\n";
}

Journal parse_journal(std::string_view text, std::vector<std::string>& warnings)
{
  Journal journal;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  const json::value root = json::parse(text, ec, {}, options);
  if (ec || !root.is_object()) {
    warnings.push_back("the mapping journal is not valid JSON; it is ignored");
    return journal;
  }
  const json::value* list = root.as_object().if_contains("mappings");
  if (list == nullptr || !list->is_array()) {
    warnings.push_back("the mapping journal has no list of mappings; it is ignored");
    return journal;
  }
  std::size_t index = 0;
  for (const json::value& entry : list->as_array()) {
    if (auto m = from_json(entry)) journal.mappings.push_back(std::move(*m));
    else warnings.push_back("entry " + std::to_string(index) + " of the mapping journal is malformed; skipped");
    ++index;
  }
  return journal;
}

std::optional<Journal> read_journal(const std::filesystem::path& path, std::string& error,
                                    std::vector<std::string>& warnings)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Journal{};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxJournalBytes) {
    error = "cannot read the mapping journal " + path.string() + (ec ? ": " + ec.message() : ": too large");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the mapping journal " + path.string();
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_journal(text.str(), warnings);
}

bool write_journal(const std::filesystem::path& path, const Journal& journal, std::string& error)
{
  if (journal.mappings.empty()) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) error = "cannot remove the mapping journal " + path.string() + ": " + ec.message();
    return !ec;
  }
  config::FileError file_error;
  if (!config::write_file_atomically(path, serialize_journal(journal), file_error)) {
    error = file_error.message;
    return false;
  }
  return true;
}

}  // namespace mulenet::portmap
