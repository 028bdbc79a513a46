// nodes.dat in every version aMule reads, and our Kad identity
// (preferencesKad.dat, CryptoKadUDPKey in amule.conf).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/config_file.hpp"
#include "kad/kad_prefs.hpp"
#include "kad/nodes_dat.hpp"

using namespace mulenet::kad;
using mulenet::ed2k::Bytes;
using mulenet::ed2k::WireWriter;

namespace {

Bytes fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/kad/" + name, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TempDir {
  std::filesystem::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/mulenet-kad-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

Contact contact(std::uint8_t n, std::uint8_t version = 8)
{
  Contact c;
  c.id.wire.fill(n);
  c.ip = 0x64400001u + n;
  c.udp_port = 4672;
  c.tcp_port = 4662;
  c.version = version;
  return c;
}

}  // namespace

TEST(NodesDat, TheLabsFileThatAmuledReads)
{
  const auto dat = parse_nodes_dat(fixture("lab-kad1-nodes.dat"));
  ASSERT_TRUE(dat) << dat.error;
  EXPECT_EQ(dat.value->version, 2u);
  ASSERT_EQ(dat.value->entries.size(), 5u);
  for (const auto& e : dat.value->entries) {
    EXPECT_EQ(e.contact.udp_port, 4672);
    EXPECT_EQ(e.contact.version, 8);
    EXPECT_TRUE(e.verified);
    EXPECT_EQ(kad_ip_text(e.contact.ip).rfind("100.64.", 0), 0u) << kad_ip_text(e.contact.ip);
  }
  EXPECT_EQ(serialize_nodes_dat(dat.value->entries), fixture("lab-kad1-nodes.dat"));
}

TEST(NodesDat, EveryVersion)
{
  WireWriter v1;
  v1.u32(0);
  v1.u32(1);
  v1.u32(2);
  write_contact(v1, contact(1));
  write_contact(v1, contact(2, 1));  // a Kad1 contact: left out
  const auto d1 = parse_nodes_dat(v1.data());
  ASSERT_TRUE(d1) << d1.error;
  EXPECT_EQ(d1.value->entries.size(), 1u);
  EXPECT_EQ(d1.value->skipped_old, 1u);

  WireWriter v3;  // edition 1: a bootstrap list whose records fill the file exactly
  v3.u32(0);
  v3.u32(3);
  v3.u32(1);
  v3.u32(1);
  write_contact(v3, contact(3));
  const auto d3 = parse_nodes_dat(v3.data());
  ASSERT_TRUE(d3) << d3.error;
  EXPECT_TRUE(d3.value->bootstrap);
  Bytes longer = v3.data();
  longer.push_back(0);
  EXPECT_FALSE(parse_nodes_dat(longer));

  WireWriter v0;  // version 0: refused like aMule 2.3.3
  v0.u32(1);
  write_contact(v0, contact(4));
  const auto d0 = parse_nodes_dat(v0.data());
  EXPECT_FALSE(d0);
  EXPECT_NE(d0.error.find("too old"), std::string::npos);

  EXPECT_FALSE(parse_nodes_dat(Bytes{0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0}));  // version 9
  EXPECT_FALSE(parse_nodes_dat(Bytes{0, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 0, 0}));  // more than it holds
}

TEST(NodesDat, WritesVersionTwoAtMostTwoHundred)
{
  std::vector<NodesDatEntry> many(250, NodesDatEntry{contact(5), 7, 8, true});
  const auto back = parse_nodes_dat(serialize_nodes_dat(many));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value->entries.size(), kNodesDatWriteLimit);
  EXPECT_EQ(back.value->entries[0].udp_key, 7u);
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_nodes_dat(dir.path / "nodes.dat", many, error)) << error;
  EXPECT_TRUE(read_nodes_dat(dir.path / "nodes.dat"));
  EXPECT_FALSE(read_nodes_dat(dir.path / "absent.dat"));
}

TEST(KadIdentity, TheLabsNodeIdFile)
{
  const auto p = parse_preferences_kad(fixture("lab-kad1-preferencesKad.dat"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id.hex(), "4542D8EED795CA7BB80FC9DFEA47FCB0");
  EXPECT_EQ(serialize_preferences_kad(*p), fixture("lab-kad1-preferencesKad.dat"));
  EXPECT_FALSE(parse_preferences_kad(Bytes(23, 0)));  // a zero ID is no ID
}

TEST(KadIdentity, MadeOnceThenKeptAndTheKeyGoesToAmuleConf)
{
  TempDir dir;
  const auto conf = dir.path / "amule.conf";
  std::ofstream(conf) << "[eMule]\nPort=4662\n";
  const KadIdentity first = load_or_create_identity(conf);
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_TRUE(first.created_id);
  EXPECT_TRUE(first.created_key);
  EXPECT_NE(first.udp_key, 0u);
  const KadIdentity second = load_or_create_identity(conf);
  EXPECT_FALSE(second.created_id);
  EXPECT_FALSE(second.created_key);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.udp_key, first.udp_key);
  std::ifstream in(conf);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[Obfuscation]"), std::string::npos);
  EXPECT_NE(text.find("CryptoKadUDPKey=" + std::to_string(first.udp_key)), std::string::npos);
  EXPECT_NE(text.find("Port=4662"), std::string::npos);  // the rest kept
}

TEST(KadIdentity, AmulesOwnKeyIsUsed)
{
  TempDir dir;
  const auto conf = dir.path / "amule.conf";
  std::ofstream(conf) << "[Obfuscation]\nCryptoKadUDPKey=72625551\n";
  const KadIdentity k = load_or_create_identity(conf);
  EXPECT_EQ(k.udp_key, 72625551u);
  EXPECT_FALSE(k.created_key);
}
