#include "model/stages/mix_stage.h"

#include <algorithm>

#include "model/stages/logistic.h"
#include "util/fixed_point.h"

namespace shz {
namespace {

constexpr uint32_t kPhi = 0x9E3779B1u;  // 2^32 / golden ratio: the multiplier of every hash here
constexpr int kContextLen[MixStage::kOrders - 1] = {1, 2, 3, 4, 6};  // the last counter's is the word
constexpr size_t kMaxWord = 32;  // a word context looks back this far at most

// The hash that finds a nibble's counter block: the context's hash h and the bits c0 of the
// byte before the nibble (1, or 16 to 31), after a leading 1. Its low 16 bits are the check.
uint32_t block_hash(uint32_t h, uint32_t c0) { return (h + c0 * 0x2F0B3C5u) * kPhi; }

// A letter for the word context: ASCII letters (upper case folded to lower) and every byte
// >= 128 (UTF-8 sequences of other scripts); -1 for any other byte.
int word_char(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 'a' && c <= 'z') || c >= 128) return c;
  return -1;
}

constexpr int32_t kMaxWeight = 16 << 16;      // |weight| <= 16: keeps the dot product in range
constexpr uint16_t kCounterInit = 2048 << 4;  // probability 1/2, no updates

// A counter's entry: Q12 probability of a 1 in the top 12 bits, updates so far (up to 15) in
// the low 4. Its rate is 1/(n + 1.5) after n updates: a fresh context learns fast.
// The rates (adaptive_rate) as a table: no division in the bit loop.
constexpr struct CounterRates {
  uint32_t r[16];
  constexpr CounterRates() : r() {
    for (uint32_t n = 0; n < 16; ++n) r[n] = adaptive_rate(n);
  }
} kCounterRates;

uint16_t counter_update(uint16_t e, int y) {
  uint32_t p = e >> 4, n = e & 15;
  const uint32_t r = kCounterRates.r[n];
  if (y)
    p += ((4095 - p) * r) >> 16;
  else
    p -= (p * r) >> 16;
  return uint16_t(p << 4 | std::min<uint32_t>(n + 1, 15));
}

// The mass of the n entries from f: sums of halves, quarters... instead of a running sum
// over all 256 (a chain of dependent adds), so the loop runs on vector lanes. A valid pmf
// sums to at most 2^24: 32 bits hold any of its sums.
uint32_t mass(const uint32_t* f, int n) {
  uint32_t m = 0;
  for (int s = 0; s < n; ++s) m += f[s];
  return m;
}

}  // namespace

int MixStage::apm_row(uint32_t c1, uint32_t c0) const { return int(((c1 << 8 | c0) * kPhi) >> (32 - apm_bits_)); }

uint16_t* MixStage::block_at(int k, uint32_t x) {
  return &counters_[(size_t(k) << hash_bits_) + (size_t(x >> (36 - hash_bits_)) << 4)];
}

void MixStage::reset(uint64_t size) {
  hash_bits_ = kMinHashBits;
  while (hash_bits_ < kMaxHashBits && (uint64_t(1) << hash_bits_) < 4 * size) ++hash_bits_;
  apm_bits_ = std::min(hash_bits_ - 4, kMaxApmBits);
  counters_.assign(size_t(kOrders) << hash_bits_, kCounterInit);
  for (auto& w : weights_) {
    std::fill(w, w + kInputs, 0);
    w[0] = 65536;  // the pmf alone at first
  }
  apm_.reset(1 << apm_bits_);
  next_t_ = 0;
}

// The counters' context hashes for byte u, given its segment's bytes before it as at(i):
// the last n bytes (0 before the segment's start), seeded by n + 1; the word, the letters
// just before u (none after a non-letter), seeded by 1.
template <class ByteAt>
void context_hashes(size_t u, ByteAt at, uint32_t* h) {
  for (int k = 0; k + 1 < MixStage::kOrders; ++k) {
    uint32_t x = uint32_t(kContextLen[k] + 1) * kPhi;
    for (int j = 1; j <= kContextLen[k]; ++j) x = (x ^ (u >= size_t(j) ? at(u - j) : 0)) * kPhi;
    h[k] = x;
  }
  uint32_t word = kPhi;
  for (size_t j = u; j > 0 && u - j < kMaxWord && word_char(at(j - 1)) >= 0; --j)
    word = (word ^ uint32_t(word_char(at(j - 1)))) * kPhi;
  h[MixStage::kOrders - 1] = word;
}

template <class CodeBit>
uint8_t MixStage::code(const uint32_t* pmf, const uint8_t* hist, size_t t, CodeBit code_bit) {
  // This byte's context hashes: computed at the end of the previous byte (for its
  // prefetch) unless this is the segment's first.
  uint32_t h[kOrders];
  if (t == 0 || t != next_t_)
    context_hashes(t, [&](size_t i) { return hist[i]; }, h);
  else
    std::copy(next_h_, next_h_ + kOrders, h);
  const uint32_t c1 = t > 0 ? hist[t - 1] : 0;
  const int16_t* stretch = logistic::stretch_table();
  uint32_t c0 = 1;  // the bits coded so far, after a leading 1
  int lo = 0;       // the symbols still possible: [lo, lo + 2^(bit + 1))
  uint64_t all = mass(pmf, 256);  // their mass
  uint16_t* block[kOrders];  // each order's 16 entries for this nibble of the byte
  uint32_t j = 1;            // the bits of this nibble so far, after a leading 1: the entry
  for (int bit = 7; bit >= 0; --bit) {
    if ((bit & 3) == 3) {
      // A nibble starts: each order's block of 16 entries, found by its context and the
      // bits so far. Entry 0 holds a 16-bit check of the hash; of the two blocks the hash
      // may use, the one with the check is taken, else the one whose first counter has
      // seen fewer updates starts afresh under it.
      for (int k = 0; k < kOrders; ++k) {
        const uint32_t x = block_hash(h[k], c0);
        const uint16_t check = uint16_t(x);
        uint16_t* q = block_at(k, x);
        uint16_t* other = block_at(k, x ^ (1u << (36 - hash_bits_)));
        if (q[0] != check) {
          if (other[0] == check) {
            q = other;
          } else {
            if ((other[1] & 15) < (q[1] & 15)) q = other;
            q[0] = check;
            std::fill(q + 1, q + 16, kCounterInit);
          }
        }
        block[k] = q;
      }
      j = 1;
    }
    const int mid = lo + (1 << bit);
    const uint64_t ones = mass(pmf + mid, 1 << bit);  // of the upper half, where the bit is 1
    int32_t in[kInputs];
    in[0] = stretch[std::clamp<uint64_t>((ones << 16) / all, 1, 65535)];
    in[1] = 256;
    uint16_t* e[kOrders];
    for (int k = 0; k < kOrders; ++k) {
      e[k] = &block[k][j];
      in[2 + k] = (*e[k] & 15) ? stretch[uint32_t(*e[k] >> 4) << 4 | 8] : 0;
    }
    int32_t* w = weights_[7 - bit];
    int64_t dot = 0;
    for (int i = 0; i < kInputs; ++i) dot += int64_t(w[i]) * in[i];
    const int x = int(std::clamp<int64_t>(floor_shift(dot, 16), -logistic::kLimit, logistic::kLimit - 1));
    const uint32_t p_mix = std::clamp<uint32_t>(logistic::squash(x), 1, 65535);
    const uint32_t p_apm = apm_.map(apm_row(c1, c0), x);
    // The next bit's APM row is one of two, and (before a nibble's last bit) the next
    // nibble's blocks are one of two per order: fetch them while this bit is coded.
    if (bit > 0) {
      apm_.prefetch(apm_row(c1, c0 << 1));
      apm_.prefetch(apm_row(c1, c0 << 1 | 1));
    }
    if (bit == 4)
      for (int k = 0; k < kOrders; ++k)
        for (uint32_t y2 = 0; y2 < 2; ++y2) __builtin_prefetch(block_at(k, block_hash(h[k], c0 << 1 | y2)));
    const uint32_t p1 = std::clamp<uint32_t>((p_mix + p_apm + 1) >> 1, 1, 65535);
    const int y = code_bit(p1, bit);
    // Learn: the mixer by gradient on the coding cost of p_mix (rate 2^-17), the APM and
    // the counters toward y.
    const int64_t err = int64_t(y << 16) - int64_t(p_mix);
    for (int i = 0; i < kInputs; ++i)
      w[i] = int32_t(std::clamp<int64_t>(w[i] + floor_shift(in[i] * err, 17), -kMaxWeight, kMaxWeight));
    apm_.update(y != 0);
    for (int k = 0; k < kOrders; ++k) *e[k] = counter_update(*e[k], y);
    c0 = c0 << 1 | uint32_t(y);
    j = j << 1 | uint32_t(y);
    if (y) lo = mid;
    all = y ? ones : all - ones;
  }
  // The next byte's first blocks and APM row, while the model computes its pmf.
  const uint8_t b = uint8_t(c0);
  context_hashes(t + 1, [&](size_t i) { return i == t ? b : hist[i]; }, next_h_);
  next_t_ = t + 1;
  for (int k = 0; k < kOrders; ++k) __builtin_prefetch(block_at(k, block_hash(next_h_[k], 1)));
  apm_.prefetch(apm_row(b, 1));
  return b;
}

void MixStage::encode(RangeEncoder& enc, const uint32_t* pmf, const uint8_t* hist, size_t t) {
  const uint8_t b = hist[t];
  code(pmf, hist, t, [&](uint32_t p1, int bit) {
    const int y = (b >> bit) & 1;
    if (y)
      enc.encode(0, p1, 16);
    else
      enc.encode(p1, 65536 - p1, 16);
    return y;
  });
}

uint8_t MixStage::decode(RangeDecoder& dec, const uint32_t* pmf, const uint8_t* hist, size_t t) {
  return code(pmf, hist, t, [&](uint32_t p1, int) { return dec.decode_bit(p1, 16); });
}

}  // namespace shz
