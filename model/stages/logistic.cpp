#include "model/stages/logistic.h"

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

const int16_t* stretch_table() {
  static const StretchTable t;
  return t.v;
}

int stretch(uint32_t p) { return stretch_table()[p]; }

}  // namespace shz::logistic
