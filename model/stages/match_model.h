// The match model of format 4's "model+match" segments (docs/FORMAT.md, "Match model"):
// two matchers, one on the last 4 bytes and one on the last 8, each find the latest earlier
// occurrence of that context in the segment, take the byte that followed it as the likely
// next byte, and move that byte's probability in the model's pmf to what an adaptive table
// has learned such predictions are worth. A 1024-byte attention window cannot see a repeat
// 5 KB back; this can, for ~1 us a byte.
//
// Integers only and state per segment, so encoder and decoder compute the same pmf on any
// machine, with the segment still decodable on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/stages/apm.h"

namespace shz {

// One matcher: context length `min_len`, its hash table and its adaptive table.
class Matcher {
 public:
  static constexpr int kMaxVerify = 32;    // a new match's length is counted back this far at most
  static constexpr int kLenContexts = 12;  // table contexts: min(match length, 11); 1 also while recovering
  static constexpr uint64_t kRecoverAfter = 6;  // a match this long survives one wrong byte

  explicit Matcher(int min_len) : min_len_(min_len) {}
  void reset(uint64_t size, bool avx2);
  void refine(const uint8_t* hist, uint32_t* pmf, int bits);
  void update(const uint8_t* hist, size_t t);

 private:
  // update(t) computes where byte t's context sits in the table and prefetches it; the
  // lookup (a new match?) and the insertion wait until the next refine() or update(),
  // which come after the model's next step: with many segments in flight the table entry
  // has arrived by then instead of stalling every byte. Same results either way.
  void settle(const uint8_t* hist);

  int min_len_;
  int hash_bits_ = 10;
  std::vector<uint32_t> table_;  // hash of min_len bytes -> 1 + index of the byte after them
  uint64_t ptr_ = 0;             // the byte the current match predicts next
  uint64_t len_ = 0;             // current match length (0: none)
  bool recovering_ = false;      // the match missed one byte and goes on past it
  Apm<8> apm_;  // by context min(length, 11): what the expected byte's probability is worth
  // What refine() used, for update().
  bool active_ = false;
  uint8_t expected_ = 0;
  bool avx2_ = false;  // scale the pmf with the AVX2 build of the loop (same results)
  bool pending_ = false;  // a lookup settle() has still to do: table_[pending_h_] for byte pending_t_
  uint32_t pending_h_ = 0;
  size_t pending_t_ = 0;
};

class MatchModel {
 public:
  static constexpr int kShortLen = 4, kLongLen = 8;  // the two matchers' context lengths
  static constexpr int kMinPmfBits = 12;              // pmfs with fewer bits are left as they are

  // Fresh state for a segment of `size` bytes (the table sizes depend on it); `avx2` runs
  // the pmf's scaling loop's AVX2 build (same results; the CPU must have AVX2).
  void reset(uint64_t size, bool avx2);
  // Refines pmf (entries >= 1 summing to 2^bits) for the segment's next byte, given its
  // bytes so far in hist (as many as update() has seen): the short matcher, then the long
  // one. The result is again a valid pmf.
  void refine(const uint8_t* hist, uint32_t* pmf, int bits);
  // Learns from byte hist[t], just coded (hist holds bytes 0..t).
  void update(const uint8_t* hist, size_t t);

 private:
  Matcher short_{kShortLen}, long_{kLongLen};
};

}  // namespace shz
