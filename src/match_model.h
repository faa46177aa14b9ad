// The match model of format 4's "model+match" segments (docs/FORMAT.md, "Match model"):
// finds the latest earlier occurrence of the last 5+ bytes of the segment, takes the byte
// that followed it as the likely next byte, and moves that byte's probability in the
// model's pmf to what an adaptive table has learned such predictions are worth. A 1024-byte
// attention window cannot see a repeat 5 KB back; this can, for ~1 us a byte.
//
// Integers only and state per segment, so encoder and decoder compute the same pmf on any
// machine, with the segment still decodable on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

class MatchModel {
 public:
  static constexpr int kMinLen = 5;     // bytes hashed, and the shortest match used
  static constexpr int kMaxVerify = 32; // a new match's length is counted back this far at most
  static constexpr int kLenContexts = 12;  // table contexts: min(match length, 11)
  static constexpr int kBins = 33;      // interpolation points over stretch(p) in [-8, 8)
  static constexpr int kMinPmfBits = 12;  // pmfs with fewer bits are left as they are

  // Fresh state for a segment of `size` bytes (the table size depends on it).
  void reset(uint64_t size);
  // Refines pmf (entries >= 1 summing to 2^bits) for byte `t` of the segment, given
  // hist[0..t), the segment's bytes so far. The result is again a valid pmf.
  void refine(const uint8_t* hist, size_t t, uint32_t* pmf, int bits);
  // Learns from byte hist[t], just coded (hist holds bytes 0..t).
  void update(const uint8_t* hist, size_t t);

 private:
  int hash_bits_ = 10;
  std::vector<uint32_t> table_;  // hash of 5 bytes -> 1 + index of the byte after them
  uint64_t ptr_ = 0;             // the byte the current match predicts next
  uint64_t len_ = 0;             // current match length (0: none)
  uint16_t apm_[kLenContexts][kBins];
  uint8_t seen_[kLenContexts];   // updates per context, up to 255: sets the learning rate
  // What refine() used, for update().
  bool active_ = false;
  uint8_t expected_ = 0;
  int ctx_ = 0, bin_ = 0, weight_ = 0;
};

}  // namespace shz
