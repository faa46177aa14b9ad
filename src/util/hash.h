// xxh64 helpers. On disk, hashes are stored in xxHash's canonical (big-endian) form.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xxhash.h>

namespace shz {

// xxh64 with seed 0 of data[0..n).
inline uint64_t hash_bytes(const void* data, size_t n) { return XXH64(data, n, 0); }

// Incremental xxh64 (seed 0) for data that arrives in pieces.
class StreamHash {
 public:
  StreamHash() : st_(XXH64_createState()) { XXH64_reset(st_, 0); }
  ~StreamHash() { XXH64_freeState(st_); }
  StreamHash(const StreamHash&) = delete;
  StreamHash& operator=(const StreamHash&) = delete;
  void add(const void* data, size_t n) { XXH64_update(st_, data, n); }
  uint64_t value() const { return XXH64_digest(st_); }

 private:
  XXH64_state_t* st_;
};

}  // namespace shz
