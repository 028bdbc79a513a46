#include "net/json_utf8.hpp"

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "net/utf8.hpp"

namespace mulenet::net {
namespace {

// What we build is a few levels deep; deeper is not ours and is left alone.
constexpr int kMaxDepth = 64;

void fix_string(boost::json::string& s)
{
  const std::string_view view(s.data(), s.size());
  if (!is_utf8(view)) s = escape_invalid_utf8(view);
}

void fix(boost::json::value& value, int depth)
{
  if (depth > kMaxDepth) return;
  if (auto* s = value.if_string()) {
    fix_string(*s);
  } else if (auto* a = value.if_array()) {
    for (boost::json::value& v : *a) fix(v, depth + 1);
  } else if (auto* o = value.if_object()) {
    std::vector<std::pair<std::string, std::string>> renamed;
    for (auto& kv : *o) {
      fix(kv.value(), depth + 1);
      const std::string_view key = kv.key();
      if (!is_utf8(key)) renamed.emplace_back(std::string(key), escape_invalid_utf8(key));
    }
    for (const auto& [from, to] : renamed) {
      boost::json::value moved = std::move(o->at(from));
      o->erase(from);
      (*o)[to] = std::move(moved);
    }
  }
}

}  // namespace

void make_json_utf8(boost::json::value& value) { fix(value, 0); }

}  // namespace mulenet::net
