// The port-mapping error codes: every code has a stable kebab-case name, a
// message and a fix; the protocols' own result codes map onto them; and the
// mapper sets them where it sets its error strings (against a fake NAT-PMP /
// PCP router on a loopback address, with no real router involved).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "portmap/mapper.hpp"
#include "portmap/natpmp/natpmp_codec.hpp"
#include "portmap/natpmp/natpmp_result.hpp"
#include "portmap/pcp/pcp_result.hpp"
#include "portmap/portmap_error.hpp"
#include "portmap/router_operations.hpp"
#if MULENET_WITH_UPNP
#include "portmap/upnp/upnp_error.hpp"
#endif

namespace asio = boost::asio;
using asio::ip::udp;
using namespace mulenet;
using namespace mulenet::portmap;
using namespace std::chrono_literals;

namespace {

constexpr int kFirst = static_cast<int>(PortmapErrc::no_gateway);
constexpr int kLast = static_cast<int>(PortmapErrc::journal_io);

bool kebab_case(std::string_view s)
{
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.find("--") == std::string_view::npos;
}

}  // namespace

TEST(PortmapError, EveryCodeHasANameAMessageAndAFix)
{
  std::set<std::string_view> names;
  for (int v = kFirst; v <= kLast; ++v) {
    const auto e = static_cast<PortmapErrc>(v);
    const std::string_view name = code_name(e);
    EXPECT_NE(name, "unknown") << v;
    EXPECT_TRUE(kebab_case(name)) << v << " " << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    const std::error_code ec = e;
    EXPECT_FALSE(ec.message().empty()) << name;
    EXPECT_NE(ec.message(), "unknown port-mapping error") << name;
    EXPECT_FALSE(fix_for(e).empty()) << name;
    EXPECT_EQ(&ec.category(), &portmap_category());
    EXPECT_TRUE(static_cast<bool>(ec)) << name;  // 0 is "no error": no code uses it
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kLast - kFirst + 1));
}

TEST(PortmapError, StableNamesAndCategory)
{
  EXPECT_STREQ(portmap_category().name(), "mulenet.portmap");
  EXPECT_EQ(code_name(PortmapErrc::not_authorized), "not-authorized");
  EXPECT_EQ(code_name(PortmapErrc::no_answer), "no-answer");
  EXPECT_EQ(code_name(PortmapErrc::conflict), "conflict");
  EXPECT_EQ(code_name(PortmapErrc::other_port), "other-port");
  EXPECT_EQ(code_name(PortmapErrc::below_1024), "below-1024");
  EXPECT_EQ(code_name(PortmapErrc::journal_io), "journal-io");
  EXPECT_NE(fix_for(PortmapErrc::not_authorized).find("turn on UPnP/NAT-PMP/PCP"), std::string_view::npos);
  // A value outside the enum is named, not undefined.
  EXPECT_EQ(code_name(static_cast<PortmapErrc>(kLast + 1)), "unknown");
  EXPECT_EQ(std::error_code(kLast + 1, portmap_category()).message(), "unknown port-mapping error");
  // Compared as codes, and apart from other categories' equal numbers.
  const std::error_code ec = PortmapErrc::conflict;
  EXPECT_EQ(ec, PortmapErrc::conflict);
  EXPECT_NE(ec, PortmapErrc::refused);
  EXPECT_NE(ec, std::error_code(static_cast<int>(PortmapErrc::conflict), std::generic_category()));
}

TEST(PortmapError, NatpmpResultCodes)
{
  using natpmp::ResultCode;
  EXPECT_FALSE(natpmp::error_for(ResultCode::success));
  EXPECT_EQ(natpmp::error_for(ResultCode::unsupported_version), PortmapErrc::not_supported);
  EXPECT_EQ(natpmp::error_for(ResultCode::not_authorized), PortmapErrc::not_authorized);
  EXPECT_EQ(natpmp::error_for(ResultCode::network_failure), PortmapErrc::network_failure);
  EXPECT_EQ(natpmp::error_for(ResultCode::out_of_resources), PortmapErrc::out_of_resources);
  EXPECT_EQ(natpmp::error_for(ResultCode::unsupported_opcode), PortmapErrc::not_supported);
  EXPECT_EQ(natpmp::error_for(static_cast<ResultCode>(77)), PortmapErrc::refused);
}

TEST(PortmapError, PcpResultCodes)
{
  using pcp::ResultCode;
  EXPECT_FALSE(pcp::error_for(ResultCode::success));
  for (unsigned v = 1; v <= 14; ++v) {
    const std::error_code ec = pcp::error_for(static_cast<ResultCode>(v));
    EXPECT_TRUE(ec) << v;
    EXPECT_EQ(&ec.category(), &portmap_category()) << v;
  }
  EXPECT_EQ(pcp::error_for(ResultCode::not_authorized), PortmapErrc::not_authorized);
  EXPECT_EQ(pcp::error_for(ResultCode::unsupp_opcode), PortmapErrc::not_supported);
  EXPECT_EQ(pcp::error_for(ResultCode::network_failure), PortmapErrc::network_failure);
  EXPECT_EQ(pcp::error_for(ResultCode::no_resources), PortmapErrc::out_of_resources);
  EXPECT_EQ(pcp::error_for(ResultCode::user_ex_quota), PortmapErrc::out_of_resources);
  EXPECT_EQ(pcp::error_for(ResultCode::cannot_provide_external), PortmapErrc::conflict);
  EXPECT_EQ(pcp::error_for(ResultCode::address_mismatch), PortmapErrc::address_mismatch);
  EXPECT_EQ(pcp::error_for(ResultCode::malformed_request), PortmapErrc::refused);
  EXPECT_EQ(pcp::error_for(static_cast<ResultCode>(200)), PortmapErrc::refused);
}

#if MULENET_WITH_UPNP
TEST(PortmapError, UpnpFaultCodes)
{
  EXPECT_EQ(upnp::error_for(606), PortmapErrc::not_authorized);
  EXPECT_EQ(upnp::error_for(718), PortmapErrc::conflict);
  EXPECT_EQ(upnp::error_for(729), PortmapErrc::conflict);
  EXPECT_EQ(upnp::error_for(728), PortmapErrc::out_of_resources);
  EXPECT_EQ(upnp::error_for(603), PortmapErrc::out_of_resources);
  EXPECT_EQ(upnp::error_for(401), PortmapErrc::not_supported);
  EXPECT_EQ(upnp::error_for(501), PortmapErrc::refused);
  EXPECT_EQ(upnp::error_for(899), PortmapErrc::refused);  // a vendor code
  EXPECT_EQ(upnp::describe_upnp_error(718)->kind, PortmapErrc::conflict);
}
#endif

// --- the codes set by the operations, without a network --------------------

namespace {

template <typename T>
T run(asio::io_context& io, asio::awaitable<T> work)
{
  T result{};
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
    io.stop();
  });
  io.run();
  io.restart();
  return result;
}

Mapping mapping(Via via, std::string gateway)
{
  Mapping m;
  m.via = via;
  m.protocol = config::Protocol::tcp;
  m.internal_port = 4662;
  m.external_port = 4662;
  m.internal_client = "127.0.0.1";
  m.gateway = std::move(gateway);
  m.lease_seconds = 600;
  m.name = "ed2k-tcp";
  return m;
}

struct TempDir {
  std::filesystem::path path;
  TempDir()
  {
    path = std::filesystem::temp_directory_path() /
           ("mulenet-portmap-error-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(PortmapErrorCodes, BrokenJournalEntriesAreBadMappings)
{
  asio::io_context io;
  const AddOutcome add = run(io, add_mapping(mapping(Via::natpmp, "not-an-address"), 200ms));
  EXPECT_FALSE(add.ok);
  EXPECT_EQ(add.code, PortmapErrc::bad_mapping);
  EXPECT_NE(add.error.find("not an IP address"), std::string::npos) << add.error;

  Mapping no_nonce = mapping(Via::pcp, "127.77.0.9");  // a PCP delete needs the nonce of the add
  const DeleteOutcome del = run(io, delete_mapping(no_nonce, 200ms));
  EXPECT_EQ(del.code, PortmapErrc::bad_mapping);
  EXPECT_EQ(del.error, "no valid PCP nonce for this mapping");
}

TEST(PortmapErrorCodes, UnreadableJournalIsJournalIo)
{
  TempDir dir;
  MapperOptions options;
  options.journal_path = dir.path;  // a directory, not a file
  asio::io_context io;
  const UnmapReport r = run(io, unmap_journal(options));
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::journal_io);
}

// --- the codes set from a router's answers ---------------------------------

namespace {

// A NAT-PMP (and, if asked, PCP) "router" on a loopback address, port 5351
// (one address per test: ctest may run them at the same time): answers the
// external-address request with success and every MAP with `map_result`;
// a PCP request with `pcp_result` (or, without one, in NAT-PMP: no PCP here).
struct FakeRouter {
  std::string address;
  asio::io_context io;
  udp::socket socket{io};
  std::uint16_t map_result = 0;
  int pcp_result = -1;
  bool bound = false;

  explicit FakeRouter(std::string at) : address(std::move(at))
  {
    boost::system::error_code ec;
    socket.open(udp::v4(), ec);
    if (!ec) socket.bind(udp::endpoint(asio::ip::make_address(address), natpmp::kServerPort), ec);
    bound = !ec;
    if (bound) asio::co_spawn(io, serve(), asio::detached);
  }

  std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& q) const
  {
    if (q.size() >= 2 && q[0] == 0 && q[1] == 0) {  // NAT-PMP external address: 1.2.3.4
      return {0, 128, 0, 0, 0, 0, 0, 100, 1, 2, 3, 4};
    }
    if (q.size() >= 2 && q[0] == 0) {  // NAT-PMP MAP: an 8-byte error, or the port as asked
      const auto hi = static_cast<std::uint8_t>(map_result >> 8);
      const auto lo = static_cast<std::uint8_t>(map_result & 0xFF);
      const auto op = static_cast<std::uint8_t>(128 + q[1]);
      if (map_result != 0) return {0, op, hi, lo, 0, 0, 0, 100};
      return {0, op, 0, 0, 0, 0, 0, 100, q[4], q[5], q[4], q[5], 0, 0, 2, 88};
    }
    if (pcp_result < 0 || q.size() < 24) return {0, 128, 0, 1, 0, 0, 0, 100};  // NAT-PMP: unsupported version
    std::vector<std::uint8_t> r = q;  // PCP: the request echoed as its answer
    r[1] = static_cast<std::uint8_t>(r[1] | 0x80);
    r[2] = 0;
    r[3] = static_cast<std::uint8_t>(pcp_result);
    for (std::size_t i = 8; i < 24; ++i) r[i] = 0;
    r[11] = 100;  // epoch
    return r;
  }

  asio::awaitable<void> serve()
  {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    std::vector<std::uint8_t> buffer(1100);
    for (int i = 0; i < 256; ++i) {
      udp::endpoint from;
      auto [ec, n] = co_await socket.async_receive_from(asio::buffer(buffer), from, use_tuple);
      if (ec) co_return;
      const auto reply = answer(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + static_cast<long>(n)));
      co_await socket.async_send_to(asio::buffer(reply), from, use_tuple);
    }
  }
};

config::PortPlan plan()
{
  config::PortPlan p;
  p.ports.push_back({"web-tcp", config::Protocol::tcp, 80, "incoming", "test", "/WebServer/Port", true, true});
  p.ports.push_back({"ed2k-tcp", config::Protocol::tcp, 4662, "incoming", "test", "/eMule/Port", true, true});
  return p;
}

}  // namespace

TEST(PortmapErrorCodes, NatpmpRefusalIsNotAuthorized)
{
  FakeRouter router("127.77.0.1");
  if (!router.bound) GTEST_SKIP() << "cannot bind " << router.address << ":5351";
  router.map_result = 2;  // Not Authorized/Refused
  const AddOutcome add = run(router.io, add_mapping(mapping(Via::natpmp, router.address), 2000ms));
  EXPECT_FALSE(add.ok);
  EXPECT_EQ(add.code, PortmapErrc::not_authorized);
  EXPECT_EQ(add.error.rfind("NAT-PMP: ", 0), 0u) << add.error;

  router.map_result = 4;  // Out of resources
  const DeleteOutcome del = run(router.io, delete_mapping(mapping(Via::natpmp, router.address), 2000ms));
  EXPECT_EQ(del.code, PortmapErrc::out_of_resources);
  EXPECT_FALSE(del.error.empty());
}

TEST(PortmapErrorCodes, PcpAnswers)
{
  FakeRouter router("127.77.0.2");
  if (!router.bound) GTEST_SKIP() << "cannot bind " << router.address << ":5351";
  // A NAT-PMP-only router: PCP is not supported.
  AddOutcome add = run(router.io, add_mapping(mapping(Via::pcp, router.address), 2000ms));
  EXPECT_FALSE(add.ok);
  EXPECT_EQ(add.code, PortmapErrc::not_supported) << add.error;
  // The port is taken: CANNOT_PROVIDE_EXTERNAL.
  router.pcp_result = 11;
  add = run(router.io, add_mapping(mapping(Via::pcp, router.address), 2000ms));
  EXPECT_FALSE(add.ok);
  EXPECT_EQ(add.code, PortmapErrc::conflict) << add.error;
  // Granted: no code.
  router.pcp_result = 0;
  add = run(router.io, add_mapping(mapping(Via::pcp, router.address), 2000ms));
  EXPECT_TRUE(add.ok) << add.error;
  EXPECT_FALSE(add.code);
}

TEST(PortmapErrorCodes, MapPlanSetsACodePerPort)
{
  FakeRouter router("127.77.0.3");
  if (!router.bound) GTEST_SKIP() << "cannot bind " << router.address << ":5351";
  TempDir dir;
  MapperOptions options;
  options.via = Via::natpmp;
  options.timeout = 2000ms;
  options.journal_path = dir.path / "mulenet-mappings.json";
  options.gateway_override = router.address;

  router.map_result = 2;
  MapReport r = run(router.io, map_plan(plan(), options));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.code);
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_EQ(r.outcomes[0].state, MappingState::skipped);
  EXPECT_EQ(r.outcomes[0].code, PortmapErrc::below_1024);
  EXPECT_EQ(r.outcomes[1].state, MappingState::failed);
  EXPECT_EQ(r.outcomes[1].code, PortmapErrc::not_authorized);

  router.map_result = 0;
  r = run(router.io, map_plan(plan(), options));
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_EQ(r.outcomes[1].state, MappingState::mapped);
  EXPECT_FALSE(r.outcomes[1].code) << r.outcomes[1].error;
  const UnmapReport removed = run(router.io, unmap_journal(options));
  ASSERT_EQ(removed.outcomes.size(), 1u);
  EXPECT_TRUE(removed.outcomes[0].error.empty());
  EXPECT_FALSE(removed.outcomes[0].code);

  // Nothing asks for a mapping.
  config::PortPlan off = plan();
  for (auto& p : off.ports) p.upnp = false;
  r = run(router.io, map_plan(off, options));
  EXPECT_EQ(r.code, PortmapErrc::nothing_to_map);
  EXPECT_FALSE(r.error.empty());

  // PCP asked of a NAT-PMP-only router: the choice fails with the answer's code.
  options.via = Via::pcp;
  r = run(router.io, map_plan(plan(), options));
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::not_supported) << r.error;
}

TEST(PortmapErrorCodes, BadGatewayAddress)
{
  TempDir dir;
  MapperOptions options;
  options.via = Via::natpmp;
  options.timeout = 200ms;
  options.journal_path = dir.path / "mulenet-mappings.json";
  options.gateway_override = "router.example";
  asio::io_context io;
  const MapReport r = run(io, map_plan(plan(), options));
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::bad_address) << r.error;
}
