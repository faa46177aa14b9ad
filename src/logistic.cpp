#include "logistic.h"

namespace shz::logistic {
namespace {

struct StretchTable {
  int16_t v[65536];
  StretchTable() {
    int x = -kLimit;
    for (uint32_t p = 0; p < 65536; ++p) {
      while (x < kLimit - 1 && squash(x) < p) ++x;
      v[p] = int16_t(x);
    }
  }
};

}  // namespace

int stretch(uint32_t p) {
  static const StretchTable t;
  return t.v[p];
}

}  // namespace shz::logistic
