#pragma once
// Why mulenet could not read a running aMule over EC, as stable codes (JSON
// "code"), each with a message naming the cause and a fix that names
// amule.conf's keys or the GUI's settings. The password never appears.
#include <string_view>
#include <system_error>

namespace mulenet::ec {

enum class EcErrc {
  // amule.conf.
  not_enabled = 1,  // AcceptExternalConnections=0
  no_password,      // ECPassword empty or not an MD5
  // The connection.
  not_listening,    // connection refused: aMule not running, or EC on another port
  not_answering,    // no connection or no answer in time
  refused_by_strict_mode,  // the EC address is not on this host and only the proxy may be used
  connection_lost,  // aMule closed the connection
  // aMule's answers.
  wrong_password,   // AUTH_FAIL after our hash
  version_mismatch, // AUTH_FAIL before the salt: another EC protocol version
  broken_answer,    // a frame that is not EC, or not what was asked
  request_failed,   // EC_OP_FAILED: aMule could not do what was asked
};

[[nodiscard]] const std::error_category& ec_category() noexcept;
[[nodiscard]] std::error_code make_error_code(EcErrc e) noexcept;
// "wrong-password", ...: the stable code of the public contract.
[[nodiscard]] std::string_view code_name(EcErrc e) noexcept;
[[nodiscard]] std::string_view fix_for(EcErrc e) noexcept;

}  // namespace mulenet::ec

template <>
struct std::is_error_code_enum<mulenet::ec::EcErrc> : std::true_type {};
