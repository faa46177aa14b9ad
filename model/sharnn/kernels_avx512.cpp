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
#include "isa_mix_split.inc"

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
  // cols in a local: byte stores may alias m.cols, which would stop the loop's vectorisation.
  const int cols = m.cols;
  for (int r = 0; r < k; ++r) {
    uint8_t* dst = reinterpret_cast<uint8_t*>(xq + size_t(r) * size_t(quads));
    const int8_t* src = x + size_t(r) * size_t(cols);
    for (int i = 0; i < cols; ++i) dst[i] = uint8_t(src[i]) ^ 0x80;  // x + 128
  }
  // Blocks of rows outermost keep a weight panel in cache while all input rows pass over it.
  int rb = 0;
  // One or two input rows (a batch of one or two segments): 2 x R accumulator chains would
  // leave vpdpbusd waiting on its own latency, so take 8 blocks of rows at a time.
  if (k <= 2)
    for (; rb + 128 <= m.rows_pad; rb += 128)
      k == 1 ? tile<8, 1>(m, xq, quads, rb, 0, acc) : tile<8, 2>(m, xq, quads, rb, 0, acc);
  for (; rb + 32 <= m.rows_pad; rb += 32)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<2>(m, xq, quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
  for (; rb < m.rows_pad; rb += 16)
    for (int r0 = 0; r0 < k; r0 += 6) tile_rows<1>(m, xq, quads, rb, r0, k - r0 < 6 ? k - r0 : 6, acc);
}

}  // namespace shz::sharnn

namespace shz::sharnn {
namespace {

// 32 int8 -> 32 int16: the memory is stored as int8 to halve its traffic.
inline __m512i widen(const int8_t* p) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// Mix over one chunk of G * 16 columns: lanes are columns; each vpdpbusd adds, per lane, the
// products of four positions' probability bytes with their memory values. p = 256 * ph + pl
// (ph <= 127, pl <= 255); per lane sum(ph * |mem|) <= 128 * 127 and sum(pl * |mem|) <=
// n * 255 * 127 < 2^31 for n <= 32768: exact in int32, and so is 256 * h + l (< 2^22).
// Few positions reach p >= 256 (1/128), so the high bytes get a second, sparse pass over the
// quads listed in `hot` (just read, so from cache).
template <int G>
void mix_chunk(const int8_t* base, const MixSplit& sp, int quads, int32_t* out) {
  __m512i h[G], l[G];
  for (int g = 0; g < G; ++g) h[g] = l[g] = _mm512_setzero_si512();
  for (int c = 0; c < quads; ++c) {
    const __m512i bl = _mm512_set1_epi32(int(sp.low[c]));
    const int8_t* run = base + size_t(c) * G * 64;
    for (int g = 0; g < G; ++g) l[g] = _mm512_dpbusd_epi32(l[g], bl, _mm512_loadu_si512(run + 64 * g));
  }
  for (int i = 0; i < sp.n_hot; ++i) {
    const int c = sp.hot[i];
    const __m512i bh = _mm512_set1_epi32(int(sp.high[c]));
    const int8_t* run = base + size_t(c) * G * 64;
    for (int g = 0; g < G; ++g) h[g] = _mm512_dpbusd_epi32(h[g], bh, _mm512_loadu_si512(run + 64 * g));
  }
  for (int g = 0; g < G; ++g) _mm512_storeu_si512(out + 16 * g, _mm512_add_epi32(_mm512_slli_epi32(h[g], 8), l[g]));
}

}  // namespace

// Scores of NB blocks of 16 positions (pairs layout): lanes are positions; vpdpwssd adds, per
// lane, two columns' products of int16 q with the widened memory. Each int32 lane sums at most
// 256 columns (< 2^30) before it is added into int64, so any d <= 4096 is exact.
template <int NB>
void score_blocks(const AttnMemory& m, const int16_t* q, int b0, int n, int64_t* scores) {
  const int pairs = m.d / 2;
  __m512i lo[NB], hi[NB];
  for (int i = 0; i < NB; ++i) lo[i] = hi[i] = _mm512_setzero_si512();
  const int8_t* blk = m.by_pos.data() + size_t(b0) * 16 * size_t(m.d);
  for (int c0 = 0; c0 < pairs; c0 += 128) {
    const int c1 = pairs < c0 + 128 ? pairs : c0 + 128;
    __m512i a[NB];
    for (int i = 0; i < NB; ++i) a[i] = _mm512_setzero_si512();
    for (int c = c0; c < c1; ++c) {
      int32_t q2;
      std::memcpy(&q2, q + 2 * c, 4);
      const __m512i qb = _mm512_set1_epi32(q2);
      for (int i = 0; i < NB; ++i) a[i] = _mm512_dpwssd_epi32(a[i], qb, widen(blk + size_t(i) * 16 * size_t(m.d) + 32 * size_t(c)));
    }
    for (int i = 0; i < NB; ++i) {
      lo[i] = _mm512_add_epi64(lo[i], _mm512_cvtepi32_epi64(_mm512_castsi512_si256(a[i])));
      hi[i] = _mm512_add_epi64(hi[i], _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a[i], 1)));
    }
  }
  for (int i = 0; i < NB; ++i) {
    const int p0 = 16 * (b0 + i);
    alignas(64) int64_t out[16];
    _mm512_store_si512(out, lo[i]);
    _mm512_store_si512(out + 8, hi[i]);
    for (int j = 0; j < 16 && p0 + j < n; ++j) scores[p0 + j] = out[j];
  }
}

void attn_scores_avx512(const AttnMemory& m, const int16_t* q, int n, int64_t* scores) {
  const int blocks = (n + 15) / 16;
  int b = 0;
  for (; b + 4 <= blocks; b += 4) score_blocks<4>(m, q, b, n, scores);
  for (; b < blocks; ++b) score_blocks<1>(m, q, b, n, scores);
}

void attn_mix_avx512(const AttnMemory& m, const int32_t* p, int n, int32_t* acc) {
  const int d = m.d, quads = (n + 3) / 4;
  const MixSplit sp = mix_split(p, n, 8);
  const size_t wpad = size_t(m.wpad);
  for (int c0 = 0; c0 < d; c0 += kMixChunk) {
    const int cw = d - c0 < kMixChunk ? d - c0 : kMixChunk;
    const int8_t* base = m.by_col.data() + size_t(c0) * wpad;
    int32_t* out = acc + c0;
    switch (cw / 16) {
      case 1: mix_chunk<1>(base, sp, quads, out); break;
      case 2: mix_chunk<2>(base, sp, quads, out); break;
      case 3: mix_chunk<3>(base, sp, quads, out); break;
      case 4: mix_chunk<4>(base, sp, quads, out); break;
      case 5: mix_chunk<5>(base, sp, quads, out); break;
      case 6: mix_chunk<6>(base, sp, quads, out); break;
      case 7: mix_chunk<7>(base, sp, quads, out); break;
      default: mix_chunk<8>(base, sp, quads, out); break;
    }
  }
}

}  // namespace shz::sharnn
