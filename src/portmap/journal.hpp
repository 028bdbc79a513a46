#pragma once
// The mapping journal: a file next to amule.conf listing every mapping we
// created and have not yet removed. Written before a mapping is requested
// (so that even a crash in the middle leaves a trace) and after each change;
// at the next start, whatever it lists is removed from the router first.
// Nothing else ever deletes router mappings: we only clean up our own.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "portmap/mapping.hpp"

namespace mulenet::portmap {

struct Journal {
  std::vector<Mapping> mappings;
};

// <dir of amule.conf>/mulenet-mappings.json
[[nodiscard]] std::filesystem::path journal_path_for(const std::filesystem::path& config_path);

[[nodiscard]] std::string serialize_journal(const Journal& journal);
// Malformed entries are skipped and reported in `warnings`; never throws.
[[nodiscard]] Journal parse_journal(std::string_view text, std::vector<std::string>& warnings);

// An absent file is an empty journal. Errors name the file.
[[nodiscard]] std::optional<Journal> read_journal(const std::filesystem::path& path, std::string& error,
                                                  std::vector<std::string>& warnings);
// Atomic, mode 0600; an empty journal removes the file.
[[nodiscard]] bool write_journal(const std::filesystem::path& path, const Journal& journal, std::string& error);

}  // namespace mulenet::portmap
