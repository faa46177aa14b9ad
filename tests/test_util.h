// Helpers shared by the tests: a seeded PRNG, pmfs of chosen shapes and access to the
// bundled corpora.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "shz/model.h"
#include "shz/shz.h"

namespace shz::test {

// The library's defaults are the CLI's (the SHA-RNN at level 6); most tests want the quick
// classical model in the formats before context mixing, and say where they want otherwise.
inline CompressOptions order2_options() {
  CompressOptions o;
  o.model = "order2";
  o.level = 0;
  return o;
}

// The engine tuning this run of the tests was started with (SHZ_SIMD, SHZ_BATCH, ...: the
// simd_* ctest entries set them), read in tests/main.cpp; tests that run the SHA-RNN pass it
// to what they make.
EngineTuning& tuning();

// That tuning with this SIMD level and batch.
inline EngineTuning tuning_with(const std::string& simd, size_t batch) {
  EngineTuning t = tuning();
  t.simd = simd;
  t.batch = batch;
  return t;
}

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

// A valid pmf for total 2^bits of a given shape: 0 flat, 1 nearly all on `peak`, 2 nearly
// nothing on it (all but 255 on the byte after it), 3 random (its remainder on that byte).
inline void pmf_make(uint32_t* f, int bits, int shape, uint8_t peak, Rng& rng) {
  const uint32_t total = uint32_t(1) << bits;
  uint64_t sum = 0;
  for (int s = 0; s < 256; ++s) {
    f[s] = shape == 3 ? 1 + rng.below(total / 512) : 1;
    sum += f[s];
  }
  const uint32_t left = total - uint32_t(sum);
  if (shape == 0) {
    for (int s = 0; s < 256; ++s) f[s] += left / 256;
    f[0] += left % 256;
  } else if (shape == 1) {
    f[peak] += left;
  } else {
    f[uint8_t(peak + 1)] += left;
  }
}

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
