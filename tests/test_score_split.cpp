// The GPU's attention-score arithmetic (model/cuda/score_split.h) on the host: the query split
// into high and low bytes, three dp4a chains per lane as a warp runs them, met in int64, must
// equal the CPU engine's int64 sum of products for every query and memory value, extremes
// included. Runs without a GPU; the kernel itself is compared on one by test_cuda_ops.cpp.
#include <catch2/catch.hpp>

#include <vector>

#include "model/cuda/score_split.h"
#include "test_util.h"

using namespace shz;

namespace {

// As scores_kernel: lane L takes words L, L + 32, ...; the lanes' int64 totals are added.
int64_t warp_dot(const std::vector<int32_t>& q, const std::vector<int8_t>& m) {
  const int words = int(q.size() / 4);
  int64_t total = 0;
  for (int lane = 0; lane < 32; ++lane) {
    cuda::SplitSums part;
    for (int w = lane; w < words; w += 32) {
      const int32_t word = cuda::pack_s8(m[size_t(4 * w)], m[size_t(4 * w + 1)], m[size_t(4 * w + 2)],
                                         m[size_t(4 * w + 3)]);
      cuda::split_add(part, cuda::q16_split4(&q[size_t(4 * w)]), word);
    }
    total += cuda::split_total(part);
  }
  return total;
}

int64_t direct_dot(const std::vector<int32_t>& q, const std::vector<int8_t>& m) {
  int64_t s = 0;
  for (size_t i = 0; i < q.size(); ++i) s += int64_t(q[i]) * m[i];
  return s;
}

}  // namespace

TEST_CASE("GPU score split: high/low query bytes through dp4a equal the int64 dot product", "[cuda-arith]") {
  test::Rng rng(71);
  for (int d : {16, 256, 1024, 4096}) {
    std::vector<int32_t> q(static_cast<size_t>(d));
    std::vector<int8_t> m(static_cast<size_t>(d));
    for (int trial = 0; trial < 50; ++trial) {
      for (int i = 0; i < d; ++i) {
        q[size_t(i)] = int32_t(rng.below(65535)) - 32767;
        m[size_t(i)] = int8_t(int32_t(rng.below(256)) - 128);
      }
      INFO("d " << d << " trial " << trial);
      REQUIRE(warp_dot(q, m) == direct_dot(q, m));
    }
    // The extremes: every product at its largest of either sign, and values around the byte split.
    for (int32_t qv : {-32767, 32767, -256, -255, -129, -128, -1, 0, 1, 127, 128, 255, 256})
      for (int mv : {-128, -127, -1, 0, 1, 127}) {
        std::fill(q.begin(), q.end(), qv);
        std::fill(m.begin(), m.end(), int8_t(mv));
        INFO("d " << d << " q " << qv << " m " << mv);
        REQUIRE(warp_dot(q, m) == direct_dot(q, m));
      }
  }
}

TEST_CASE("GPU score split: every int16 query value splits into two signed bytes", "[cuda-arith]") {
  int bad = 0;
  for (int32_t q = -32767; q <= 32767; ++q) {
    const int32_t h = cuda::q16_high(q), l = cuda::q16_low(q);
    bad += h < -128 || h > 127 || l < -128 || l > 127 || 256 * h + l + 128 != q;
  }
  REQUIRE(bad == 0);
}
