// AVX-512 VNNI kernel (compiled with -mavx512f -mavx512bw -mavx512vnni; called only when the
// CPU has them). vpdpbusd multiplies unsigned by signed bytes, so inputs are offset by +128
// and 128 * row_sum is subtracted afterwards: exact, since nothing saturates
// (|sum| <= 255 * 128 * 32768 < 2^31 by matmul's precondition).
#include <immintrin.h>

#include <cstring>

#include "kernels.h"

namespace shz::sharnn {
namespace {

#include "isa_scratch.inc"

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
  uint32_t* xq = scratch_words(size_t(k) * size_t(quads));
  for (size_t i = 0; i < size_t(k) * size_t(quads); ++i) xq[i] = 0x80808080u;  // padding columns: x = 0
  for (int r = 0; r < k; ++r) {
    uint8_t* dst = reinterpret_cast<uint8_t*>(xq + size_t(r) * size_t(quads));
    const int8_t* src = x + size_t(r) * size_t(m.cols);
    for (int i = 0; i < m.cols; ++i) dst[i] = uint8_t(src[i]) ^ 0x80;  // x + 128
  }
  // Blocks of rows outermost keep a weight panel in cache while all input rows pass over it.
  int rb = 0;
  for (; rb + 32 <= m.rows_pad; rb += 32)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<2>(m, xq, quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
  for (; rb < m.rows_pad; rb += 16)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<1>(m, xq, quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
}

}  // namespace shz::sharnn

namespace shz::sharnn {
namespace {
// 32 int8 -> 32 int16: memory is stored as int8 to halve its traffic.
inline __m512i widen(const int8_t* p) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
}  // namespace

// Positions are lanes: each of the 16 int32 lanes sums one position's products over at most
// 256 columns (< 2^30), then adds into int64, so any d <= 4096 is exact.
void attn_scores_avx512(const AttnMemory& m, const int16_t* q, int n, int64_t* scores) {
  const int pairs = m.d / 2;
  for (int b = 0; b * 16 < n; ++b) {
    const int8_t* blk = m.by_pos.data() + size_t(b) * 16 * size_t(m.d);
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    for (int c0 = 0; c0 < pairs; c0 += 128) {
      const int c1 = pairs < c0 + 128 ? pairs : c0 + 128;
      __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
      int c = c0;
      for (; c + 1 < c1; c += 2) {
        int32_t q0, q1;
        std::memcpy(&q0, q + 2 * c, 4);
        std::memcpy(&q1, q + 2 * c + 2, 4);
        a0 = _mm512_dpwssd_epi32(a0, _mm512_set1_epi32(q0), widen(blk + 32 * c));
        a1 = _mm512_dpwssd_epi32(a1, _mm512_set1_epi32(q1), widen(blk + 32 * (c + 1)));
      }
      if (c < c1) {
        int32_t q0;
        std::memcpy(&q0, q + 2 * c, 4);
        a0 = _mm512_dpwssd_epi32(a0, _mm512_set1_epi32(q0), widen(blk + 32 * c));
      }
      a0 = _mm512_add_epi32(a0, a1);
      lo = _mm512_add_epi64(lo, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(a0)));
      hi = _mm512_add_epi64(hi, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a0, 1)));
    }
    alignas(64) int64_t out[16];
    _mm512_store_si512(out, lo);
    _mm512_store_si512(out + 8, hi);
    for (int j = 0; j < 16 && b * 16 + j < n; ++j) scores[b * 16 + j] = out[j];
  }
}

// Mix from the same layout, so the memory just read for the scores is read again from L2:
// lanes are positions. For a block of 16 positions and a pair of columns (i, i+1), vpdpwssd
// with the block's probabilities as int32 lanes (p_t, 0) adds p_t * mem[t][i] to lane t, and
// with (0, p_t) adds p_t * mem[t][i+1]. Per column, the 16 lanes are summed at the end. Every
// partial sum is bounded by sum_j p_j * 127 < 2^22: exact in int32.
void attn_mix_avx512(const AttnMemory& m, const int32_t* p, int n, int32_t* acc) {
  const int d = m.d, pairs = d / 2, blocks = (n + 15) / 16;
  for (int c0 = 0; c0 < pairs; c0 += 8) {  // 8 column pairs: 16 accumulators in registers
    const int cw = pairs - c0 < 8 ? pairs - c0 : 8;
    __m512i a[16];
    for (int t = 0; t < 16; ++t) a[t] = _mm512_setzero_si512();
    for (int b = 0; b < blocks; ++b) {
      const int left = n - 16 * b;
      const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
      const __m512i pe = _mm512_maskz_loadu_epi32(mask, p + 16 * b);
      if (_mm512_test_epi32_mask(pe, pe) == 0) continue;  // no weight in this block
      const __m512i po = _mm512_slli_epi32(pe, 16);
      const int8_t* blk = m.by_pos.data() + size_t(b) * 16 * size_t(d) + size_t(c0) * 32;
      for (int c = 0; c < cw; ++c) {
        const __m512i v = widen(blk + 32 * c);
        a[2 * c] = _mm512_dpwssd_epi32(a[2 * c], v, pe);
        a[2 * c + 1] = _mm512_dpwssd_epi32(a[2 * c + 1], v, po);
      }
    }
    for (int c = 0; c < 2 * cw; ++c) acc[2 * c0 + c] = _mm512_reduce_add_epi32(a[c]);
  }
}

}  // namespace shz::sharnn
