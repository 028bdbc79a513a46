#pragma once
// What the last run learned about the router, kept to skip the slow part of
// the next one: the UPnP description URL that SSDP found (a router takes
// 50-70 ms to answer a search; its description, once known, answers in 1-2 ms).
// A hint only, never trusted as it is: it is used when the gateway is the
// same, its URL passes the URL guard again, and the description it serves
// still has a WAN service; otherwise SSDP runs as before and the memory is
// rewritten. Kept in <dir of amule.conf>/mulenet-router.json.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::portmap {

struct RouterMemory {
  std::string gateway;        // the default gateway it was learned behind
  std::string upnp_location;  // the description URL
  std::string upnp_server;    // the SSDP SERVER header, shown as the router's name

  bool operator==(const RouterMemory&) const = default;
};

[[nodiscard]] std::filesystem::path router_memory_path_for(const std::filesystem::path& config_path);

[[nodiscard]] std::string serialize_router_memory(const RouterMemory& memory);
// nullopt for anything that is not a memory written by us (never throws).
[[nodiscard]] std::optional<RouterMemory> parse_router_memory(std::string_view text);

// An absent, unreadable or malformed file is no memory.
[[nodiscard]] std::optional<RouterMemory> recall_router(const std::filesystem::path& path);
// Writes it (the caller compares with what it recalled: no second read);
// false (and why) when it could not be written, which costs the next run its
// shortcut, nothing else.
bool remember_router(const std::filesystem::path& path, const RouterMemory& memory, std::string& error);

}  // namespace mulenet::portmap
