// The Boom layer's output on the GPU: x = sat(hf + sum over chunks of gelu(requant(big))),
// as boom_rows in model/sharnn/rows_impl.h.
#pragma once

#include <cstdint>

namespace shz::cuda {

void boom_out(const int32_t* big, const int32_t* hf, int k, int d, int boom, const int32_t* m, const int32_t* b,
              int32_t* x);

}  // namespace shz::cuda
