#include "portmap/upnp/xml_support.hpp"

#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"

namespace mulenet::portmap::upnp::xml {
namespace {

bool has_doctype(std::string_view body)
{
  for (std::size_t at = body.find("<!"); at != std::string_view::npos; at = body.find("<!", at + 2)) {
    if (ascii::istarts_with(body.substr(at + 2), "DOCTYPE") || ascii::istarts_with(body.substr(at + 2), "ENTITY"))
      return true;
  }
  return false;
}

// The deepest element nesting, walked without recursion.
std::size_t depth_of(const pugi::xml_document& doc)
{
  std::size_t depth = 0, deepest = 0;
  pugi::xml_node node = doc.first_child();
  while (node) {
    if (node.type() == pugi::node_element && depth + 1 > deepest) deepest = depth + 1;
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node && !node.next_sibling()) {
      node = node.parent();
      if (depth == 0 || node == doc) return deepest;
      --depth;
    }
    if (node) node = node.next_sibling();
  }
  return deepest;
}

}  // namespace

std::optional<LoadFailure> load(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes,
                                std::size_t max_depth, std::string_view what)
{
  if (body.size() > max_bytes)
    return LoadFailure{CodecErrc::too_large, fmt::format("{} is {} bytes (at most {})", what, body.size(), max_bytes)};
  if (has_doctype(body))
    return LoadFailure{CodecErrc::malformed, fmt::format("{} has a DOCTYPE or ENTITY declaration", what)};
  const pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r)
    return LoadFailure{CodecErrc::malformed,
                       fmt::format("{} is not well-formed XML ({} at byte {})", what, r.description(), r.offset)};
  if (!doc.document_element())
    return LoadFailure{CodecErrc::malformed, fmt::format("{} has no root element", what)};
  if (const std::size_t depth = depth_of(doc); depth > max_depth)
    return LoadFailure{CodecErrc::too_large,
                       fmt::format("{} nests elements {} deep (at most {})", what, depth, max_depth)};
  return std::nullopt;
}

std::string_view local_name(const pugi::xml_node& node)
{
  const std::string_view name = node.name();
  const auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name)
{
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

std::string text(const pugi::xml_node& element)
{
  std::string joined;
  for (pugi::xml_node c = element.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) joined += c.value();
  return std::string(ascii::trim(joined));
}

std::string escape(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

bool is_valid_text(std::string_view text)
{
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

}  // namespace mulenet::portmap::upnp::xml
