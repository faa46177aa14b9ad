// The context-mixing model of format 6's "cm" blocks (docs/FORMAT.md, "Context mixing").
//
// A block is cut into lanes of equal length (the last may be shorter) that are coded in
// lock-step: byte t of lane 0, byte t of lane 1, ..., then byte t + 1 of each. Each lane may
// have a neural model (the SHA-RNN, one batch slot per lane, fresh at the lane's start)
// whose pmf is one input among many; everything else is shared by all lanes and learns from
// every byte in that fixed order: bit histories under hashed contexts of the lane's own
// recent bytes (orders 0-8, words, sparse, columns, records, indirect), a match model that
// finds repeats anywhere in the block's bytes coded so far, two layers of gated mixers and
// two APMs. So the statistics learn the whole block, as a sequential context-mixing
// compressor does, while the model still advances as a batch.
//
// Integers only: the decoder, running the same steps in the same order, computes the same
// probability for every bit on any machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/stages/apm.h"
#include "bucket_table.h"
#include "cm_config.h"
#include "mixer.h"
#include "state_map.h"

namespace shz::cm {

// The neural model's view of one byte, for the mixer: its probability that each bit is a 1
// given the bits before it. Either the 8 probabilities along the byte that is being coded
// (path: an encoder that knows the byte), or the pmf's cumulative sums, from which any
// bit's probability follows (cum[0..256], cum[256] = the total), or neither (no model).
struct ModelBits {
  const uint16_t* path = nullptr;  // path[7 - bit]: Q16, for the byte's own bits
  const uint32_t* cum = nullptr;
  // The probability (Q16, 1..65535) that the byte's bit `bit` is 1, given that its bits
  // above `bit` are those of c0 (after a leading 1).
  uint32_t p1(int bit, uint32_t c0) const;
};

// The 8 probabilities along byte b of a pmf with cumulative sums cum (what p1 gives).
void model_bits_path(const uint32_t* cum, uint8_t b, uint16_t* path);
// cum[0..256] of pmf f.
void pmf_cumulative(const uint32_t* f, uint32_t* cum);

// Codes (or decodes) one binary decision: bit `bit` of the byte (7 = the top one) with
// probability p1 (Q16, 1..65535) of a 1; returns the bit.
class BitCoder {
 public:
  virtual ~BitCoder() = default;
  virtual int code(uint32_t p1, int bit) = 0;
};

class CmModel {
 public:
  CmModel();
  ~CmModel();
  // Fresh state for a block of `size` bytes in lanes of `lane_size` bytes, coded into or out
  // of buf[0..size) (the encoder's bytes, or the decoder's output as it fills).
  void reset(const CmConfig& cfg, uint8_t* buf, size_t size, size_t lane_size);
  size_t lanes() const;
  // Bytes of `lane` coded so far.
  size_t coded(size_t lane) const;
  // Codes lane's next byte, bit by bit through `coder`; the byte is stored into buf and
  // returned. Lanes must be called in lock-step order (lane 0..n-1 at step t, then t + 1;
  // lanes already complete are skipped).
  uint8_t code(size_t lane, const ModelBits& mb, BitCoder& coder);
  // A hint that lane's next byte will be coded soon: fetches its first buckets.
  void prefetch(size_t lane) const;

 private:
  struct Lane;
  struct Impl;
  // Whether buf[q] is known to a decoder now: coded already, in its lane.
  bool known(size_t q) const;
  // After byte b of lane l: its history, the shared tables and the matches learn it, and
  // the next byte's contexts are hashed.
  void byte_end(Lane& l, uint8_t b);

  std::unique_ptr<Impl> m_;
  std::vector<Lane> lanes_;
};

}  // namespace shz::cm
