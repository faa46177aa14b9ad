// The match model alone: every pmf it refines stays valid whatever the model gave it, it
// changes nothing without a match, and it makes a repeat cheap.
#include <catch2/catch.hpp>

#include <cmath>

#include "coder/pmf_coding.h"
#include "model/stages/match_model.h"
#include "model/sharnn/kernels.h"
#include "test_util.h"

using namespace shz;

// The AVX2 loop when this run's SIMD level (SHZ_SIMD: the simd_* ctest entries) has it.
static bool avx2_in_use() { return sharnn::simd_parse(test::tuning().simd) >= sharnn::SimdLevel::kAvx2; }

TEST_CASE("match model: refined pmfs are valid for any model pmf", "[match]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 6000);
  test::Rng rng(7);
  for (int bits : {12, 16, 20, 24}) {
    for (int shape = 0; shape < 4; ++shape) {
      INFO("bits " << bits << " shape " << shape);
      MatchModel m;
      m.reset(text.size(), avx2_in_use());
      uint32_t f[256];
      size_t refined = 0, bad = 0;
      for (size_t t = 0; t < text.size(); ++t) {
        // The byte a match would predict is unknown here, so peak on the true byte: the
        // match is right most of the time in KJV, and the other shapes cover the rest.
        test::pmf_make(f, bits, shape, text[t], rng);
        uint32_t before[256];
        std::copy(f, f + 256, before);
        m.refine(text.data(), f, bits);
        if (!std::equal(f, f + 256, before)) ++refined;
        if (!pmf_valid(f, bits)) ++bad;
        m.update(text.data(), t);
      }
      CHECK(bad == 0);
      CHECK(refined > text.size() / 10);  // KJV repeats itself: matches are frequent
    }
  }
}

TEST_CASE("match model: no match, no change; small pmfs are left alone", "[match]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 3000);
  test::Rng rng(3);
  uint32_t f[256], before[256];
  MatchModel m;
  m.reset(text.size(), avx2_in_use());
  for (size_t t = 0; t < MatchModel::kShortLen; ++t) {  // too few bytes for any match
    test::pmf_make(f, 16, 3, 0, rng);
    std::copy(f, f + 256, before);
    m.refine(text.data(), f, 16);
    CHECK(std::equal(f, f + 256, before));
    m.update(text.data(), t);
  }
  MatchModel small;
  small.reset(text.size(), avx2_in_use());
  for (size_t t = 0; t < text.size(); ++t) {
    test::pmf_make(f, 11, 0, 0, rng);
    std::copy(f, f + 256, before);
    small.refine(text.data(), f, 11);  // under kMinPmfBits: never touched
    CHECK(std::equal(f, f + 256, before));
    small.update(text.data(), t);
  }
}

TEST_CASE("match model: a repeat beyond any short context becomes cheap", "[match]") {
  // 3000 bytes of KJV, then the first 2000 again: under a flat model (8 bits a byte) the
  // repeat costs what the match model learns it is worth.
  auto text = test::corpus("kjv-pentateuch.txt", 3000);
  text.insert(text.end(), text.begin(), text.begin() + 2000);
  MatchModel m;
  m.reset(text.size(), avx2_in_use());
  test::Rng rng(1);
  double first = 0, repeat = 0;
  uint32_t f[256];
  for (size_t t = 0; t < text.size(); ++t) {
    test::pmf_make(f, 16, 0, 0, rng);
    m.refine(text.data(), f, 16);
    (t < 3000 ? first : repeat) += -std::log2(f[text[t]] / 65536.0);
    m.update(text.data(), t);
  }
  CHECK(first / 3000 > 3.0);    // KJV's own repeats help already
  CHECK(repeat / 2000 < 0.5);   // the repeat: a small fraction of a bit per byte
}

namespace {

// docs/FORMAT.md's "Match model (method 3)", read literally and written independently of
// model/stages/match_model.cpp (plain loops, no shared helpers), so the spec is checked, not just
// the code against itself.
struct SpecMatcher {
  static constexpr uint32_t SQ[33] = {22,    36,    60,    98,    162,   267,   439,   720,   1179,
                                      1921,  3108,  4971,  7812,  11955, 17625, 24743, 32768, 40793,
                                      47911, 53581, 57724, 60565, 62428, 63615, 64357, 64816, 65097,
                                      65269, 65374, 65438, 65476, 65500, 65514};
  int m;
  int B = 10;
  std::vector<uint32_t> table;
  uint64_t p = 0, n = 0;
  bool R = false;
  uint32_t APM[12][33];
  uint32_t seen[12];
  bool refined = false;
  uint32_t e = 0, c = 0, k = 0, w = 0;

  static uint32_t squash(int v) {
    const int u = v + 2048, j = u >> 7, ww = u & 127;
    return (SQ[j] * uint32_t(128 - ww) + SQ[j + 1] * uint32_t(ww)) >> 7;
  }
  static int ST(uint32_t i) {
    for (int v = -2048; v <= 2047; ++v)
      if (squash(v) >= 16 * i + 8) return v;
    return 2047;
  }
  explicit SpecMatcher(int len, uint64_t L) : m(len) {
    while (B < 16 && (uint64_t(1) << B) < L) ++B;
    table.assign(size_t(1) << B, 0);
    for (auto& row : APM)
      for (int j = 0; j < 33; ++j) row[j] = SQ[j];
    for (auto& s : seen) s = 0;
  }
  void refine(const uint8_t* x, uint32_t* f, int b) {
    refined = false;
    if (!(n > 0 || R)) return;
    const uint32_t T = uint32_t(1) << b;
    e = x[p];
    uint32_t q = b >= 16 ? f[e] >> (b - 16) : f[e] << (16 - b);
    q = std::min<uint32_t>(std::max<uint32_t>(q, 1), 65535);
    const uint32_t u = uint32_t(ST(q >> 4) + 2048);
    c = R ? 1 : uint32_t(std::min<uint64_t>(n, 11));
    k = u >> 7;
    w = u & 127;
    uint32_t P = (APM[c][k] * (128 - w) + APM[c][k + 1] * w) >> 7;
    P = std::min<uint32_t>(std::max<uint32_t>(P, 32), 65504);
    uint32_t g = b >= 16 ? P << (b - 16) : P >> (16 - b);
    g = std::min<uint32_t>(std::max<uint32_t>(g, 256), T - 256);
    const uint64_t s = (uint64_t(T - g) << 32) / (T - f[e]);
    uint32_t others = 0;
    for (uint32_t i = 0; i < 256; ++i)
      if (i != e) {
        f[i] = std::max<uint32_t>(1, uint32_t((uint64_t(f[i]) * s) >> 32));
        others += f[i];
      }
    f[e] = T - others;
    refined = true;
  }
  void learn(const uint8_t* x, uint64_t t) {
    if (refined) {  // 1.
      const bool y = x[t] == e;
      const uint64_t r = std::max<uint64_t>(4096, 131072 / (2 * seen[c] + 3));
      for (int side = 0; side < 2; ++side) {
        uint32_t& A = APM[c][k + side];
        const uint64_t v = side == 0 ? 128 - w : w;
        A = y ? uint32_t(A + (((65535 - A) * v * r) >> 23)) : uint32_t(A - ((A * v * r) >> 23));
      }
      seen[c] = std::min<uint32_t>(seen[c] + 1, 255);
    }
    if (n > 0 || R) {  // 2.
      if (x[p] == x[t]) {
        n = R ? 1 : n + 1;
        R = false;
        p = p + 1;
      } else if (!R && n >= 6) {
        R = true;
        n = 0;
        p = p + 1;
      } else {
        n = 0;
        R = false;
      }
    }
    if (t + 1 >= uint64_t(m)) {  // 3.
      uint32_t h = 0;
      for (int j = 0; j < m; ++j) h = (h ^ x[t - uint64_t(j)]) * 0x9E3779B1u;
      const uint32_t i = h >> (32 - B), a = table[i];
      if (n == 0 && a != 0) {
        uint64_t l = 0;
        while (l < 32 && l < a && x[a - 1 - l] == x[t - l]) ++l;
        if (l >= uint64_t(m)) {
          n = l;
          p = a;
          R = false;
        }
      }
      table[i] = uint32_t(t + 1);
    }
  }
};

}  // namespace

// Each SIMD level this CPU has, with each of `bits`.
std::vector<std::pair<sharnn::SimdLevel, int>> simd_levels_by(std::initializer_list<int> bits) {
  std::vector<std::pair<sharnn::SimdLevel, int>> v;
  for (sharnn::SimdLevel level : sharnn::simd_available())
    for (int b : bits) v.emplace_back(level, b);
  return v;
}

TEST_CASE("match model: the code does exactly what docs/FORMAT.md says", "[match]") {
  // Real text with repeats near and far, at each pmf width the spec distinguishes.
  auto text = test::corpus("kjv-pentateuch.txt", 12000);
  text.insert(text.end(), text.begin() + 100, text.begin() + 3000);
  // At every SIMD level this CPU has: the pmf's scaling loop has an AVX2 build.
  for (const auto& [level, bits] : simd_levels_by({12, 16, 20})) {
    test::Rng rng(11);
    INFO("bits " << bits << " simd " << sharnn::simd_name(level));
    MatchModel code;
    code.reset(text.size(), level >= sharnn::SimdLevel::kAvx2);
    SpecMatcher m4(4, text.size()), m8(8, text.size());
    size_t differ = 0, changed = 0;
    for (size_t t = 0; t < text.size(); ++t) {
      uint32_t a[256], b[256];
      test::pmf_make(a, bits, int(t % 4), text[t], rng);
      std::copy(a, a + 256, b);
      code.refine(text.data(), a, bits);
      m4.refine(text.data(), b, bits);
      m8.refine(text.data(), b, bits);
      differ += !std::equal(a, a + 256, b);
      changed += m4.refined || m8.refined;
      code.update(text.data(), t);
      m4.learn(text.data(), t);
      m8.learn(text.data(), t);
    }
    CHECK(differ == 0);
    CHECK(changed > text.size() / 2);
  }
}
