// A BitCoder that writes nothing: it sums what each bit would cost, -log2 of the probability
// given to the bit that came, for measuring a variant of the context mixing without the
// range coder (tools/cm_tune, tests). Floating point: a figure, never part of an archive.
#pragma once

#include <cmath>
#include <cstdint>

#include "cm_model.h"

namespace shz::cm {

class CostCoder : public BitCoder {
 public:
  uint8_t byte = 0;  // the byte being "coded": its bits are the ones that come
  double bits = 0;
  int code(uint32_t p1, int bit) override {
    const int y = byte >> bit & 1;
    bits -= std::log2((y ? p1 : 65536 - p1) / 65536.0);
    return y;
  }
};

}  // namespace shz::cm
