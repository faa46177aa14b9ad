// Every CUDA operation on its own against the CPU reference (the scalar row operations and
// kernels), with equality: LayerNorm (+ quantisation), matmul, the LSTM step, attention
// (write, scores, softmax, mix), Boom and the output pmf, on random inputs that include
// saturating values; and the whole step program op by op against the CPU engine (op_by_op.h).
// Skips, saying so, without a usable GPU; tools/device-check runs them.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "engine_fixture.h"
#include "model/cuda/cuda_backend.h"
#include "model/cuda/op_check.h"
#include "model/sharnn/cpu_executor.h"
#include "model/sharnn/kernels.h"
#include "model/sharnn/rows.h"
#include "model/sharnn/sharnn_ops.h"
#include "op_by_op.h"
#include "test_util.h"

using namespace shz;
using namespace shz::sharnn;
using shz::test::gpu_or_skip;

namespace {

template <class T>
std::vector<T> uniform(test::Rng& rng, size_t n, int64_t lo, int64_t hi) {
  std::vector<T> v(n);
  for (auto& x : v) x = T(lo + int64_t(rng.below(uint32_t(hi - lo + 1))));
  return v;
}

QLinear linear(test::Rng& rng, int rows, int cols) { return test::random_linear(rows, cols, rng); }

}  // namespace

TEST_CASE("cuda ops: LayerNorm and its quantisation equal the CPU's", "[cuda]") {
  if (!gpu_or_skip()) return;
  test::Rng rng(61);
  for (int d : {16, 256, 1024})
    for (int k : {1, 7, 64}) {
      auto x = uniform<int32_t>(rng, size_t(k) * size_t(d), -kActMax, kActMax);
      for (int i = 0; i < d; ++i) x[size_t(i)] = 12345;  // a constant row: y = beta
      QLayerNorm ln{uniform<int32_t>(rng, size_t(d), -8192, 8192), uniform<int32_t>(rng, size_t(d), -4096, 4096)};
      const int32_t m = int32_t(rng.below(1 << 18)) + 1;
      std::vector<int32_t> y(x.size());
      std::vector<int8_t> q(x.size()), gq;
      row_ops_scalar().ln(x.data(), k, d, ln, y.data(), m, q.data());
      INFO("d " << d << " k " << k);
      CHECK(cuda::op_check::layernorm(x, k, d, ln, m, &gq) == y);
      CHECK(gq == q);
    }
}

TEST_CASE("cuda ops: matmul equals the CPU's", "[cuda]") {
  if (!gpu_or_skip()) return;
  test::Rng rng(62);
  // Columns a multiple of 32 go to the tensor cores; 16 and 176 to the dp4a kernel.
  for (auto shape : {std::pair<int, int>{1024, 256}, {256, 1024}, {256, 256}, {4096, 1024}, {64, 16}, {100, 176}})
    for (int k : {1, 7, 64}) {
      const QLinear w = linear(rng, shape.first, shape.second);
      const auto x = uniform<int8_t>(rng, size_t(k) * size_t(w.cols), -127, 127);
      std::vector<int32_t> ref(size_t(k) * size_t(w.rows));
      matmul(matrix_pack(w, SimdLevel::kScalar), x.data(), k, ref.data());
      INFO(w.rows << "x" << w.cols << " k " << k);
      CHECK(cuda::op_check::matmul(w, x, k) == ref);
    }
}

TEST_CASE("cuda ops: the LSTM step equals the CPU's", "[cuda]") {
  if (!gpu_or_skip()) return;
  test::Rng rng(63);
  for (int d : {16, 256})
    for (int k : {1, 7, 64}) {
      const QLinear ih = linear(rng, 4 * d, d), hh = linear(rng, 4 * d, d);
      const auto a = uniform<int32_t>(rng, size_t(k) * 4 * size_t(d), -(1 << 24), 1 << 24);
      const auto b = uniform<int32_t>(rng, size_t(k) * 4 * size_t(d), -(1 << 24), 1 << 24);
      auto c = uniform<int32_t>(rng, size_t(k) * size_t(d), -(32 << 15), 32 << 15);
      std::vector<int8_t> h8(c.size(), 0);
      auto gc = c;
      auto gh = h8;
      std::vector<int32_t*> cp(static_cast<size_t>(k));
      std::vector<int8_t*> hp(static_cast<size_t>(k));
      for (int r = 0; r < k; ++r) {
        cp[size_t(r)] = &c[size_t(r) * size_t(d)];
        hp[size_t(r)] = &h8[size_t(r) * size_t(d)];
      }
      std::vector<int32_t> y(c.size()), scratch(4 * size_t(d));
      row_ops_scalar().lstm(a.data(), b.data(), k, d, ih, hh, cp.data(), hp.data(), y.data(), scratch.data());
      INFO("d " << d << " k " << k);
      CHECK(cuda::op_check::lstm(a, b, k, d, ih, hh, gc, gh) == y);
      CHECK(gc == c);
      CHECK(gh == h8);
    }
}

TEST_CASE("cuda ops: attention (ring write, scores, softmax, mix) equals the CPU's", "[cuda]") {
  if (!gpu_or_skip()) return;
  test::Rng rng(64);
  // n > window: the ring wraps. The long window gives each warp of the scores many positions
  // and the mix many rounds of eight.
  const std::pair<int, int> cases[] = {{64, 1}, {64, 5}, {64, 64}, {64, 100}, {1500, 1499}, {1500, 2000}};
  for (int d : {16, 256, 1024})
    for (const auto& [window, n] : cases) {
      const auto rows = uniform<int8_t>(rng, size_t(n) * size_t(d), -127, 127);
      const auto q = uniform<int32_t>(rng, size_t(d), -40000, 40000);  // beyond int16: saturated
      const auto gate = uniform<int32_t>(rng, size_t(d), -(1 << 24), 1 << 24);
      const auto y2 = uniform<int32_t>(rng, size_t(d), -kActMax, kActMax);
      const int shift = 14;
      AttnMemory mem;
      attn_memory_init(mem, SimdLevel::kScalar, window, d);
      for (int j = 0; j < n; ++j) attn_memory_write(mem, j % window, &rows[size_t(j) * size_t(d)]);
      const int filled = n < window ? n : window;
      std::vector<int16_t> q16(static_cast<size_t>(d));
      for (int i = 0; i < d; ++i) q16[size_t(i)] = int16_t(sat_i16(q[size_t(i)]));
      std::vector<int64_t> s64(static_cast<size_t>(filled));
      std::vector<int32_t> p(static_cast<size_t>(filled)), mix(static_cast<size_t>(d)), out(static_cast<size_t>(d));
      attn_scores(mem, q16.data(), filled, s64.data());
      row_ops_scalar().attn_probs(s64.data(), filled, shift, p.data());
      attn_mix(mem, p.data(), filled, mix.data());
      for (int i = 0; i < d; ++i)
        out[size_t(i)] = sat_act(int64_t(y2[size_t(i)]) + attn_out(mix[size_t(i)], gate[size_t(i)]));
      std::vector<int32_t> gp;
      INFO("d " << d << " window " << window << " n " << n);
      CHECK(cuda::op_check::attention(rows, n, window, d, q, shift, gate, y2, &gp) == out);
      CHECK(gp == p);
    }
}

TEST_CASE("cuda ops: Boom and the output pmf equal the CPU's", "[cuda]") {
  if (!gpu_or_skip()) return;
  test::Rng rng(65);
  for (int d : {16, 256})
    for (int k : {1, 7, 64}) {
      const QLinear w = linear(rng, 4 * d, d);
      const auto big = uniform<int32_t>(rng, size_t(k) * 4 * size_t(d), -(1 << 26), 1 << 26);
      const auto hf = uniform<int32_t>(rng, size_t(k) * size_t(d), -kActMax, kActMax);
      auto scratch = big;  // the CPU row operation overwrites its input
      std::vector<int32_t> x(hf.size());
      row_ops_scalar().boom(scratch.data(), hf.data(), k, d, w, x.data());
      INFO("d " << d << " k " << k);
      CHECK(cuda::op_check::boom(big, hf, k, d, w) == x);

      const QLinear head = linear(rng, 256, d);
      const auto acc = uniform<int32_t>(rng, size_t(k) * 256, -(1 << 26), 1 << 26);
      std::vector<uint32_t> pmf(size_t(k) * 256);
      std::vector<uint32_t*> pp(static_cast<size_t>(k));
      for (int r = 0; r < k; ++r) pp[size_t(r)] = &pmf[size_t(r) * 256];
      row_ops_scalar().head(acc.data(), k, head, pp.data());
      CHECK(cuda::op_check::head_pmf(acc, k, head) == pmf);
    }
  // Ties for the most likely byte (the remainder goes to the first): a head whose rows all
  // requantise alike, fed rows with equal or repeated maxima.
  QLinear flat = linear(rng, 256, 16);
  std::fill(flat.m.begin(), flat.m.end(), 1 << 16);
  std::fill(flat.b.begin(), flat.b.end(), 0);
  std::vector<int32_t> acc(3 * 256, 5000);                    // all 256 equal
  for (int s = 0; s < 256; s += 3) acc[256 + size_t(s)] = 90000;  // every third one the maximum
  acc[2 * 256 + 200] = acc[2 * 256 + 7] = 123456;                  // two maxima, far apart
  std::vector<uint32_t> pmf(acc.size());
  std::vector<uint32_t*> pp{&pmf[0], &pmf[256], &pmf[512]};
  row_ops_scalar().head(acc.data(), 3, flat, pp.data());
  CHECK(cuda::op_check::head_pmf(acc, 3, flat) == pmf);
}

TEST_CASE("cuda ops: every op of the step program equals the CPU's, op by op", "[cuda]") {
  if (!gpu_or_skip()) return;
  const auto model = test::small_model();  // window 24: the rings wrap within the 60 steps
  CpuExecutor want(model, SimdLevel::kScalar);
  auto got = cuda::make_executor(model, test::tuning());
  const auto seen = test::require_same_op_by_op(*model, want, *got, 6, test::corpus("jargon-4.4.7.txt", 400), 60);
  CHECK(seen.size() == 12);  // every kind but the development-only head adaptation (CPU only)
}
