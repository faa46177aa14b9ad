#include "boom.cuh"
#include "cuda_check.cuh"
#include "model/sharnn/sharnn_ops.h"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;

__global__ void boom_kernel(const int32_t* big, const int32_t* hf, int k, int d, int boom, const int32_t* m,
                            const int32_t* b, int32_t* x) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(d)) return;
  const int r = int(idx / size_t(d)), i = int(idx % size_t(d));
  const int32_t* br = big + size_t(r) * size_t(boom);
  int32_t v = hf[idx];  // at most 17 terms of magnitude <= 2^20: int32, saturated once
  for (int c0 = 0; c0 < boom; c0 += d) v += sharnn::gelu_q8(sharnn::requant(br[c0 + i], m[c0 + i], b[c0 + i]));
  x[idx] = sharnn::sat_act(v);
}

}  // namespace

void boom_out(const int32_t* big, const int32_t* hf, int k, int d, int boom, const int32_t* m, const int32_t* b,
              int32_t* x) {
  if (k == 0) return;
  boom_kernel<<<blocks_for(size_t(k) * size_t(d), kThreads), kThreads>>>(big, hf, k, d, boom, m, b, x);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
