#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "portmap/router_memory.hpp"

using namespace mulenet::portmap;

namespace {

RouterMemory lab_router()
{
  return RouterMemory{"192.168.77.1", "http://192.168.77.1:5000/rootDesc.xml", "Debian/12 UPnP/1.1 MiniUPnPd/2.3.1"};
}

std::filesystem::path fresh_dir(const char* name)
{
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST(PortmapRouterMemory, RoundTrip)
{
  const auto back = parse_router_memory(serialize_router_memory(lab_router()));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, lab_router());
}

TEST(PortmapRouterMemory, AnythingElseIsNoMemory)
{
  for (const char* text : {"", "not json", "[]", "{}", R"({"version":2,"gateway":"a","upnp_location":"b"})",
                           R"({"version":1,"gateway":"","upnp_location":"http://x/"})",
                           R"({"version":1,"gateway":"192.168.1.1"})",
                           R"({"version":1,"gateway":1,"upnp_location":"http://x/"})",
                           R"({"version":"1","gateway":"192.168.1.1","upnp_location":"http://x/"})"}) {
    EXPECT_FALSE(parse_router_memory(text).has_value()) << text;
  }
  const std::string huge_url = std::string(R"({"version":1,"gateway":"192.168.1.1","upnp_location":")") +
                               std::string(3000, 'a') + "\"}";
  EXPECT_FALSE(parse_router_memory(huge_url).has_value());
}

TEST(PortmapRouterMemory, LivesNextToAmuleConf)
{
  EXPECT_EQ(router_memory_path_for("/home/u/.aMule/amule.conf"), "/home/u/.aMule/mulenet-router.json");
}

TEST(PortmapRouterMemory, RememberedAndRecalled)
{
  const auto dir = fresh_dir("mulenet-router-memory-test");
  const auto path = router_memory_path_for(dir / "amule.conf");
  EXPECT_FALSE(recall_router(path).has_value());  // nothing yet
  std::string error;
  ASSERT_TRUE(remember_router(path, lab_router(), error)) << error;
  EXPECT_EQ(recall_router(path), lab_router());
  std::ofstream(path, std::ios::trunc) << "garbage";
  EXPECT_FALSE(recall_router(path).has_value());  // a damaged file is forgotten, not an error
  std::filesystem::remove_all(dir);
}
