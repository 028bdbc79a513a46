#pragma once
// MD5, as eD2k, Kad's obfuscation and aMule's EC and web passwords use it.
// OpenSSL's one-shot MD5(), not EVP_Digest: EVP fetches the algorithm from
// OpenSSL 3's provider, whose first use builds its tables (about 2 MB more
// resident memory in a daemon that hashes a few short strings).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mulenet::net {

[[nodiscard]] std::array<std::uint8_t, 16> md5(const void* data, std::size_t size);
[[nodiscard]] std::array<std::uint8_t, 16> md5(std::string_view text);
// 32 lowercase hex digits, as amule.conf stores its passwords.
[[nodiscard]] std::string md5_hex(std::string_view text);

}  // namespace mulenet::net
