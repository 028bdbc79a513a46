#pragma once
// What a reply parser says about the bytes received so far: a whole message
// (and how many bytes it took), not enough bytes yet, or not valid protocol.
// Parsers are pure functions over everything received so far, so a reply is
// read completely however the network segments it.
#include <cstddef>
#include <string>

#include "proxy/proxy_error.hpp"

namespace mulenet::proxy {

enum class ParseStatus { complete, need_more, failed };

template <typename T>
struct Parsed {
  ParseStatus status = ParseStatus::need_more;
  T value{};                 // valid when complete
  std::size_t consumed = 0;  // bytes the message took, when complete
  ProxyErrc error{};         // when failed
  std::string detail;        // when failed: what exactly, for humans

  static Parsed need_more() { return {}; }
  static Parsed done(T v, std::size_t n) { return {ParseStatus::complete, std::move(v), n, {}, {}}; }
  static Parsed fail(ProxyErrc e, std::string why) { return {ParseStatus::failed, T{}, 0, e, std::move(why)}; }
};

}  // namespace mulenet::proxy
