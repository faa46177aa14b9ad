// Coding one byte with a 256-entry integer frequency table (a "pmf"), the only thing
// a model hands to the coder. A pmf is valid when every entry is >= 1 and the entries
// sum to exactly 2^bits: every byte stays codable, none is certain.
#pragma once

#include <cstdint>

#include "range_coder.h"

namespace shz {

// True when freq[0..255] is a valid pmf for total 2^bits.
inline bool pmf_valid(const uint32_t* freq, int bits) {
  if (bits < 8 || bits > kMaxTotalBits) return false;
  uint64_t sum = 0;
  for (int s = 0; s < 256; ++s) {
    if (freq[s] == 0) return false;
    sum += freq[s];
  }
  return sum == (uint64_t(1) << bits);
}

// Codes `symbol` under `freq`. Precondition: pmf_valid(freq, bits).
inline void pmf_encode(RangeEncoder& enc, const uint32_t* freq, int bits, uint8_t symbol) {
  uint32_t start = 0;
  for (int s = 0; s < symbol; ++s) start += freq[s];
  enc.encode(start, freq[symbol], bits);
}

// Decodes one symbol under `freq`. Precondition: pmf_valid(freq, bits).
inline uint8_t pmf_decode(RangeDecoder& dec, const uint32_t* freq, int bits) {
  const uint32_t target = dec.peek(bits);
  uint32_t start = 0;
  int s = 0;
  // The clamp in peek() guarantees target < 2^bits, so s stops at 255 at the latest.
  while (s < 255 && start + freq[s] <= target) start += freq[s++];
  dec.consume(start, freq[s]);
  return uint8_t(s);
}

}  // namespace shz
