// server.met and preferences.dat, against the files amuled 2.3.3 wrote
// (tests/fixtures/ed2k/) and hostile variants.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ed2k/server_met.hpp"
#include "ed2k/user_hash.hpp"

using namespace mulenet::ed2k;

namespace {

Bytes fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/ed2k/" + name, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TempDir {
  std::filesystem::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/mulenet-ed2k-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(ServerMet, ReadsWhatAmuledWrote)
{
  const Bytes file = fixture("amuled-2.3.3-server.met");
  ASSERT_FALSE(file.empty());
  const auto met = parse_server_met(file);
  ASSERT_TRUE(met) << met.error;
  ASSERT_EQ(met.value->servers.size(), 2u);
  const ServerMetEntry& one = met.value->servers[0];
  EXPECT_EQ(one.address(), "198.51.100.77:4661");
  EXPECT_EQ(one.name(), "Lab Server One");
  const Tag* pref = find_tag(one.tags, 0x0E);
  ASSERT_NE(pref, nullptr);
  EXPECT_EQ(pref->integer, 1u);  // the priority of staticservers.dat
  ASSERT_NE(find_tag(one.tags, "users"), nullptr);
  EXPECT_EQ(met.value->servers[1].address(), "198.51.100.78:4242");
  EXPECT_EQ(met.value->servers[1].name(), "Second");
}

TEST(ServerMet, WritesItBackByteForByte)
{
  const Bytes file = fixture("amuled-2.3.3-server.met");
  const auto met = parse_server_met(file);
  ASSERT_TRUE(met);
  EXPECT_EQ(serialize_server_met(*met.value), file);
}

TEST(ServerMet, HostileFilesFailWithAReason)
{
  EXPECT_FALSE(parse_server_met(Bytes{}));
  const auto wrong = parse_server_met(Bytes{'P', 'K', 3, 4});
  EXPECT_FALSE(wrong);
  EXPECT_NE(wrong.error.find("0x50"), std::string::npos);
  const auto huge = parse_server_met(Bytes{0xE0, 0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_FALSE(huge);
  EXPECT_NE(huge.error.find("announces"), std::string::npos);
  Bytes cut = fixture("amuled-2.3.3-server.met");
  for (std::size_t n = 1; n < cut.size(); n += 7) {
    EXPECT_FALSE(parse_server_met(ByteView(cut).first(n))) << n;
  }
  Bytes bad_tag = fixture("amuled-2.3.3-server.met");
  bad_tag[5 + 10] = 0x0C;  // the first tag's type: unknown
  const auto t = parse_server_met(bad_tag);
  EXPECT_FALSE(t);
  EXPECT_NE(t.error.find("server 1 (198.51.100.77:4661)"), std::string::npos) << t.error;
}

TEST(ServerMet, OldHeaderIsReadNewOneWritten)
{
  ServerMet met;
  met.servers.push_back({ed2k_order({10, 1, 2, 3}), 4661, {Tag::make_string(0x01, "x")}});
  Bytes bytes = serialize_server_met(met);
  EXPECT_EQ(bytes[0], 0xE0);
  bytes[0] = 0x0E;
  const auto back = parse_server_met(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value->servers[0].address(), "10.1.2.3:4661");
}

TEST(ServerMet, FileRoundTripAndAbsentFile)
{
  TempDir dir;
  const auto path = dir.path / "server.met";
  const auto absent = read_server_met(path);
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent.value->servers.empty());
  ServerMet met;
  met.servers.push_back({ed2k_order({203, 0, 113, 10}), 4661, {Tag::make_string(0x01, "lab")}});
  std::string error;
  ASSERT_TRUE(write_server_met(path, met, error)) << error;
  const auto back = read_server_met(path);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->servers[0].name(), "lab");
  std::ofstream(path, std::ios::binary) << "garbage";
  const auto bad = read_server_met(path);
  EXPECT_FALSE(bad);
  EXPECT_NE(bad.error.find(path.string()), std::string::npos);
}

TEST(UserHash, ReadsAmuledsFileAndMarksIt)
{
  const Bytes file = fixture("amuled-2.3.3-preferences.dat");
  ASSERT_EQ(file.size(), 17u);
  const auto hash = parse_preferences(file);
  ASSERT_TRUE(hash);
  EXPECT_EQ((*hash)[5], 14);
  EXPECT_EQ((*hash)[14], 111);
  EXPECT_EQ((*hash)[0], file[1]);
  EXPECT_EQ((*hash)[15], file[16]);
  EXPECT_FALSE(parse_preferences(ByteView(file).first(16)));
  EXPECT_FALSE(parse_preferences(Bytes(17, 0)));
}

TEST(UserHash, MadeOnceThenKept)
{
  TempDir dir;
  const auto conf = dir.path / "amule.conf";
  const UserHash first = load_or_create_user_hash(conf);
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.hash[5], 14);
  EXPECT_EQ(std::filesystem::file_size(dir.path / "preferences.dat"), 17u);
  const UserHash second = load_or_create_user_hash(conf);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.hash, first.hash);
  EXPECT_EQ(hash_hex(second.hash).size(), 32u);
}

TEST(UserHash, AnAllZeroFileGetsANewHash)
{
  TempDir dir;
  const Bytes zeros(17, 0);
  std::ofstream(dir.path / "preferences.dat", std::ios::binary)
      .write(reinterpret_cast<const char*>(zeros.data()), 17);
  const UserHash h = load_or_create_user_hash(dir.path / "amule.conf");
  EXPECT_TRUE(h.created);
  EXPECT_TRUE(parse_preferences(fixture("amuled-2.3.3-preferences.dat")));
}
