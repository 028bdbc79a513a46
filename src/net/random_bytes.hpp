#pragma once
// Random bytes from the kernel (getrandom(2)), for nonces, salts, tokens and
// new identities. Not OpenSSL's RAND_bytes: its generator lives in OpenSSL
// 3's provider, whose first use costs about 2 MB of resident memory.
#include <cstddef>

namespace mulenet::net {

// Fills `size` bytes at `out`; false (and `out` unspecified) if the kernel's
// generator fails, which a caller reports rather than using weak bytes.
[[nodiscard]] bool random_bytes(void* out, std::size_t size);

}  // namespace mulenet::net
