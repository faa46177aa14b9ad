// Element-level integer arithmetic of the SHA-RNN engine: the single source of truth that
// every backend (scalar reference, SIMD, CUDA) must reproduce exactly.
//
// Number formats (docs/MODEL_FORMAT.md has the full table):
//   activations  int32, Q8 (value = int / 256), saturated to |x| <= kActMax
//   matmul input int8 in [-127, 127], per-tensor scale chosen at export
//   gates        sigmoid/tanh outputs Q15 (32768 = 1.0); LSTM cell state Q15 int32
//   probabilities in attention: Q15; exp table: Q16
// Everything is integer; no float, no libm: tables come from luts.inc (generated, committed).
// Right shifts of negative values are arithmetic (guaranteed by C++20, and by g++, clang
// and nvcc in C++17 mode).
#pragma once

#include <cassert>
#include <cstdint>

// Functions are static (internal linkage): this header is compiled into translation units
// for different instruction sets, and an inline function with external linkage could be
// shared between them by the linker, running AVX-512 code on a CPU without it.
#if defined(__CUDACC__)
#define SHZ_HD __host__ __device__ static
// Global (not __constant__) memory: the four tables (112 KiB) exceed the 64 KiB constant
// bank, and lookups diverge across a warp, which constant memory serialises. In a .cu file
// these functions are for device code only; host code uses the tables of the C++ build.
#define SHZ_LUT_CONST static __device__ const
// The table readers below are __host__ __device__ like everything here, but a .cu file calls
// them from kernels only; nvcc's note that host code cannot read the device tables is moot.
#pragma nv_diag_suppress 20091
#else
#define SHZ_HD static
#define SHZ_LUT_CONST inline constexpr
#endif

namespace shz::sharnn {

#include "luts.inc"

// Names the arithmetic below and the tables. Changing any of it changes every pmf, so
// this string is part of every SHA-RNN model's identity (MODEL_FORMAT.md).
constexpr const char* kEngineRevision = "shz-int-v1";

constexpr int32_t kActMax = 1 << 20;  // |Q8 activation| bound: 4096.0
constexpr int kPmfBits = 16;

// As min then max, which compilers turn into vector min/max instructions.
SHZ_HD inline int32_t sat_act(int64_t v) {
  const int64_t hi = v < kActMax ? v : kActMax;
  return int32_t(hi > -kActMax ? hi : -kActMax);
}

// Index into the 8192-entry Q8 tables covering [-16, 16).
SHZ_HD inline int32_t lut_index(int32_t x_q8) {
  const int32_t i = x_q8 + 4096;
  return i < 0 ? 0 : i > 8191 ? 8191 : i;
}

SHZ_HD inline int32_t sigmoid_q15(int32_t x_q8) { return kLutSigmoid[lut_index(x_q8)]; }
SHZ_HD inline int32_t tanh_q15(int32_t x_q8) { return kLutTanh[lut_index(x_q8)]; }

// GELU(x) = x * sigmoid(1.702 x) in Q8; exact identity/zero outside the table's domain.
// Written without branches (an in-range lookup, then selects) so that loops over it vectorise.
SHZ_HD inline int32_t gelu_q8(int32_t x_q8) {
  const int32_t t = kLutGelu[lut_index(x_q8)];
  return x_q8 >= 4096 ? x_q8 : x_q8 < -4096 ? 0 : t;
}

// exp(-d) in Q16 for d >= 0 in Q8; 0 beyond d = 16 (branch-free like gelu_q8).
SHZ_HD inline int32_t exp_neg_q16(int32_t d_q8) {
  const int32_t t = kLutExpNeg[d_q8 < 4095 ? d_q8 : 4095];
  return d_q8 >= 4096 ? 0 : t;
}

// int32 matmul accumulator -> Q8 activation: round(acc * m / 2^24) + b, saturated.
// |acc| < 2^31 and |m| < 2^31, so the product fits in int64.
SHZ_HD inline int32_t requant(int32_t acc, int32_t m, int32_t b) {
  return sat_act(((int64_t(acc) * m + (int64_t(1) << 23)) >> 24) + int64_t(b));
}

// Q8 activation -> int8 matmul input: round(x * m / 2^16), clamped to [-127, 127].
SHZ_HD inline int8_t quantize_i8(int32_t x_q8, int32_t m) {
  const int64_t v = (int64_t(x_q8) * m + (int64_t(1) << 15)) >> 16;
  return int8_t(v > 127 ? 127 : v < -127 ? -127 : v);
}

// floor(sqrt(v)), exactly, by the digit-by-digit method (no float).
SHZ_HD inline uint64_t isqrt64(uint64_t v) {
  uint64_t r = 0, bit = uint64_t(1) << 62;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= r + bit) {
      v -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

// floor(a / b) for b > 0 (C++ division truncates toward zero).
SHZ_HD inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// LayerNorm of one row: y = (x - mean) / std * gamma + beta, with gamma in Q12 and beta and y
// in Q8. Inputs satisfy |x| <= kActMax, so var <= 2^42 and var << 16 fits in 64 bits.
// std is taken as s / 2^8 with s = isqrt(var * 2^16): exact integer arithmetic, no epsilon
// (a constant row yields y = beta). Division by s is a multiplication by inv = 2^40 / s,
// computed once per row: var >= 1 gives s >= 256, so inv <= 2^32 and |dev * inv| < 2^54.
// The LayerNorm's per-row reciprocal from sq = sum((x - mean)^2): 0 for a constant row (then
// the output is beta), else floor(2^40 / s), s = isqrt(floor(sq / n) * 2^16) >= 256.
SHZ_HD inline int64_t layernorm_inv(uint64_t sq, int n) {
  const uint64_t s = isqrt64((sq / uint64_t(n)) << 16);  // ~ std * 256
  return s == 0 ? 0 : int64_t((uint64_t(1) << 40) / s);
}

// One LayerNorm output from its row's mean (floor of sum / n) and layernorm_inv.
SHZ_HD inline int32_t layernorm_elem(int32_t x, int64_t mean, int64_t inv, int32_t gamma, int32_t beta) {
  if (inv == 0) return sat_act(beta);
  const int64_t z = ((x - mean) * inv) >> 20;  // Q12, |z| <= sqrt(n) * 2^12
  return sat_act(((z * gamma + (int64_t(1) << 15)) >> 16) + beta);
}

// The whole row, sequentially. Parallel backends form the same two integer sums in any order
// (integer addition is associative) and call layernorm_inv and layernorm_elem.
SHZ_HD inline void layernorm_row(const int32_t* x, int n, const int32_t* gamma, const int32_t* beta, int32_t* y) {
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    assert(x[i] >= -kActMax && x[i] <= kActMax);
    sum += x[i];
  }
  const int64_t mean = floor_div(sum, n);
  uint64_t sq = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t dv = x[i] - mean;
    sq += uint64_t(dv * dv);
  }
  const int64_t inv = layernorm_inv(sq, n);
  for (int i = 0; i < n; ++i) y[i] = layernorm_elem(x[i], mean, inv, gamma[i], beta[i]);
}

// One LSTM unit: gate pre-activations in Q8 (PyTorch order i, f, g, o), cell state c in Q15
// (updated in place, saturated to +-32.0). Returns h in Q15, within [-32768, 32768].
// It is lstm_cell then lstm_out; batched CPU code calls the two parts in separate passes
// (so each pass vectorises), with exactly the same arithmetic.
// New cell state from the gate activations (i, f sigmoid and g tanh, all Q15) and c (Q15).
SHZ_HD inline int32_t lstm_cell(int64_t i, int64_t f, int64_t g, int32_t c_q15) {
  int64_t c = (f * c_q15 + i * g + (int64_t(1) << 14)) >> 15;
  constexpr int64_t kCellMax = int64_t(32) << 15;
  c = c > kCellMax ? kCellMax : c < -kCellMax ? -kCellMax : c;
  return int32_t(c);
}

// h = o * tanh(c) in Q15 from the output gate (Q15) and the new cell state (Q15).
SHZ_HD inline int32_t lstm_out(int64_t o, int32_t c_q15) {
  return int32_t((o * tanh_q15(c_q15 >> 7) + (int64_t(1) << 14)) >> 15);
}

SHZ_HD inline int32_t lstm_unit(int32_t i_q8, int32_t f_q8, int32_t g_q8, int32_t o_q8, int32_t* c_q15) {
  *c_q15 = lstm_cell(sigmoid_q15(i_q8), sigmoid_q15(f_q8), tanh_q15(g_q8), *c_q15);
  return lstm_out(sigmoid_q15(o_q8), *c_q15);
}

// LSTM output h (Q15, [-1, 1]) as the int8 input of the recurrent matmul (scale 127).
SHZ_HD inline int8_t lstm_h_i8(int32_t h_q15) {
  const int64_t v = (int64_t(h_q15) * 127 + (int64_t(1) << 14)) >> 15;
  return int8_t(v > 127 ? 127 : v < -127 ? -127 : v);
}

// LSTM output h (Q15) as a Q8 activation.
SHZ_HD inline int32_t lstm_h_q8(int32_t h_q15) { return (h_q15 + 64) >> 7; }

// The attention query, kept in int16 range so SIMD kernels may use 16-bit products.
SHZ_HD inline int32_t sat_i16(int32_t v) { return v > 32767 ? 32767 : v < -32767 ? -32767 : v; }

// Attention output element: mix (sum of Q15 probabilities x int8 memory) times the value
// gate g (Q24 multiplier) -> Q8. |mix| <= 2^15 * 127 < 2^22 and |g| < 2^31: fits int64.
SHZ_HD inline int32_t attn_out(int64_t mix, int32_t g) {
  return sat_act((mix * g + (int64_t(1) << 23)) >> 24);
}

// Attention weights: p_j = min((e_j * inv) >> 41, 32767) with e_j = exp(l_j - max) in Q16 and
// inv = floor(2^56 / sum(e)): about e_j * 2^15 / sum, with one division per row instead of
// one per entry. The max term is 65536, so 2^16 <= sum < 2^31 (n <= 2^15): inv <= 2^40 and
// e_j * inv <= 2^56. p_j <= 2^15 before the clamp, which keeps it in int16 range for SIMD.
SHZ_HD inline uint64_t softmax_inv(int64_t sum) { return (uint64_t(1) << 56) / uint64_t(sum); }
SHZ_HD inline int32_t softmax_p(int32_t e, uint64_t inv) {
  const uint64_t v = (uint64_t(e) * inv) >> 41;
  return int32_t(v > 32767 ? 32767 : v);
}

SHZ_HD inline void softmax_q15(const int32_t* logits_q8, int n, int32_t* p) {
  int32_t m = logits_q8[0];
  for (int j = 1; j < n; ++j) m = logits_q8[j] > m ? logits_q8[j] : m;
  for (int j = 0; j < n; ++j) p[j] = exp_neg_q16(m - logits_q8[j]);
  int64_t sum = 0;  // a pass of its own, as the one above, so that both vectorise
  for (int j = 0; j < n; ++j) sum += p[j];
  assert(n <= 32768 && sum >= 65536 && sum < (int64_t(1) << 31));
  const uint64_t inv = softmax_inv(sum);
  for (int j = 0; j < n; ++j) p[j] = softmax_p(p[j], inv);
}

// Two steps of logits_to_pmf (below), named so that the GPU's thread-per-byte kernel takes
// them from here: inv from sum(e), and f_s from e_s.
SHZ_HD inline uint64_t pmf_inv(uint64_t sum) {
  constexpr uint64_t kBudget = (uint64_t(1) << kPmfBits) - 256;
  return (kBudget << 40) / sum;
}
SHZ_HD inline uint32_t pmf_freq(int32_t e, uint64_t inv) { return 1 + uint32_t((uint64_t(e) * inv) >> 40); }

// The coder's pmf from 256 output logits (Q8): f_s = 1 + ((e_s * inv) >> 40) with
// e_s = exp(l_s - max) in Q16 and inv = floor((2^16 - 256) * 2^40 / sum(e)), about
// e_s * (2^16 - 256) / sum; the remainder goes to the first most likely byte. Since
// 2^16 <= sum <= 2^24, inv < 2^40 and e_s * inv < 2^56; the floors keep sum(f) <= 2^16,
// so every f_s >= 1 and the total is exactly 2^16.
SHZ_HD inline void logits_to_pmf(const int32_t* logits_q8, uint32_t* freq) {
  int32_t m = logits_q8[0];
  for (int s = 1; s < 256; ++s) m = logits_q8[s] > m ? logits_q8[s] : m;
  uint64_t sum = 0;
  for (int s = 0; s < 256; ++s) sum += uint64_t(exp_neg_q16(m - logits_q8[s]));
  const uint64_t inv = pmf_inv(sum);
  uint32_t used = 0, best = 0;
  int best_s = 0;
  for (int s = 0; s < 256; ++s) {
    const uint32_t f = pmf_freq(exp_neg_q16(m - logits_q8[s]), inv);
    freq[s] = f;
    used += f;
    if (f > best) {
      best = f;
      best_s = s;
    }
  }
  freq[best_s] += (uint32_t(1) << kPmfBits) - used;
}

}  // namespace shz::sharnn
