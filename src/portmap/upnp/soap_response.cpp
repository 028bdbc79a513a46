#include "portmap/upnp/soap_response.hpp"

#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"
#include "portmap/upnp/xml_support.hpp"

namespace mulenet::portmap::upnp::soap {
namespace {

using Result = Parsed<Response>;

pugi::xml_node first_element(const pugi::xml_node& parent)
{
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return c;
  return {};
}

std::string printable(std::string_view text) { return ascii::printable(text, kMaxFaultTextBytes); }

Fault read_fault(const pugi::xml_node& fault_node)
{
  Fault f;
  f.fault_code = printable(xml::text(xml::child(fault_node, "faultcode")));
  f.fault_string = printable(xml::text(xml::child(fault_node, "faultstring")));
  const pugi::xml_node detail = xml::child(fault_node, "detail");
  // <detail><UPnPError><errorCode>; tolerate the error fields straight in <detail>.
  pugi::xml_node error = xml::child(detail, "UPnPError");
  if (!error) error = detail;
  const std::string code = xml::text(xml::child(error, "errorCode"));
  if (const auto n = ascii::parse_decimal<unsigned>(code); n && *n <= 9999) f.error_code = *n;
  f.error_description = printable(xml::text(xml::child(error, "errorDescription")));
  return f;
}

}  // namespace

const std::string* Response::argument(std::string_view name) const
{
  for (const auto& a : arguments)
    if (a.name == name) return &a.value;
  return nullptr;
}

Parsed<Response> parse_response(std::string_view body, std::string_view expected_action)
{
  pugi::xml_document doc;
  if (auto failure = xml::load(doc, body, kMaxResponseBytes, kMaxResponseDepth, "the SOAP response"))
    return Result::fail(failure->error, std::move(failure->detail));
  const pugi::xml_node envelope = doc.document_element();
  if (xml::local_name(envelope) != "Envelope")
    return Result::fail(CodecErrc::malformed,
                        fmt::format("the SOAP response's root element is <{}>, not an Envelope",
                                    printable(envelope.name())));
  const pugi::xml_node soap_body = xml::child(envelope, "Body");
  if (!soap_body) return Result::fail(CodecErrc::missing_field, "the SOAP response has no Body");
  const pugi::xml_node answer = first_element(soap_body);
  if (!answer) return Result::fail(CodecErrc::missing_field, "the SOAP response's Body is empty");

  Response r;
  const std::string_view name = xml::local_name(answer);
  if (name == "Fault") {
    r.fault = read_fault(answer);
    return Result::done(std::move(r));
  }
  constexpr std::string_view kSuffix = "Response";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix))
    return Result::fail(CodecErrc::malformed,
                        fmt::format("the SOAP Body holds <{}>, neither a Fault nor an action's response",
                                    printable(std::string(name))));
  r.action = name.substr(0, name.size() - kSuffix.size());
  if (!expected_action.empty() && r.action != expected_action)
    return Result::fail(CodecErrc::unexpected,
                        fmt::format("the router answered {} to {}", printable(r.action), expected_action));
  for (pugi::xml_node a = answer.first_child(); a; a = a.next_sibling()) {
    // An element named "prefix:" has no local name: no argument of any action
    // (found by fuzz_soap; kept as corpus/soap/regression_prefix_only_name).
    if (a.type() != pugi::node_element || xml::local_name(a).empty()) continue;
    if (r.arguments.size() == kMaxOutArguments)
      return Result::fail(CodecErrc::too_large, fmt::format("more than {} out-arguments", kMaxOutArguments));
    r.arguments.push_back({std::string(xml::local_name(a)), xml::text(a)});
  }
  return Result::done(std::move(r));
}

}  // namespace mulenet::portmap::upnp::soap
