// Element-wise row operations of a batched step, one implementation per instruction set,
// all compiled from rows_impl.h (see there). Identical results on every level.
#pragma once

#include <cstdint>

#include "kernels.h"
#include "sharnn_model.h"

namespace shz::sharnn {

struct RowOps {
  void (*ln)(const int32_t* x, int k, int d, const QLayerNorm& ln, int32_t* y, int32_t m, int8_t* q);
  void (*lstm)(const int32_t* a, const int32_t* b, int k, int d, const QLinear& ih, const QLinear& hh,
               int32_t* const* c, int8_t* const* h8, int32_t* y, int32_t* scratch);
  void (*boom)(int32_t* big, const int32_t* hf, int k, int d, const QLinear& L, int32_t* x);
  void (*head)(const int32_t* acc, int k, const QLinear& head, uint32_t* const* pmf);
  void (*attn_probs)(const int64_t* scores, int n, int shift, int32_t* p);
};

const RowOps& row_ops(SimdLevel level);
const RowOps& row_ops_scalar();
const RowOps& row_ops_avx2();
const RowOps& row_ops_avx512();

}  // namespace shz::sharnn
