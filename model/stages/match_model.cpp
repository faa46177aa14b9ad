#include "model/stages/match_model.h"

#include <algorithm>

#include "model/sharnn/kernels.h"

namespace shz {
namespace {

// stretch for 16-bit probabilities by their top 12 bits: the least x in [-2048, 2047] with
// squash(x) >= the bucket's middle (2047 when none is). Coarser than logistic::stretch, and
// part of format 4's arithmetic.
struct StretchTable {
  int16_t v[4096];
  StretchTable() {
    int x = -2048;
    for (int i = 0; i < 4096; ++i) {
      while (x < 2047 && logistic::squash(x) < uint32_t(i * 16 + 8)) ++x;
      v[i] = int16_t(x);
    }
  }
};
const StretchTable& stretch_table() {
  static const StretchTable t;
  return t;
}

// f = max(1, f * sh + floor(f * sl / 2^32)) for all 256 entries; returns their sum (mod
// 2^32). One body, compiled twice: for SSE2 and for AVX2 (8 lanes, and the 32-bit multiply
// SSE2 lacks), chosen like the engine's kernels (EngineTuning::simd); integers, so the same results.
__attribute__((always_inline)) inline uint32_t scale_all_body(uint32_t* pmf, uint32_t sh, uint32_t sl) {
  uint32_t rest = 0;
  for (int s = 0; s < 256; ++s) {
    const uint32_t f = std::max<uint32_t>(1, pmf[s] * sh + uint32_t((uint64_t(pmf[s]) * sl) >> 32));
    pmf[s] = f;
    rest += f;
  }
  return rest;
}
uint32_t scale_all_base(uint32_t* pmf, uint32_t sh, uint32_t sl) { return scale_all_body(pmf, sh, sl); }
#if defined(__x86_64__)
__attribute__((target("avx2"))) uint32_t scale_all_avx2(uint32_t* pmf, uint32_t sh, uint32_t sl) {
  return scale_all_body(pmf, sh, sl);
}
#endif

}  // namespace

void Matcher::reset(uint64_t size, bool avx2) {
  avx2_ = avx2;
  hash_bits_ = 10;
  while (hash_bits_ < 16 && (uint64_t(1) << hash_bits_) < size) ++hash_bits_;
  table_.assign(size_t(1) << hash_bits_, 0);
  ptr_ = len_ = 0;
  recovering_ = false;
  apm_.reset(kLenContexts);
  active_ = false;
  pending_ = false;
}

void Matcher::refine(const uint8_t* hist, uint32_t* pmf, int bits) {
  settle(hist);
  active_ = false;
  if (len_ == 0 && !recovering_) return;
  const uint32_t total = uint32_t(1) << bits;
  expected_ = hist[ptr_];
  const uint32_t fe = pmf[expected_];
  uint32_t p16 = bits >= 16 ? fe >> (bits - 16) : fe << (16 - bits);
  p16 = std::clamp<uint32_t>(p16, 1, 65535);
  const int ctx = recovering_ ? 1 : int(std::min<uint64_t>(len_, kLenContexts - 1));
  const uint32_t ph = std::clamp<uint32_t>(apm_.map(ctx, stretch_table().v[p16 >> 4]), 32, 65504);
  uint32_t target = bits >= 16 ? ph << (bits - 16) : ph >> (16 - bits);
  target = std::clamp<uint32_t>(target, 256, total - 256);
  // Scale the other 255 entries from total - fe to total - target: each becomes
  // max(1, floor(f * scale / 2^32)); the expected byte takes what remains, within 255 of
  // target. scale < 2^56 is split as sh * 2^32 + sl so the loop runs on 32-bit lanes with
  // the same results: f * sh has no bits below 2^32 to lose, and for the 255 other entries
  // it is below 2^24 (their results are); the expected entry's own product may wrap, but it
  // is subtracted again in the same modular sum and then overwritten.
  const uint64_t scale = (uint64_t(total - target) << 32) / (total - fe);
#if defined(__x86_64__)
  const uint32_t rest = avx2_ ? scale_all_avx2(pmf, uint32_t(scale >> 32), uint32_t(scale))
                              : scale_all_base(pmf, uint32_t(scale >> 32), uint32_t(scale));
#else
  const uint32_t rest = scale_all_base(pmf, uint32_t(scale >> 32), uint32_t(scale));
#endif
  pmf[expected_] = total - (rest - pmf[expected_]);
  active_ = true;
}

void Matcher::update(const uint8_t* hist, size_t t) {
  settle(hist);
  const uint8_t b = hist[t];
  if (active_) {
    apm_.update(b == expected_);
    active_ = false;
  }
  if (len_ > 0 || recovering_) {
    if (hist[ptr_] == b) {
      len_ = recovering_ ? 1 : len_ + 1;
      recovering_ = false;
      ++ptr_;
    } else if (!recovering_ && len_ >= kRecoverAfter) {
      // One wrong byte in a long match (a changed word, a number): try the byte after it.
      recovering_ = true;
      len_ = 0;
      ++ptr_;
    } else {
      len_ = 0;
      recovering_ = false;
    }
  }
  if (t + 1 < size_t(min_len_)) return;
  uint32_t h = 0;
  for (int j = 0; j < min_len_; ++j) h = (h ^ hist[t - size_t(j)]) * 0x9E3779B1u;
  pending_h_ = h >> (32 - hash_bits_);
  pending_t_ = t;
  pending_ = true;
  __builtin_prefetch(&table_[pending_h_]);
}

void Matcher::settle(const uint8_t* hist) {
  if (!pending_) return;
  pending_ = false;
  const uint32_t h = pending_h_;
  const size_t t = pending_t_;
  const uint32_t cand = table_[h];
  if (len_ == 0 && cand != 0) {
    uint64_t l = 0;
    while (l < uint64_t(kMaxVerify) && l < cand && hist[cand - 1 - l] == hist[t - l]) ++l;
    if (l >= uint64_t(min_len_)) {
      len_ = l;
      ptr_ = cand;
      recovering_ = false;
    }
  }
  table_[h] = uint32_t(t + 1);
}

void MatchModel::reset(uint64_t size, bool avx2) {
  short_.reset(size, avx2);
  long_.reset(size, avx2);
}

void MatchModel::refine(const uint8_t* hist, uint32_t* pmf, int bits) {
  if (bits < kMinPmfBits) return;
  short_.refine(hist, pmf, bits);
  long_.refine(hist, pmf, bits);
}

void MatchModel::update(const uint8_t* hist, size_t t) {
  short_.update(hist, t);
  long_.update(hist, t);
}

}  // namespace shz
