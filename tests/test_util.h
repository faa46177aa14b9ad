// Helpers shared by the tests: a seeded PRNG and access to the bundled corpora.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace shz::test {

// splitmix64: tiny, seeded, identical everywhere.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
};

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// A bundled real corpus file (corpora/README.md), optionally cut to `limit` bytes.
inline std::vector<uint8_t> corpus(const std::string& name, size_t limit = SIZE_MAX) {
  // SHZ_SOURCE_DIR in the environment wins: tests built here may run from another checkout
  // (tools/device-check runs them on a GPU machine).
  const char* root = std::getenv("SHZ_SOURCE_DIR");
  std::vector<uint8_t> d = read_file(std::string(root ? root : SHZ_SOURCE_DIR) + "/corpora/" + name);
  if (d.size() > limit) d.resize(limit);
  return d;
}

inline std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  Rng r(seed);
  std::vector<uint8_t> d(n);
  for (auto& b : d) b = uint8_t(r.next());
  return d;
}

}  // namespace shz::test
