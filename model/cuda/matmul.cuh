// int8 x int8 -> int32 products of a row-major weight matrix [rows][cols] with k input rows:
// acc[r * rows + o] = sum_i x[r * cols + i] * w[o * cols + i]. Exact (|acc| < 2^29 for
// cols <= 32768), so any summation order gives the CPU's numbers. cols % 4 == 0. With
// cols % 32 == 0 and `tensor_cores` it runs on int8 tensor cores (WMMA), else on dp4a
// (EngineTuning::cuda_tensor_cores off: for comparison; same integers).
#pragma once

#include <cstdint>

namespace shz::cuda {

void matmul(const int8_t* w, int rows, int cols, const int8_t* x, int k, int32_t* acc, bool tensor_cores = true);

}  // namespace shz::cuda
