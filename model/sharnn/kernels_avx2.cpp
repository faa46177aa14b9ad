// AVX2 kernel (compiled with -mavx2; called only when the CPU has it). vpmaddwd multiplies
// int16 pairs and adds them into int32 without saturation, so int8 values widened to int16
// give exact sums. (vpmaddubsw would be faster but saturates at int16: not exact.)
#include <immintrin.h>

#include <cstring>

#include "kernels.h"

namespace shz::sharnn {
namespace {

#include "isa_scratch.inc"

// NB blocks of 8 output rows x R input rows, over all columns.
template <int NB, int R>
void tile(const PackedMatrix& m, const uint32_t* xp, int pairs, int rb, int r0, int32_t* acc) {
  __m256i a[NB][R];
  for (int b = 0; b < NB; ++b)
    for (int r = 0; r < R; ++r) a[b][r] = _mm256_setzero_si256();
  const int16_t* wbase = m.w16.data() + size_t(rb / 8) * size_t(pairs) * 16;
  for (int p = 0; p < pairs; ++p) {
    __m256i w[NB];
    for (int b = 0; b < NB; ++b)
      w[b] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wbase + (size_t(b) * size_t(pairs) + size_t(p)) * 16));
    for (int r = 0; r < R; ++r) {
      const __m256i xb = _mm256_set1_epi32(int(xp[size_t(r0 + r) * size_t(pairs) + size_t(p)]));
      for (int b = 0; b < NB; ++b) a[b][r] = _mm256_add_epi32(a[b][r], _mm256_madd_epi16(xb, w[b]));
    }
  }
  for (int b = 0; b < NB; ++b) {
    const int row = rb + 8 * b;
    const int valid = m.rows - row < 8 ? m.rows - row : 8;
    for (int r = 0; r < R; ++r) {
      int32_t* dst = acc + size_t(r0 + r) * size_t(m.rows) + size_t(row);
      if (valid == 8) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), a[b][r]);
      } else {
        alignas(32) int32_t tmp[8];
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), a[b][r]);
        for (int i = 0; i < valid; ++i) dst[i] = tmp[i];
      }
    }
  }
}

template <int NB>
void tile_rows(const PackedMatrix& m, const uint32_t* xp, int pairs, int rb, int r0, int n, int32_t* acc) {
  switch (n) {
    case 1: return tile<NB, 1>(m, xp, pairs, rb, r0, acc);
    case 2: return tile<NB, 2>(m, xp, pairs, rb, r0, acc);
    case 3: return tile<NB, 3>(m, xp, pairs, rb, r0, acc);
    case 4: return tile<NB, 4>(m, xp, pairs, rb, r0, acc);
    case 5: return tile<NB, 5>(m, xp, pairs, rb, r0, acc);
    default: return tile<NB, 6>(m, xp, pairs, rb, r0, acc);
  }
}

}  // namespace

void matmul_avx2(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc) {
  const int pairs = m.cols_pad / 2;
  uint32_t* xp = scratch_words(size_t(k) * size_t(pairs));
  for (size_t i = 0; i < size_t(k) * size_t(pairs); ++i) xp[i] = 0;
  // cols in a local: the word stores may alias m.cols, which would stop vectorisation.
  const int cols = m.cols;
  for (int r = 0; r < k; ++r) {
    const int8_t* src = x + size_t(r) * size_t(cols);
    uint32_t* dst = xp + size_t(r) * size_t(pairs);
    for (int i = 0; i + 1 < cols; i += 2)
      dst[i / 2] = uint32_t(uint16_t(int16_t(src[i]))) | uint32_t(uint16_t(int16_t(src[i + 1]))) << 16;
    if (cols % 2) dst[cols / 2] = uint16_t(int16_t(src[cols - 1]));
  }
  int rb = 0;
  for (; rb + 16 <= m.rows_pad; rb += 16)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<2>(m, xp, pairs, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
  for (; rb < m.rows_pad; rb += 8)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<1>(m, xp, pairs, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
}

}  // namespace shz::sharnn

namespace shz::sharnn {
namespace {
// 16 int8 -> 16 int16: memory is stored as int8 to halve its traffic.
inline __m256i widen(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
}  // namespace

// Positions are lanes: each of the 8 int32 lanes sums one position's products over at most
// 256 columns (< 2^30), then adds into int64, so any d <= 4096 is exact.
void attn_scores_avx2(const AttnMemory& m, const int16_t* q, int n, int64_t* scores) {
  const int pairs = m.d / 2;
  for (int b = 0; b * 8 < n; ++b) {
    const int8_t* blk = m.by_pos.data() + size_t(b) * 8 * size_t(m.d);
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
    for (int c0 = 0; c0 < pairs; c0 += 128) {
      const int c1 = pairs < c0 + 128 ? pairs : c0 + 128;
      __m256i a = _mm256_setzero_si256();
      for (int c = c0; c < c1; ++c) {
        int32_t qp;
        std::memcpy(&qp, q + 2 * c, 4);
        a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_set1_epi32(qp),
                                                  widen(blk + 16 * c)));
      }
      lo = _mm256_add_epi64(lo, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)));
      hi = _mm256_add_epi64(hi, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
    }
    alignas(32) int64_t out[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(out), lo);
    _mm256_store_si256(reinterpret_cast<__m256i*>(out + 4), hi);
    for (int j = 0; j < 8 && b * 8 + j < n; ++j) scores[b * 8 + j] = out[j];
  }
}

// Mix from the same layout (see kernels_avx512.cpp): lanes are positions; vpmaddwd with the
// block's probabilities as int32 lanes (p_t, 0) and (0, p_t) picks each column of a pair.
// Every partial sum is bounded by sum_j p_j * 127 < 2^22: exact in int32.
void attn_mix_avx2(const AttnMemory& m, const int32_t* p, int n, int32_t* acc) {
  const int d = m.d, pairs = d / 2, blocks = (n + 7) / 8;
  for (int c0 = 0; c0 < pairs; c0 += 6) {  // 6 column pairs: 12 accumulators in registers
    const int cw = pairs - c0 < 6 ? pairs - c0 : 6;
    __m256i a[12];
    for (int t = 0; t < 12; ++t) a[t] = _mm256_setzero_si256();
    for (int b = 0; b < blocks; ++b) {
      alignas(32) int32_t pb[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      const int left = n - 8 * b < 8 ? n - 8 * b : 8;
      int any = 0;
      for (int t = 0; t < left; ++t) any |= (pb[t] = p[8 * b + t]);
      if (!any) continue;
      const __m256i pe = _mm256_load_si256(reinterpret_cast<const __m256i*>(pb));
      const __m256i po = _mm256_slli_epi32(pe, 16);
      const int8_t* blk = m.by_pos.data() + size_t(b) * 8 * size_t(d) + size_t(c0) * 16;
      for (int c = 0; c < cw; ++c) {
        const __m256i v = widen(blk + 16 * c);
        a[2 * c] = _mm256_add_epi32(a[2 * c], _mm256_madd_epi16(v, pe));
        a[2 * c + 1] = _mm256_add_epi32(a[2 * c + 1], _mm256_madd_epi16(v, po));
      }
    }
    for (int c = 0; c < 2 * cw; ++c) {
      alignas(32) int32_t l[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(l), a[c]);
      acc[2 * c0 + c] = l[0] + l[1] + l[2] + l[3] + l[4] + l[5] + l[6] + l[7];
    }
  }
}

}  // namespace shz::sharnn
