#pragma once
// The numbers of aMule's External Connections (EC) protocol 2.3.3 that
// mulenet speaks: frame flags, opcodes, tag names, tag types, detail levels
// and the bits of EC_TAG_CONNSTATE (reference amule-protocol.md §10,
// next-capabilities.md §1; aMule src/libs/ec/cpp/ECCodes.h at tag 2.3.3).
#include <cstdint>

namespace mulenet::ec {

inline constexpr std::uint16_t kProtocolVersion = 0x0204;  // EC_CURRENT_PROTOCOL_VERSION

// Frame flags (the first 4 bytes of every frame).
inline constexpr std::uint32_t kFlagBase = 0x20;          // always set: flags & 0x60 == 0x20
inline constexpr std::uint32_t kFlagZlib = 0x01;          // the body is one zlib stream
inline constexpr std::uint32_t kFlagUtf8Numbers = 0x02;   // header integers as FSS-UTF numbers
inline constexpr std::uint32_t kFlagUnknownMask = 0xff7f7f08;

// Opcodes (ec_opcode_t, one byte). Unknown values pass through the codec.
enum class Op : std::uint8_t {
  noop = 0x01,
  auth_req = 0x02,
  auth_fail = 0x03,
  auth_ok = 0x04,
  failed = 0x05,
  strings = 0x06,
  misc_data = 0x07,
  shutdown = 0x08,
  stat_req = 0x0A,
  get_connstate = 0x0B,
  stats = 0x0C,
  get_dload_queue = 0x0D,
  get_uload_queue = 0x0E,
  get_wait_queue = 0x0F,
  get_shared_files = 0x10,
  dload_queue = 0x1F,
  uload_queue = 0x20,
  wait_queue = 0x21,
  shared_files = 0x22,
  get_server_list = 0x2C,
  server_list = 0x2D,
  server_disconnect = 0x2E,
  server_connect = 0x2F,
  get_log = 0x35,
  log = 0x38,
  get_preferences = 0x3F,
  set_preferences = 0x40,
  kad_start = 0x48,
  kad_stop = 0x49,
  connect = 0x4A,
  disconnect = 0x4B,
  auth_salt = 0x4F,
  auth_passwd = 0x50,
};

// Tag names (ec_tagname_t). On the wire a name is sent as name << 1 | has_children.
namespace tag {
inline constexpr std::uint16_t string = 0x0000;
inline constexpr std::uint16_t passwd_hash = 0x0001;
inline constexpr std::uint16_t protocol_version = 0x0002;
inline constexpr std::uint16_t version_id = 0x0003;
inline constexpr std::uint16_t detail_level = 0x0004;
inline constexpr std::uint16_t connstate = 0x0005;
inline constexpr std::uint16_t ed2k_id = 0x0006;
inline constexpr std::uint16_t client_id = 0x000A;
inline constexpr std::uint16_t passwd_salt = 0x000B;
inline constexpr std::uint16_t can_zlib = 0x000C;
inline constexpr std::uint16_t can_utf8_numbers = 0x000D;
inline constexpr std::uint16_t can_notify = 0x000E;
inline constexpr std::uint16_t kad_id = 0x0010;
inline constexpr std::uint16_t client_name = 0x0100;
inline constexpr std::uint16_t client_version = 0x0101;
inline constexpr std::uint16_t stats_ul_speed = 0x0200;
inline constexpr std::uint16_t stats_dl_speed = 0x0201;
inline constexpr std::uint16_t stats_ul_speed_limit = 0x0202;
inline constexpr std::uint16_t stats_dl_speed_limit = 0x0203;
inline constexpr std::uint16_t stats_total_src_count = 0x0206;
inline constexpr std::uint16_t stats_ul_queue_len = 0x0208;
inline constexpr std::uint16_t stats_ed2k_users = 0x0209;
inline constexpr std::uint16_t stats_kad_users = 0x020A;
inline constexpr std::uint16_t stats_kad_firewalled_udp = 0x020E;
inline constexpr std::uint16_t stats_kad_ip_address = 0x0213;
inline constexpr std::uint16_t stats_buddy_status = 0x0214;
inline constexpr std::uint16_t stats_buddy_ip = 0x0215;
inline constexpr std::uint16_t stats_buddy_port = 0x0216;
inline constexpr std::uint16_t stats_kad_in_lan_mode = 0x0217;
inline constexpr std::uint16_t stats_kad_nodes = 0x021B;
inline constexpr std::uint16_t server = 0x0500;
inline constexpr std::uint16_t server_name = 0x0501;
inline constexpr std::uint16_t server_users = 0x0507;
inline constexpr std::uint16_t server_version = 0x050B;
}  // namespace tag

// Tag types (ec_tagtype_t).
enum class TagType : std::uint8_t {
  custom = 1,   // raw bytes (empty for the CAN_* flags)
  u8 = 2,
  u16 = 3,
  u32 = 4,
  u64 = 5,
  string = 6,   // UTF-8, NUL-terminated
  dbl = 7,      // decimal text, NUL-terminated
  ipv4 = 8,     // 4 address bytes in dotted order + port u16 BE
  hash16 = 9,
  uint128 = 10,
};

// EC_TAG_DETAIL_LEVEL values; the tag is sent only when not full.
enum class Detail : std::uint8_t { cmd = 0, web = 1, full = 2, update = 3, inc_update = 4 };

// Bits of EC_TAG_CONNSTATE (aMule src/ECSpecialCoreTags.cpp CEC_ConnState_Tag).
namespace connstate {
inline constexpr std::uint8_t ed2k_connected = 0x01;
inline constexpr std::uint8_t ed2k_connecting = 0x02;
inline constexpr std::uint8_t kad_connected = 0x04;
inline constexpr std::uint8_t kad_firewalled = 0x08;  // TCP; aMule also sets it while Kad is off
inline constexpr std::uint8_t kad_running = 0x10;
}  // namespace connstate

// An eD2k ID below this is a Low ID (aMule's HasLowID).
inline constexpr std::uint32_t kLowIdLimit = 16777216;

}  // namespace mulenet::ec
