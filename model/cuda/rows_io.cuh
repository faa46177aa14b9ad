// The step's entry and exit on the GPU: embedding lookup, int8 quantisation, per-row
// requantisation, and the output layer's logits -> pmf (sharnn_ops.h logits_to_pmf).
#pragma once

#include <cstdint>

namespace shz::cuda {

// x[r][i] = embed[bytes[r]][i] (int8 values as int32).
void embed_rows(const int8_t* embed, const uint8_t* bytes, int k, int d, int32_t* x);
// q[i] = quantize_i8(x[i], m) for i < n.
void quantize(const int32_t* x, size_t n, int32_t m, int8_t* q);
// out[r][o] = requant(acc[r][o], m[o], b[o]) for k rows of `rows`.
void requant_rows(const int32_t* acc, int k, int rows, const int32_t* m, const int32_t* b, int32_t* out);
// pmf[r][s] from acc[r][s] (the output products): requant, then logits_to_pmf.
void head_pmf(const int32_t* acc, int k, const int32_t* m, const int32_t* b, uint32_t* pmf);

}  // namespace shz::cuda
