#pragma once
// What a client and an eD2k server say to each other over TCP (reference
// §1.3, §1.4): the login we send, and the server's packets we read. Pure
// functions; each decoder checks sizes as aMule does and says why not.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ed2k/opcodes.hpp"
#include "ed2k/packet.hpp"
#include "ed2k/tag.hpp"

namespace mulenet::ed2k {

template <typename T>
struct Decoded {
  std::optional<T> value;
  std::string error;  // when !value
  [[nodiscard]] explicit operator bool() const { return value.has_value(); }
};

struct LoginRequest {
  Hash16 user_hash{};
  std::uint32_t client_id = 0;  // 0 on a first login
  std::uint16_t tcp_port = 0;
  std::string nick = "mulenet";
  std::uint32_t server_flags = kServerFlags;
  std::uint32_t version = kEdonkeyVersion;
  std::uint32_t emule_version = kAmuleVersion;
};
// OP_LOGINREQUEST with the four tags aMule sends: CT_NAME, CT_VERSION,
// CT_SERVER_FLAGS, CT_EMULE_VERSION (old layout).
[[nodiscard]] Packet encode_login(const LoginRequest& login);
// OP_OFFERFILES (0x15) with a file count of 0: aMule's server keep-alive.
[[nodiscard]] Packet encode_empty_offer_files();
[[nodiscard]] Decoded<LoginRequest> decode_login(const Packet& packet);  // for tests and fuzzing

struct IdChange {
  std::uint32_t id = 0;
  std::optional<std::uint32_t> tcp_flags;
  std::optional<std::uint32_t> aux_port;
  std::optional<std::uint32_t> reported_ip;  // ed2k order: the address the server sees us at
  std::optional<std::uint32_t> obfuscation_tcp_port;
};
[[nodiscard]] Decoded<IdChange> decode_id_change(const Packet& packet);

// OP_SERVERMESSAGE: length:2 text; the text may hold several lines. Like
// aMule, the length field is not trusted: the text is the rest of the packet.
[[nodiscard]] Decoded<std::vector<std::string>> decode_server_message(const Packet& packet);

struct ServerStatus {
  std::uint32_t users = 0;
  std::uint32_t files = 0;
};
[[nodiscard]] Decoded<ServerStatus> decode_server_status(const Packet& packet);

struct ServerIdent {
  Hash16 hash{};
  std::uint32_t ip = 0;  // ed2k order
  std::uint16_t port = 0;
  std::string name;
  std::string description;
};
[[nodiscard]] Decoded<ServerIdent> decode_server_ident(const Packet& packet);

struct ServerAddress {
  std::uint32_t ip = 0;  // ed2k order
  std::uint16_t port = 0;
};
[[nodiscard]] Decoded<std::vector<ServerAddress>> decode_server_list(const Packet& packet);

// Printable text from a server: control characters dropped, at most `max` bytes.
[[nodiscard]] std::string printable(std::string_view text, std::size_t max = 1024);

}  // namespace mulenet::ed2k
