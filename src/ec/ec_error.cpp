#include "ec/ec_error.hpp"

#include <string>

namespace mulenet::ec {
namespace {

struct Description {
  std::string_view code;
  std::string_view message;
  std::string_view fix;
};

Description describe(EcErrc e) noexcept
{
  switch (e) {
    case EcErrc::not_enabled:
      return {"not-enabled", "aMule does not accept External Connections (EC)",
              "Enable them: in aMule, Preferences > Remote Controls > \"Accept external connections\" with a "
              "password, or in amule.conf [ExternalConnect] AcceptExternalConnections=1 and ECPassword=<MD5 of a "
              "password> (mulenet config set /ExternalConnect/AcceptExternalConnections 1), then restart aMule."};
    case EcErrc::no_password:
      return {"no-password", "amule.conf has no EC password (ECPassword is empty or not an MD5)",
              "aMule refuses every EC login without one: set it in Preferences > Remote Controls, or write the MD5 "
              "of a password to [ExternalConnect] ECPassword (echo -n PASSWORD | md5sum), then restart aMule."};
    case EcErrc::not_listening:
      return {"not-listening", "nothing accepts EC connections at that address",
              "Start aMule (amuled or the GUI) with External Connections on; check [ExternalConnect] ECPort and "
              "ECAddress in amule.conf."};
    case EcErrc::not_answering:
      return {"not-answering", "aMule did not answer over EC in time",
              "aMule may be starting or very busy: try again in a minute; a firewall may drop the EC port."};
    case EcErrc::refused_by_strict_mode:
      return {"refused-by-strict-mode", "strict proxy mode: EC to another host is not sent",
              "Run the command on aMule's host (EC on loopback is allowed), or turn strict mode off."};
    case EcErrc::connection_lost:
      return {"connection-lost", "aMule closed the EC connection",
              "aMule may have exited or refused this client: look at aMule's log, then try again."};
    case EcErrc::wrong_password:
      return {"wrong-password", "aMule refused the EC password",
              "The ECPassword in this amule.conf is not the one the running aMule uses: point --config at aMule's "
              "own amule.conf, or set the same password in both."};
    case EcErrc::version_mismatch:
      return {"version-mismatch", "aMule speaks another EC protocol version",
              "mulenet speaks EC 0x0204 (aMule 2.3.x); use an aMule of that line, or mulenet's own checks with "
              "aMule stopped."};
    case EcErrc::broken_answer:
      return {"broken-answer", "aMule's EC answer cannot be read",
              "The port may belong to another program, not aMule's EC: check [ExternalConnect] ECPort."};
    case EcErrc::request_failed:
      return {"request-failed", "aMule could not do what was asked over EC", "See aMule's message in the detail."};
  }
  return {"unknown", "unknown EC error", ""};
}

class EcCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mulenet.ec"; }
  std::string message(int ev) const override { return std::string(describe(static_cast<EcErrc>(ev)).message); }
};

}  // namespace

const std::error_category& ec_category() noexcept
{
  static const EcCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(EcErrc e) noexcept { return {static_cast<int>(e), ec_category()}; }
std::string_view code_name(EcErrc e) noexcept { return describe(e).code; }
std::string_view fix_for(EcErrc e) noexcept { return describe(e).fix; }

}  // namespace mulenet::ec
