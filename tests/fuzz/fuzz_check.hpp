#pragma once
// What every fuzz target uses: FUZZ_CHECK(condition, what) stops the run with
// a crash (libFuzzer then saves the input) when a property that must hold
// for every input does not, after saying which one on stderr. With
// MULENET_FUZZ_VERBOSE=1 in the environment, targets that derive several
// inputs from one (e.g. what to set in a document) print them, to explain a
// reproducer: `MULENET_FUZZ_VERBOSE=1 ./fuzz_NAME crash-file`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <span>
#include <string_view>

#define FUZZ_CHECK(condition, what)                                                                  \
  do {                                                                                               \
    if (!(condition)) {                                                                              \
      std::fprintf(stderr, "\n*** fuzz property violated at %s:%d: %s\n    (%s)\n", __FILE__, __LINE__, \
                   what, #condition);                                                                \
      __builtin_trap();                                                                              \
    }                                                                                                \
  } while (false)

namespace mulenet::fuzz {

inline std::span<const std::uint8_t> bytes(const std::uint8_t* data, std::size_t size)
{
  return {data, size};
}

inline std::string_view text(const std::uint8_t* data, std::size_t size)
{
  return {reinterpret_cast<const char*>(data), size};
}

inline bool verbose()
{
  static const bool on = [] {
    const char* value = std::getenv("MULENET_FUZZ_VERBOSE");
    return value != nullptr && *value != '\0' && *value != '0';
  }();
  return on;
}

// "text" with every byte outside printable ASCII as \xNN, for verbose output.
inline std::string quoted(std::string_view s)
{
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '"' && c != '\\') {
      out += c;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", u);
      out += hex;
    }
  }
  return out + "\"";
}

}  // namespace mulenet::fuzz
