#pragma once
// Reads small kernel-provided text files (/proc/...). Their reported size is
// 0, so they are read until EOF, but never more than the caller's limit: a
// bad or hostile file cannot make us allocate without bound.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace mulenet::net {

// The first max_bytes bytes of the file, or nullopt if it cannot be opened
// or read. Opens non-blocking, so a FIFO in its place cannot hang us.
[[nodiscard]] std::optional<std::string> read_text_file(const std::filesystem::path& path,
                                                        std::size_t max_bytes);

}  // namespace mulenet::net
