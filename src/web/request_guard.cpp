#include "web/request_guard.hpp"

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>  // EVP_DecodeBlock: base64, no provider needed

#include "net/md5.hpp"

namespace mulenet::web {
namespace {

std::string lower(std::string_view s)
{
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Decision refuse(int status, std::string reason) { return {false, status, std::move(reason), Route::not_found}; }

std::optional<std::string> base64_decode(std::string_view text)
{
  if (text.empty() || text.size() % 4 != 0 || text.size() > 1024) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding's zero bytes: take them off.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

bool equal_in_constant_time(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// HTTP Basic with any user name and aMule's web password (stored as its MD5).
bool password_ok(std::optional<std::string_view> authorization, const std::string& password_md5)
{
  if (!authorization) return false;
  const std::string_view value = *authorization;
  if (value.size() < 6 || lower(value.substr(0, 6)) != "basic ") return false;
  const auto decoded = base64_decode(value.substr(6));
  if (!decoded) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  return equal_in_constant_time(net::md5_hex(std::string_view(*decoded).substr(colon + 1)), lower(password_md5));
}

Route route_of(std::string_view path)
{
  if (path == "/" || path == "/index.html") return Route::page;
  if (path == "/api/status") return Route::status;
  if (path == "/api/events") return Route::events;
  if (path == "/api/check-kad") return Route::check_kad;
  return Route::not_found;
}

bool changes_state(Route r) { return r == Route::check_kad; }

}  // namespace

std::string_view path_of(std::string_view target)
{
  const auto q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

bool is_loopback_address(std::string_view address)
{
  return address == "localhost" || address == "::1" || address.starts_with("127.");
}

bool host_is_ours(std::string_view host, const GuardConfig& c)
{
  const std::string h = lower(host);
  const std::string port = ":" + std::to_string(c.port);
  for (const std::string& name : {lower(c.address), std::string("localhost"), std::string("127.0.0.1"),
                                  std::string("[::1]")}) {
    if (h == name + port) return true;
    // Browsers leave out the port only for 80; accept it bare only then.
    if (c.port == 80 && h == name) return true;
  }
  return false;
}

Decision decide(const RequestView& r, const GuardConfig& c)
{
  if (!r.host) return refuse(400, "no Host header");
  if (!host_is_ours(*r.host, c))
    return refuse(403, "Host '" + std::string(r.host->substr(0, 100)) +
                           "' is not this daemon's address (refused against DNS rebinding)");
  if (r.origin && !host_is_ours(lower(*r.origin).starts_with("http://") ? r.origin->substr(7) : *r.origin, c))
    return refuse(403, "cross-origin request from '" + std::string(r.origin->substr(0, 100)) + "' refused");
  if (!c.password_md5.empty() && !password_ok(r.authorization, c.password_md5))
    return refuse(401, "this status page needs aMule's web password ([WebServer] Password)");
  const Route route = route_of(path_of(r.target));
  if (route == Route::not_found) return refuse(404, "no such page");
  if (changes_state(route)) {
    if (r.method != "POST") return refuse(405, "this changes state: only POST, with the page's token");
    if (!r.token || c.token.empty() || !equal_in_constant_time(*r.token, c.token))
      return refuse(403, "missing or wrong token (X-Mulenet-Token): reload the page");
    return {true, 200, "", route};
  }
  if (r.method != "GET" && r.method != "HEAD") return refuse(405, "only GET here");
  return {true, 200, "", route};
}

}  // namespace mulenet::web
