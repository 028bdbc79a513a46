#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "portmap/journal.hpp"

using namespace mulenet;
using namespace mulenet::portmap;

namespace {

Mapping sample(Via via, config::Protocol protocol, std::uint16_t port)
{
  Mapping m;
  m.via = via;
  m.protocol = protocol;
  m.internal_port = port;
  m.external_port = port;
  m.internal_client = "192.168.77.10";
  m.gateway = "192.168.77.1";
  m.lease_seconds = 3600;
  m.name = "ed2k-tcp";
  m.pcp_nonce_hex = via == Via::pcp ? "00112233445566778899aabb" : "";
  m.upnp_control_url = via == Via::upnp ? "http://192.168.77.1:5000/ctl/IPConn" : "";
  m.upnp_service_type = via == Via::upnp ? "urn:schemas-upnp-org:service:WANIPConnection:2" : "";
  return m;
}

}  // namespace

TEST(PortmapJournal, RoundTrip)
{
  Journal j{{sample(Via::upnp, config::Protocol::tcp, 4662), sample(Via::pcp, config::Protocol::udp, 4672),
             sample(Via::natpmp, config::Protocol::udp, 4665)}};
  std::vector<std::string> warnings;
  const Journal back = parse_journal(serialize_journal(j), warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(back.mappings.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(same_mapping(back.mappings[i], j.mappings[i]));
    EXPECT_EQ(back.mappings[i].pcp_nonce_hex, j.mappings[i].pcp_nonce_hex);
    EXPECT_EQ(back.mappings[i].upnp_control_url, j.mappings[i].upnp_control_url);
    EXPECT_EQ(back.mappings[i].lease_seconds, 3600u);
  }
}

TEST(PortmapJournal, DamagedFilesNeverThrow)
{
  std::vector<std::string> warnings;
  EXPECT_TRUE(parse_journal("", warnings).mappings.empty());
  EXPECT_TRUE(parse_journal("{\"mappings\": 5}", warnings).mappings.empty());
  EXPECT_TRUE(parse_journal(std::string(100, '['), warnings).mappings.empty());
  warnings.clear();
  const Journal j = parse_journal(
      R"({"version":1,"mappings":[{"via":"pcp","protocol":"udp","internal_port":4672,"external_port":4672},)"
      R"({"via":"carrier-pigeon","protocol":"udp","internal_port":1,"external_port":1},)"
      R"({"via":"upnp","protocol":"tcp","internal_port":70000,"external_port":1}, 7]})",
      warnings);
  EXPECT_EQ(j.mappings.size(), 1u);
  EXPECT_EQ(warnings.size(), 3u);
}

TEST(PortmapJournal, FileIsPrivateAndRemovedWhenEmpty)
{
  const auto dir = std::filesystem::temp_directory_path() / ("mulenet-journal-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = journal_path_for(dir / "amule.conf");
  EXPECT_EQ(path.filename(), "mulenet-mappings.json");
  std::string error;
  ASSERT_TRUE(write_journal(path, Journal{{sample(Via::natpmp, config::Protocol::tcp, 4662)}}, error)) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::vector<std::string> warnings;
  auto back = read_journal(path, error, warnings);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->mappings.size(), 1u);
  ASSERT_TRUE(write_journal(path, Journal{}, error));
  EXPECT_FALSE(std::filesystem::exists(path));
  back = read_journal(path, error, warnings);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->mappings.empty());
  std::filesystem::remove_all(dir);
}
