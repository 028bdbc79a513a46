#pragma once
// eD2k opcodes and tag names used by mulenet, with aMule's names
// (src/include/protocol/ed2k/Client2Server/TCP.h, .../Client2Client/TCP.h,
// src/include/tags/ClientTags.h, ServerTags.h).
#include <cstdint>

namespace mulenet::ed2k {

// client <-> server, TCP (protocol 0xE3)
inline constexpr std::uint8_t OP_LOGINREQUEST = 0x01;
inline constexpr std::uint8_t OP_REJECT = 0x05;
inline constexpr std::uint8_t OP_GETSERVERLIST = 0x14;
inline constexpr std::uint8_t OP_OFFERFILES = 0x15;
inline constexpr std::uint8_t OP_SERVERLIST = 0x32;
inline constexpr std::uint8_t OP_SERVERSTATUS = 0x34;
inline constexpr std::uint8_t OP_CALLBACKREQUESTED = 0x35;
inline constexpr std::uint8_t OP_CALLBACK_FAIL = 0x36;
inline constexpr std::uint8_t OP_SERVERMESSAGE = 0x38;
inline constexpr std::uint8_t OP_IDCHANGE = 0x40;
inline constexpr std::uint8_t OP_SERVERIDENT = 0x41;

// client <-> client, TCP (protocol 0xE3)
inline constexpr std::uint8_t OP_HELLO = 0x01;
inline constexpr std::uint8_t OP_HELLOANSWER = 0x4C;

// client <-> server, UDP (protocol 0xE3)
inline constexpr std::uint8_t OP_GLOBSERVSTATREQ = 0x96;
inline constexpr std::uint8_t OP_GLOBSERVSTATRES = 0x97;

// tags in login and Hello
inline constexpr std::uint8_t CT_NAME = 0x01;
inline constexpr std::uint8_t CT_PORT = 0x0F;
inline constexpr std::uint8_t CT_VERSION = 0x11;
inline constexpr std::uint8_t CT_SERVER_FLAGS = 0x20;
inline constexpr std::uint8_t CT_EMULECOMPAT_OPTIONS = 0xEF;
inline constexpr std::uint8_t CT_EMULE_UDPPORTS = 0xF9;
inline constexpr std::uint8_t CT_EMULE_MISCOPTIONS1 = 0xFA;
inline constexpr std::uint8_t CT_EMULE_VERSION = 0xFB;
inline constexpr std::uint8_t CT_EMULE_BUDDYIP = 0xFC;
inline constexpr std::uint8_t CT_EMULE_BUDDYUDP = 0xFD;
inline constexpr std::uint8_t CT_EMULE_MISCOPTIONS2 = 0xFE;

// server tags (OP_SERVERIDENT, server.met)
inline constexpr std::uint8_t ST_SERVERNAME = 0x01;
inline constexpr std::uint8_t ST_DESCRIPTION = 0x0B;

// values aMule 2.3.3 sends
inline constexpr std::uint32_t kEdonkeyVersion = 0x3C;          // EDONKEYVERSION
inline constexpr std::uint32_t kAmuleVersion = 0x03040D80;      // (SO_AMULE=3)<<24 | 2.3.3
// ZLIB | AUXPORT | NEWTAGS | UNICODE | LARGEFILES; no crypt bits: mulenet
// does not speak the obfuscated server handshake.
inline constexpr std::uint32_t kServerFlags = 0x0001 | 0x0004 | 0x0008 | 0x0010 | 0x0100;

// IDs below this are Low IDs (HIGHEST_LOWID_ED2K_KAD).
inline constexpr std::uint32_t kHighestLowId = 16777216;
[[nodiscard]] constexpr bool is_low_id(std::uint32_t id) { return id < kHighestLowId; }

}  // namespace mulenet::ed2k
