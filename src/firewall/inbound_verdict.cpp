#include "firewall/inbound_verdict.hpp"

namespace mulenet::firewall {

const char* to_string(Verdict verdict)
{
  switch (verdict) {
    case Verdict::allowed: return "allowed";
    case Verdict::blocked: return "blocked";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace mulenet::firewall
