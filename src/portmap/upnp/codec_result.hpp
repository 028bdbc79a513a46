#pragma once
// What a UPnP decoder says about a message: the value, or why not. UPnP
// messages arrive whole (one SSDP datagram, one HTTP body read to its end),
// so unlike the proxy replies there is no "need more". Decoders never throw
// and never trust their input: every size, count and depth is bounded.
#include <string>
#include <string_view>
#include <utility>

namespace mulenet::portmap::upnp {

enum class CodecErrc {
  malformed,      // not HTTP / not XML / not a URL / not the message it claims to be
  too_large,      // over a size, count or nesting limit
  missing_field,  // a header or element the message needs is absent or empty
  unexpected,     // well formed, but not an answer to what we asked (other status, other action)
  unsafe_url,     // a URL we refuse to fetch or post to (see url_guard.hpp)
};

[[nodiscard]] constexpr std::string_view code_name(CodecErrc e)
{
  switch (e) {
    case CodecErrc::malformed: return "malformed";
    case CodecErrc::too_large: return "too-large";
    case CodecErrc::missing_field: return "missing-field";
    case CodecErrc::unexpected: return "unexpected";
    case CodecErrc::unsafe_url: return "unsafe-url";
  }
  return "unknown";
}

template <typename T>
struct Parsed {
  bool ok = false;
  T value{};            // valid when ok
  CodecErrc error{};    // when !ok
  std::string detail;   // when !ok: what exactly, for humans

  [[nodiscard]] explicit operator bool() const { return ok; }
  static Parsed done(T v) { return {true, std::move(v), {}, {}}; }
  static Parsed fail(CodecErrc e, std::string why) { return {false, T{}, e, std::move(why)}; }
};

}  // namespace mulenet::portmap::upnp
