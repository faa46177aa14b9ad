// AVX2 kernel (compiled with -mavx2; called only when the CPU has it). vpmaddwd multiplies
// int16 pairs and adds them into int32 without saturation, so int8 values widened to int16
// give exact sums. (vpmaddubsw would be faster but saturates at int16: not exact.)
#include <immintrin.h>

#include "kernels.h"

namespace shz::sharnn {
namespace {

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
  static thread_local std::vector<uint32_t> xp;
  xp.assign(size_t(k) * size_t(pairs), 0);
  for (int r = 0; r < k; ++r) {
    const int8_t* src = x + size_t(r) * size_t(m.cols);
    uint32_t* dst = xp.data() + size_t(r) * size_t(pairs);
    for (int i = 0; i < m.cols; ++i) {
      const uint32_t v = uint16_t(int16_t(src[i]));
      dst[i / 2] |= (i % 2) ? v << 16 : v;
    }
  }
  int rb = 0;
  for (; rb + 16 <= m.rows_pad; rb += 16)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<2>(m, xp.data(), pairs, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
  for (; rb < m.rows_pad; rb += 8)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<1>(m, xp.data(), pairs, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
}

}  // namespace shz::sharnn

namespace shz::sharnn {

// d is a multiple of 16 (MODEL_FORMAT.md). Each of the 8 int32 lanes sums d/8 products of
// at most 2^22: below 2^31 for d <= 4096. The lanes are then added in int64.
void attn_scores_avx2(const int16_t* q, const int8_t* mem, int n, int d, int64_t* scores) {
  for (int j = 0; j < n; ++j) {
    const int8_t* k = mem + size_t(j) * size_t(d);
    __m256i acc = _mm256_setzero_si256();
    for (int i = 0; i < d; i += 16) {
      const __m256i kv = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i)));
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(qv, kv));
    }
    alignas(32) int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
    int64_t s = 0;
    for (int l = 0; l < 8; ++l) s += lanes[l];
    scores[j] = s;
  }
}

void attn_mix_avx2(const int32_t* p, const int8_t* mem, int n, int d, int32_t* acc) {
  for (int i = 0; i < d; ++i) acc[i] = 0;
  for (int i0 = 0; i0 < d; i0 += 64) {  // 64 columns: 8 accumulators stay in registers
    const int w = d - i0 < 64 ? d - i0 : 64;
    __m256i a[8];
    for (int t = 0; t < 8; ++t) a[t] = _mm256_setzero_si256();
    for (int j = 0; j < n; ++j) {
      if (p[j] == 0) continue;
      const __m256i pv = _mm256_set1_epi32(p[j]);
      const int8_t* v = mem + size_t(j) * size_t(d) + size_t(i0);
      for (int t = 0; t < w / 8; ++t) {
        const __m256i vv = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v + 8 * t)));
        a[t] = _mm256_add_epi32(a[t], _mm256_mullo_epi32(vv, pv));
      }
    }
    for (int t = 0; t < w / 8; ++t) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + i0 + 8 * t), a[t]);
  }
}

}  // namespace shz::sharnn
