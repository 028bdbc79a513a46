// The daemon's nodes.dat at stop, as aMule writes its own: only with at
// least 25 contacts, and noted in the Kad memory as ours.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kad/checker_memory.hpp"
#include "kad/nodes_dat.hpp"
#include "kad/nodes_dat_save.hpp"

using namespace mulenet::kad;

namespace {

std::vector<RoutingEntry> contacts(std::size_t n)
{
  std::vector<RoutingEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    RoutingEntry e;
    e.contact.id.wire[0] = static_cast<std::uint8_t>(i + 1);
    e.contact.ip = 0x64400001u + static_cast<std::uint32_t>(i << 8);
    e.contact.udp_port = 4672;
    e.contact.tcp_port = 4662;
    e.contact.version = 8;
    e.verified = true;
    out.push_back(e);
  }
  return out;
}

struct Folder {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("mulenet-nodes-save-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Folder()
  {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "amule.conf") << "[eMule]\n";
  }
  ~Folder() { std::filesystem::remove_all(dir); }
};

TEST(KadNodesDatSave, FewerThan25ContactsLeaveTheFileAlone)
{
  Folder f;
  std::ofstream(f.dir / "nodes.dat") << "theirs";
  std::string error;
  EXPECT_EQ(save_nodes_dat_as_amule(f.dir / "amule.conf", contacts(24), std::nullopt, error), NodesDatSave::too_few);
  std::ifstream in(f.dir / "nodes.dat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "theirs");
}

TEST(KadNodesDatSave, TwentyFiveAreWrittenAsVersion2AndNotedAsOurs)
{
  Folder f;
  std::string error;
  ASSERT_EQ(save_nodes_dat_as_amule(f.dir / "amule.conf", contacts(25), std::string("203.0.113.2"), error),
            NodesDatSave::written)
      << error;
  const auto read = read_nodes_dat(f.dir / "nodes.dat");
  ASSERT_TRUE(read) << read.error;
  EXPECT_EQ(read.value->version, 2u);
  EXPECT_EQ(read.value->entries.size(), 25u);
  const auto memory = load_checker_memory(checker_memory_path(f.dir / "amule.conf"));
  EXPECT_EQ(memory.memory.nodes_dat_written, modification_time(f.dir / "nodes.dat"));
}

}  // namespace
