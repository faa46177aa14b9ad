// AVX-512 VNNI kernel (compiled with -mavx512f -mavx512bw -mavx512vnni; called only when the
// CPU has them). vpdpbusd multiplies unsigned by signed bytes, so inputs are offset by +128
// and 128 * row_sum is subtracted afterwards: exact, since nothing saturates
// (|sum| <= 255 * 128 * 32768 < 2^31 by matmul's precondition).
#include <immintrin.h>

#include <cstring>

#include "kernels.h"

namespace shz::sharnn {
namespace {

// NB blocks of 16 output rows x R input rows, over all columns.
template <int NB, int R>
void tile(const PackedMatrix& m, const uint32_t* xq, int quads, int rb, int r0, int32_t* acc) {
  __m512i a[NB][R];
  for (int b = 0; b < NB; ++b)
    for (int r = 0; r < R; ++r) a[b][r] = _mm512_setzero_si512();
  const int8_t* wbase = m.w8.data() + size_t(rb / 16) * size_t(quads) * 64;
  for (int q = 0; q < quads; ++q) {
    __m512i w[NB];
    for (int b = 0; b < NB; ++b) w[b] = _mm512_loadu_si512(wbase + (size_t(b) * size_t(quads) + size_t(q)) * 64);
    for (int r = 0; r < R; ++r) {
      const __m512i xb = _mm512_set1_epi32(int(xq[size_t(r0 + r) * size_t(quads) + size_t(q)]));
      for (int b = 0; b < NB; ++b) a[b][r] = _mm512_dpbusd_epi32(a[b][r], xb, w[b]);
    }
  }
  for (int b = 0; b < NB; ++b) {
    const int row = rb + 16 * b;
    const __m512i corr = _mm512_loadu_si512(m.row_sum.data() + row);
    const int valid = m.rows - row < 16 ? m.rows - row : 16;
    const __mmask16 mask = __mmask16((1u << valid) - 1);
    for (int r = 0; r < R; ++r)
      _mm512_mask_storeu_epi32(acc + size_t(r0 + r) * size_t(m.rows) + size_t(row), mask,
                               _mm512_sub_epi32(a[b][r], corr));
  }
}

template <int NB>
void tile_rows(const PackedMatrix& m, const uint32_t* xq, int quads, int rb, int r0, int n, int32_t* acc) {
  switch (n) {
    case 1: return tile<NB, 1>(m, xq, quads, rb, r0, acc);
    case 2: return tile<NB, 2>(m, xq, quads, rb, r0, acc);
    case 3: return tile<NB, 3>(m, xq, quads, rb, r0, acc);
    case 4: return tile<NB, 4>(m, xq, quads, rb, r0, acc);
    case 5: return tile<NB, 5>(m, xq, quads, rb, r0, acc);
    default: return tile<NB, 6>(m, xq, quads, rb, r0, acc);
  }
}

}  // namespace

void matmul_avx512(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc) {
  const int quads = m.cols_pad / 4;
  static thread_local std::vector<uint32_t> xq;
  xq.assign(size_t(k) * size_t(quads), 0x80808080u);  // padding columns: x = 0
  for (int r = 0; r < k; ++r) {
    uint8_t* dst = reinterpret_cast<uint8_t*>(xq.data() + size_t(r) * size_t(quads));
    const int8_t* src = x + size_t(r) * size_t(m.cols);
    for (int i = 0; i < m.cols; ++i) dst[i] = uint8_t(src[i]) ^ 0x80;  // x + 128
  }
  // Blocks of rows outermost keep a weight panel in cache while all input rows pass over it.
  int rb = 0;
  for (; rb + 32 <= m.rows_pad; rb += 32)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<2>(m, xq.data(), quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
  for (; rb < m.rows_pad; rb += 16)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<1>(m, xq.data(), quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
}

}  // namespace shz::sharnn

namespace shz::sharnn {

// d is a multiple of 16. vpdpwssd adds int16 pair products into 16 int32 lanes; each lane
// sums d/16 products of at most 2^22, below 2^31 for d <= 4096; lanes are added in int64.
void attn_scores_avx512(const int16_t* q, const int8_t* mem, int n, int d, int64_t* scores) {
  for (int j = 0; j < n; ++j) {
    const int8_t* k = mem + size_t(j) * size_t(d);
    __m512i acc = _mm512_setzero_si512();
    int i = 0;
    for (; i + 32 <= d; i += 32) {
      const __m512i kv = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + i)));
      acc = _mm512_dpwssd_epi32(acc, _mm512_loadu_si512(q + i), kv);
    }
    if (i < d) {  // a last block of 16
      const __m512i kv = _mm512_cvtepi8_epi16(_mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + i))));
      const __m512i qv = _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i)));
      acc = _mm512_dpwssd_epi32(acc, qv, kv);
    }
    const __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc));
    const __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1));
    scores[j] = _mm512_reduce_add_epi64(_mm512_add_epi64(lo, hi));
  }
}

void attn_mix_avx512(const int32_t* p, const int8_t* mem, int n, int d, int32_t* acc) {
  for (int i0 = 0; i0 < d; i0 += 128) {  // 128 columns: 8 accumulators stay in registers
    const int w = d - i0 < 128 ? d - i0 : 128;
    __m512i a[8];
    for (int t = 0; t < 8; ++t) a[t] = _mm512_setzero_si512();
    for (int j = 0; j < n; ++j) {
      if (p[j] == 0) continue;
      const __m512i pv = _mm512_set1_epi32(p[j]);
      const int8_t* v = mem + size_t(j) * size_t(d) + size_t(i0);
      for (int t = 0; t < w / 16; ++t) {
        const __m512i vv = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + 16 * t)));
        a[t] = _mm512_add_epi32(a[t], _mm512_mullo_epi32(vv, pv));
      }
    }
    for (int t = 0; t < w / 16; ++t) _mm512_storeu_si512(acc + i0 + 16 * t, a[t]);
  }
}

}  // namespace shz::sharnn
