// Every SIMD kernel equals the scalar reference exactly, on awkward shapes and extreme values;
// the element-level integer operations hold their documented properties.
#include <catch2/catch.hpp>
#include <vector>

#include "model/sharnn/kernels.h"
#include "engine_fixture.h"
#include "model/sharnn/sharnn_ops.h"
#include "test_util.h"

using namespace shz;
using namespace shz::sharnn;
using shz::test::random_linear;

TEST_CASE("kernels: matmul on every SIMD level equals the scalar reference", "[kernels]") {
  test::Rng rng(11);
  const std::vector<std::pair<int, int>> shapes = {{1, 4}, {7, 33}, {16, 64}, {17, 5}, {40, 256}, {96, 100}, {200, 72}, {1024, 256}};
  for (SimdLevel level : simd_available()) {
    for (auto [rows, cols] : shapes)
      for (int k : {1, 2, 5, 6, 7, 13}) {
        for (bool extreme : {false, true}) {
          const QLinear q = random_linear(rows, cols, rng, extreme);
          std::vector<int8_t> x(size_t(k) * size_t(cols));
          for (auto& v : x) v = extreme ? int8_t(rng.below(2) ? 127 : -127) : int8_t(int(rng.below(255)) - 127);
          std::vector<int32_t> ref(size_t(k) * size_t(rows)), got(ref.size(), -1);
          matmul(matrix_pack(q, SimdLevel::kScalar), x.data(), k, ref.data());
          matmul(matrix_pack(q, level), x.data(), k, got.data());
          INFO(simd_name(level) << " rows " << rows << " cols " << cols << " k " << k << " extreme " << extreme);
          REQUIRE(got == ref);
        }
      }
  }
}

TEST_CASE("kernels: attention scores and mix on every SIMD level equal the reference", "[kernels]") {
  test::Rng rng(12);
  for (SimdLevel level : simd_available())
    for (int d : {16, 48, 208, 256, 1024})
      for (int n : {1, 2, 31, 300}) {
        for (bool extreme : {false, true}) {
          std::vector<int16_t> q(static_cast<size_t>(d));
          std::vector<int8_t> mem(size_t(n) * size_t(d));
          for (auto& v : q) v = extreme ? int16_t(rng.below(2) ? 32767 : -32767) : int16_t(int(rng.below(65535)) - 32767);
          for (auto& v : mem) v = extreme ? int8_t(rng.below(2) ? 127 : -127) : int8_t(int(rng.below(255)) - 127);
          // A window larger than n, written in scrambled order, as a ring is.
          AttnMemory ref_mem, got_mem;
          attn_memory_init(ref_mem, SimdLevel::kScalar, n + 5, d);
          attn_memory_init(got_mem, level, n + 5, d);
          // Stale rows beyond n (a ring being refilled) must not reach the results.
          std::vector<int8_t> stale(static_cast<size_t>(d));
          for (auto& v : stale) v = int8_t(int(rng.below(255)) - 127);
          for (int j = n; j < n + 5; ++j) {
            attn_memory_write(ref_mem, j, stale.data());
            attn_memory_write(got_mem, j, stale.data());
          }
          for (int j = n - 1; j >= 0; --j) {
            attn_memory_write(ref_mem, j, &mem[size_t(j) * size_t(d)]);
            attn_memory_write(got_mem, j, &mem[size_t(j) * size_t(d)]);
          }
          std::vector<int64_t> s_ref(static_cast<size_t>(n)), s_got(static_cast<size_t>(n));
          attn_scores(ref_mem, q.data(), n, s_ref.data());
          attn_scores(got_mem, q.data(), n, s_got.data());
          INFO(simd_name(level) << " d " << d << " n " << n);
          REQUIRE(s_got == s_ref);
          // Probabilities summing to at most 2^15, including all mass on one position or pair.
          std::vector<int32_t> p(size_t(n), 0);
          if (extreme && n >= 2 && rng.below(2)) {
            p[0] = p[1] = 16384;  // all mass on one pair of positions: AVX2's tightest int16 bound
          } else if (extreme) {
            p[rng.below(uint32_t(n))] = 32767;
          } else {
            std::vector<int32_t> logits(static_cast<size_t>(n));
            for (auto& l : logits) l = int32_t(rng.below(4096));
            softmax_q15(logits.data(), n, p.data());
          }
          std::vector<int32_t> m_ref(static_cast<size_t>(d)), m_got(size_t(d), -1);
          attn_mix(ref_mem, p.data(), n, m_ref.data());
          attn_mix(got_mem, p.data(), n, m_got.data());
          REQUIRE(m_got == m_ref);
        }
      }
}

TEST_CASE("ops: isqrt64 is the exact floor square root", "[ops]") {
  test::Rng rng(13);
  std::vector<uint64_t> vals = {0, 1, 2, 3, 4, 15, 16, 17, (uint64_t(1) << 32) - 1, uint64_t(1) << 32,
                                (uint64_t(1) << 62) - 1, uint64_t(1) << 62, ~uint64_t(0)};
  for (int i = 0; i < 10000; ++i) vals.push_back(rng.next() >> rng.below(64));
  for (uint64_t v : vals) {
    const unsigned __int128 r = isqrt64(v);
    INFO(v);
    CHECK(r * r <= v);
    CHECK((r + 1) * (r + 1) > v);
  }
}

TEST_CASE("ops: layernorm normalises, and a constant row gives beta", "[ops]") {
  const int n = 64;
  std::vector<int32_t> x(n), gamma(n, 4096), beta(n, 0), y(n);
  for (int i = 0; i < n; ++i) x[size_t(i)] = (i % 2 ? 1 : -1) * 1000;  // mean 0, std 1000
  layernorm_row(x.data(), n, gamma.data(), beta.data(), y.data());
  CHECK(y[0] == -256);  // -1.0 in Q8
  CHECK(y[1] == 256);
  std::fill(x.begin(), x.end(), kActMax);
  for (int i = 0; i < n; ++i) beta[size_t(i)] = i;
  layernorm_row(x.data(), n, gamma.data(), beta.data(), y.data());
  CHECK(y == beta);
  // Extremes of the input range do not overflow: +-kActMax alternating.
  for (int i = 0; i < n; ++i) x[size_t(i)] = (i % 2 ? 1 : -1) * kActMax;
  std::fill(beta.begin(), beta.end(), 0);
  layernorm_row(x.data(), n, gamma.data(), beta.data(), y.data());
  CHECK(y[0] == -256);
}

TEST_CASE("ops: output pmfs are valid for any logits", "[ops]") {
  test::Rng rng(14);
  uint32_t f[256];
  int32_t logits[256];
  for (int trial = 0; trial < 2000; ++trial) {
    const int mode = trial % 4;
    for (auto& l : logits) {
      if (mode == 0) l = int32_t(rng.below(2 * kActMax + 1)) - kActMax;  // anywhere in range
      else if (mode == 1) l = 0;                                          // uniform
      else if (mode == 2) l = -kActMax;
      else l = int32_t(rng.below(512));
    }
    if (mode == 2) logits[rng.below(256)] = kActMax;  // one certain byte
    logits_to_pmf(logits, f);
    uint64_t sum = 0;
    for (uint32_t v : f) {
      REQUIRE(v >= 1);
      sum += v;
    }
    REQUIRE(sum == 65536);
  }
  for (auto& l : logits) l = 0;
  logits_to_pmf(logits, f);
  CHECK(f[0] == 256);
  CHECK(f[255] == 256);
}

TEST_CASE("ops: requantisation rounds half up and saturates", "[ops]") {
  CHECK(requant(1 << 24, 1, 0) == 1);
  CHECK(requant(3, 1 << 23, 0) == 2);    // 1.5 -> 2
  CHECK(requant(-3, 1 << 23, 0) == -1);  // -1.5 -> -1 (floor of x + 0.5)
  CHECK(requant(2147483647, 2147483647, 0) == kActMax);
  CHECK(requant(-2147483647, 2147483647, 0) == -kActMax);
  CHECK(quantize_i8(kActMax, 1 << 16) == 127);
  CHECK(quantize_i8(-kActMax, 1 << 16) == -127);
  CHECK(quantize_i8(256, 8192) == 32);
}
