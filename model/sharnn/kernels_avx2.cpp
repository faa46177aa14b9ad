// AVX2 kernel (compiled with -mavx2; called only when the CPU has it). vpmaddwd multiplies
// int16 pairs and adds them into int32 without saturation, so int8 values widened to int16
// give exact sums. vpmaddubsw saturates at int16, so it is used only where its operands
// are bounded well inside it (the mix, below).
#include <immintrin.h>

#include <cstring>

#include "kernels.h"
#include "util/checked_once.h"

// The sanitizer build checks matmul once a call (util/checked_once.h): ASan's and UBSan's
// per-access checks kept its loops from being optimised (three quarters of every SHA-RNN
// test's time there). What it checks instead (matmul_checked) is what keeps every access in
// bounds: the packed matrix holds exactly the padded shape the loops walk, and x and acc
// are readable and writable over the k rows they cover.

namespace shz::sharnn {
namespace {

#include "isa_scratch.inc"
#include "isa_mix_split.inc"

#if SHZ_CHECKED_ONCE
void matmul_checked(const PackedMatrix& m, const int8_t* x, int k, const int32_t* acc) {
  auto fail = [&](const char* what) { checked_once_fail("matmul_avx2: %s (%d x %d, k = %d)", what, m.rows, m.cols, k); };
  if (m.rows_pad % 8 || m.cols_pad % 2 || m.rows > m.rows_pad || m.cols > m.cols_pad || k < 0)
    fail("a shape the kernel does not walk");
  if (m.w16.size() != size_t(m.rows_pad) * size_t(m.cols_pad)) fail("a packed matrix of another size");
  if (k > 0 && (__asan_region_is_poisoned(const_cast<int8_t*>(x), size_t(k) * size_t(m.cols)) ||
                __asan_region_is_poisoned(const_cast<int32_t*>(acc), size_t(k) * size_t(m.rows) * 4)))
    fail("x or acc shorter than k rows");
}
#endif

// NB blocks of 8 output rows x R input rows, over all columns.
template <int NB, int R>
SHZ_CHECKED_ONCE_ATTR void tile(const PackedMatrix& m, const uint32_t* xp, int pairs, int rb, int r0, int32_t* acc) {
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
SHZ_CHECKED_ONCE_ATTR void tile_rows(const PackedMatrix& m, const uint32_t* xp, int pairs, int rb, int r0, int n, int32_t* acc) {
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

SHZ_CHECKED_ONCE_ATTR void matmul_avx2(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc) {
#if SHZ_CHECKED_ONCE
  matmul_checked(m, x, k, acc);
#endif
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

namespace {

// Mix over G groups of 8 columns of one chunk of the column-major copy (layout in
// kernels_avx512.cpp): lanes are columns, each 32-bit lane four positions' bytes.
// vpmaddubsw multiplies unsigned by signed bytes into int16 pair sums, which saturate past
// 32767, so p is split as 128 * ph + pl: pl <= 127 gives pairs <= 2 * 127 * 127; ph <= 255,
// and since the probabilities sum to at most 2^15, two positions' ph sum to at most 256:
// pairs <= 256 * 127. Both exact; vpmaddwd by ones then adds the pairs into int32
// (L <= n * 127 * 127, H <= 256 * 127). The ph pass visits only quads listed in `hot`.
template <int G>
void mix_groups(const int8_t* base, int stride, const MixSplit& sp, int quads, int32_t* out) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i l[G], h[G];
  for (int g = 0; g < G; ++g) l[g] = h[g] = _mm256_setzero_si256();
  for (int c = 0; c < quads; ++c) {
    const __m256i b = _mm256_set1_epi32(int(sp.low[c]));
    const int8_t* run = base + size_t(c) * size_t(stride);
    for (int g = 0; g < G; ++g) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(run + 32 * g));
      l[g] = _mm256_add_epi32(l[g], _mm256_madd_epi16(_mm256_maddubs_epi16(b, v), ones));
    }
  }
  for (int i = 0; i < sp.n_hot; ++i) {
    const int c = sp.hot[i];
    const __m256i b = _mm256_set1_epi32(int(sp.high[c]));
    const int8_t* run = base + size_t(c) * size_t(stride);
    for (int g = 0; g < G; ++g) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(run + 32 * g));
      h[g] = _mm256_add_epi32(h[g], _mm256_madd_epi16(_mm256_maddubs_epi16(b, v), ones));
    }
  }
  for (int g = 0; g < G; ++g)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * g), _mm256_add_epi32(_mm256_slli_epi32(h[g], 7), l[g]));
}

}  // namespace

void attn_mix_avx2(const AttnMemory& m, const int32_t* p, int n, int32_t* acc) {
  const int d = m.d, quads = (n + 3) / 4;
  const MixSplit sp = mix_split(p, n, 7);
  const size_t wpad = size_t(m.wpad);
  for (int c0 = 0; c0 < d; c0 += kMixChunk) {
    const int cw = d - c0 < kMixChunk ? d - c0 : kMixChunk;  // a multiple of 16
    const int8_t* chunk = m.by_col.data() + size_t(c0) * wpad;
    for (int g0 = 0; g0 < cw / 8; g0 += 8) {  // up to 8 groups of 8 columns per pass
      const int8_t* base = chunk + 32 * g0;
      int32_t* out = acc + c0 + 8 * g0;
      const int stride = 4 * cw;
      switch (cw / 8 - g0 < 8 ? cw / 8 - g0 : 8) {
        case 2: mix_groups<2>(base, stride, sp, quads, out); break;
        case 4: mix_groups<4>(base, stride, sp, quads, out); break;
        case 6: mix_groups<6>(base, stride, sp, quads, out); break;
        default: mix_groups<8>(base, stride, sp, quads, out); break;
      }
    }
  }
}

}  // namespace shz::sharnn
