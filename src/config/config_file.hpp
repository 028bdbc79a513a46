#pragma once
// Reading and writing amule.conf on disk. Writes are atomic (a temporary file
// in the same directory, fsync, rename) and leave the file with mode 0600,
// because aMule stores the proxy password in clear.
#include <filesystem>
#include <optional>
#include <string>

#include "config/ini_document.hpp"

namespace mulenet::config {

// ~/.aMule/amule.conf ($HOME; falls back to the passwd entry).
[[nodiscard]] std::filesystem::path default_config_path();

struct LoadedFile {
  IniDocument doc;
  bool exists = false;  // false: the file is absent and every key takes its default
};

struct FileError {
  std::string message;  // names the file and the cause
};

// Absent file: an empty document (not an error). Unreadable or not a regular
// file, larger than 16 MiB, or not an INI text (ini_text_check.hpp): an error.
[[nodiscard]] std::optional<LoadedFile> read_config_file(const std::filesystem::path& path, FileError& error);

// Writes `bytes` to `path` atomically with mode 0600 (amule.conf, the mapping
// journal: both hold what others must not read or half-read), creating the directory
// (mode 0700) when needed.
[[nodiscard]] bool write_file_atomically(const std::filesystem::path& path, const std::string& bytes,
                                                FileError& error);

}  // namespace mulenet::config
