// The range coder as the context mixing's bit coder (cm::BitCoder): the encoder codes the bits
// of a byte it is given, the decoder returns the bits it reads.
#pragma once

#include <cstdint>

#include "coder/range_coder.h"
#include "model/cm/cm_model.h"

namespace shz {

class EncodeBit : public cm::BitCoder {
 public:
  explicit EncodeBit(RangeEncoder& enc) : enc_(enc) {}
  uint8_t byte = 0;
  int code(uint32_t p1, int bit) override {
    const int y = byte >> bit & 1;
    if (y)
      enc_.encode(0, p1, 16);
    else
      enc_.encode(p1, 65536 - p1, 16);
    return y;
  }

 private:
  RangeEncoder& enc_;
};

class DecodeBit : public cm::BitCoder {
 public:
  explicit DecodeBit(RangeDecoder& dec) : dec_(dec) {}
  int code(uint32_t p1, int) override { return dec_.decode_bit(p1, 16); }

 private:
  RangeDecoder& dec_;
};

}  // namespace shz
