#include "config/config_file.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/ini_text_check.hpp"

namespace mulenet::config {
namespace {

constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;

std::string describe(const std::filesystem::path& path, const char* what, int err)
{
  return std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(err);
}

}  // namespace

std::filesystem::path default_config_path()
{
  std::string home;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    home = h;
  } else if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    home = pw->pw_dir;
  } else {
    home = ".";
  }
  return std::filesystem::path(home) / ".aMule" / "amule.conf";
}

std::optional<LoadedFile> read_config_file(const std::filesystem::path& path, FileError& error)
{
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return LoadedFile{};
  if (ec) {
    error.message = "cannot read " + path.string() + ": " + ec.message();
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(status)) {
    error.message = path.string() + " is not a regular file; --config must name the amule.conf file itself";
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxConfigBytes) {
    error.message = path.string() + " is " + std::to_string(size) +
                    " bytes, too large to be an amule.conf (limit 16 MiB)";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error.message = describe(path, "read", errno);
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  if (const auto bad = check_ini_text(bytes)) {
    error.message = path.string() + " is not an amule.conf: line " + std::to_string(bad->line) + ": " + bad->why +
                    ". Give --config the amule.conf file (aMule keeps it in ~/.aMule/), or move this one away and "
                    "let aMule write a new one";
    return std::nullopt;
  }
  return LoadedFile{IniDocument::parse(bytes), true};
}

bool write_file_atomically(const std::filesystem::path& link_or_file, const std::string& bytes,
                                  FileError& error)
{
  // Through a symlink, replace the file it points to and keep the link.
  std::error_code link_ec;
  const std::filesystem::path path = std::filesystem::is_symlink(link_or_file, link_ec)
                                         ? std::filesystem::weakly_canonical(link_or_file, link_ec)
                                         : link_or_file;
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      error.message = "cannot create the directory " + dir.string() + ": " + ec.message();
      return false;
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  std::string tmp_name = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp_name.data());  // created with mode 0600
  if (fd < 0) {
    error.message = describe(dir, "create a temporary file in", errno);
    return false;
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error.message = describe(tmp_name, "write", errno);
      ::close(fd);
      ::unlink(tmp_name.c_str());
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ::fsync(fd) != 0) {
    error.message = describe(tmp_name, "finish", errno);
    ::close(fd);
    ::unlink(tmp_name.c_str());
    return false;
  }
  ::close(fd);
  if (::rename(tmp_name.c_str(), path.c_str()) != 0) {
    error.message = describe(path, "replace", errno);
    ::unlink(tmp_name.c_str());
    return false;
  }
  // Make the rename itself durable.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace mulenet::config
