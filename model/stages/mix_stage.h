// The mixing stage of format 5's "model+match+mix" segments (docs/FORMAT.md, "Mixing stage").
// Each byte is coded as eight binary decisions, top bit first. For each, the pmf (the model's,
// refined by the match model) gives the probability of a 1 as the mass of the upper half of
// the symbols still possible; six adaptive counters give theirs under the segment's last 1,
// 2, 3, 4 and 6 bytes and under the word being written; a logistic mixer with one weight set
// per bit position combines them, and an APM on the previous byte and the bits seen so far
// corrects the mix. The model is fixed after training;
// this stage learns the segment in hand (its words, its markup, how far the model can be
// trusted on it), which is where the model is weakest.
//
// Integers only and state per segment, so encoder and decoder compute the same probability
// for every bit on any machine, and a segment still decodes on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/stages/apm.h"
#include "coder/range_coder.h"
#include "util/table_buffer.h"

namespace shz {

class MixStage {
 public:
  static constexpr int kOrders = 6;            // counters on the last 1, 2, 3, 4, 6 bytes, the word
  static constexpr int kInputs = kOrders + 2;  // the pmf, a bias, the counters
  // Sizes follow the segment's, so a short segment does not pay for a long one's tables:
  // 2^H counter entries per order with H the least in 8..18 such that 2^H >= 4 x size, and
  // 2^min(H - 4, 12) APM rows (by a hash of the previous byte and the bits so far).
  static constexpr int kMinHashBits = 8, kMaxHashBits = 18, kMaxApmBits = 12;

  // Fresh state for a segment of `size` bytes (the table sizes depend on it).
  void reset(uint64_t size);
  // Codes hist[t] under pmf (a valid pmf, any total); hist holds the segment's bytes 0..t.
  void encode(RangeEncoder& enc, const uint32_t* pmf, const uint8_t* hist, size_t t);
  // Decodes byte t under pmf; hist holds the segment's bytes 0..t-1.
  uint8_t decode(RangeDecoder& dec, const uint32_t* pmf, const uint8_t* hist, size_t t);

 private:
  // The one definition of the stage's arithmetic: code_bit(p1, bit) codes (or decodes) the
  // byte's bit `bit` with probability p1/65536 of a 1 and returns it.
  template <class CodeBit>
  uint8_t code(const uint32_t* pmf, const uint8_t* hist, size_t t, CodeBit code_bit);

  // Order k's block of 16 counter entries for block hash x (its top hash_bits_ - 4 bits).
  uint16_t* block_at(int k, uint32_t x);

  // The APM's row for the previous byte c1 and the bits c0 of this one so far.
  int apm_row(uint32_t c1, uint32_t c0) const;

  int hash_bits_ = kMinHashBits;
  int apm_bits_ = kMinHashBits - 4;
  // kOrders tables of 2^hash_bits_ entries in blocks of 16, one block per context and nibble:
  // entry 0 a check of the hash, entries 1..15 (by the nibble's bits so far, after a leading
  // 1) counters, each a Q12 probability << 4 | its updates so far, up to 15.
  TableBuffer<uint16_t> counters_;
  int32_t weights_[8][kInputs];     // Q16, one set per bit position
  Apm<12> apm_;                     // 2^apm_bits_ rows
  uint32_t next_h_[kOrders] = {};   // the context hashes of byte next_t_ (0: none yet)
  size_t next_t_ = 0;
};

}  // namespace shz
