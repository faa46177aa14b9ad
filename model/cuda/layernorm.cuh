// LayerNorm of k rows of d (one block per row), then optionally their int8 quantisation:
// model/sharnn/sharnn_ops.h's layernorm_row with the two sums formed in parallel.
#pragma once

#include <cstdint>

namespace shz::cuda {

// y may be x. q (k x d int8) is skipped when null.
void layernorm_rows(const int32_t* x, int k, int d, const int32_t* gamma, const int32_t* beta, int32_t* y,
                    int32_t m, int8_t* q);

}  // namespace shz::cuda
