#pragma once
// pugixml, bounded, for the UPnP codecs: loading a body within size and
// depth limits, namespace-agnostic element lookup (routers pick any prefix:
// "s:Envelope", "SOAP-ENV:Envelope", "Envelope"), text of an element, and
// escaping of the text we write.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "portmap/upnp/codec_result.hpp"

namespace mulenet::portmap::upnp::xml {

struct LoadFailure {
  CodecErrc error = CodecErrc::malformed;
  std::string detail;
};

// Parses `body` (UTF-8, as UPnP requires) into `doc`. Fails on more than
// `max_bytes`, an element nesting deeper than `max_depth`, a DOCTYPE (neither
// UPnP descriptions nor SOAP messages may have one, and refusing it keeps
// entity tricks out), or XML pugixml rejects. `what` names the body in the
// detail ("the device description").
[[nodiscard]] std::optional<LoadFailure> load(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes,
                                              std::size_t max_depth, std::string_view what);

// "Envelope" for "s:Envelope".
[[nodiscard]] std::string_view local_name(const pugi::xml_node& node);

// The first child element whose local name is `name` (ASCII case-sensitive,
// as XML is), or an empty node.
[[nodiscard]] pugi::xml_node child(const pugi::xml_node& parent, std::string_view name);

// The element's own text: its PCDATA and CDATA children joined (so
// "a<![CDATA[b]]>c" is "abc"), leading and trailing whitespace removed.
// Child elements' text is not included.
[[nodiscard]] std::string text(const pugi::xml_node& element);

// Text and attribute values for the XML we write: & < > " ' escaped.
[[nodiscard]] std::string escape(std::string_view text);

// False when `text` has a character XML 1.0 cannot carry at all (C0 controls
// other than tab, LF and CR): such a value cannot be sent, escaped or not.
[[nodiscard]] bool is_valid_text(std::string_view text);

}  // namespace mulenet::portmap::upnp::xml
