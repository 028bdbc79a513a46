#pragma once
// What mulenet's EC server answers, as pure functions (next-capabilities.md
// §1.4–1.5): the login packets, EC_OP_STATS for amulecmd's `status` built
// from an AmuleState (the inverse of read_stats), GET_CONNSTATE, the server
// list, and EC_OP_FAILED for everything we do not serve. Every request gets
// exactly one answer, as amulecmd expects.
#include <cstdint>
#include <string_view>
#include <vector>

#include "ec/amule_state.hpp"
#include "ec/ec_packet.hpp"

namespace mulenet::ec {

[[nodiscard]] Packet auth_salt_answer(std::uint64_t salt);
[[nodiscard]] Packet auth_ok_answer(std::string_view server_version);
[[nodiscard]] Packet auth_fail_answer(std::string_view reason);
[[nodiscard]] Packet failed_answer(std::string_view reason);

// EC_TAG_CONNSTATE with its children (SERVER{SERVER_NAME}, ED2K_ID, CLIENT_ID),
// as CEC_ConnState_Tag builds it at detail CMD.
[[nodiscard]] Tag connstate_tag(const AmuleState& state);

// EC_OP_STATS: speeds and limits (zero: mulenet moves no data; amuleweb reads
// them without a check), user counts, the Kad tags while Kad is connected,
// then CONNSTATE.
[[nodiscard]] Packet stats_answer(const AmuleState& state);

// EC_OP_MISC_DATA with CONNSTATE: the answer to GET_CONNSTATE.
[[nodiscard]] Packet connstate_answer(const AmuleState& state);

// EC_OP_SERVER_LIST: one EC_TAG_SERVER (IPv4) per server, with its name.
[[nodiscard]] Packet server_list_answer(const std::vector<AmuleServer>& servers);

// aMule's GetID(): the Kad IP when Kad is open, else the eD2k ID, else 1
// when Kad is firewalled, else 0 (eD2k byte order, as on the wire).
[[nodiscard]] std::uint32_t client_id(const AmuleState& state);

}  // namespace mulenet::ec
