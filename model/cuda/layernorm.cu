#include "cuda_check.cuh"
#include "layernorm.cuh"
#include "model/sharnn/sharnn_ops.h"
#include "reduce.cuh"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;

__global__ void layernorm_kernel(const int32_t* x, int d, const int32_t* gamma, const int32_t* beta, int32_t* y,
                                 int32_t m, int8_t* q) {
  __shared__ long long si[kThreads];
  __shared__ unsigned long long su[kThreads];
  const int32_t* xr = x + size_t(blockIdx.x) * size_t(d);
  int32_t* yr = y + size_t(blockIdx.x) * size_t(d);
  long long sum = 0;
  for (int i = threadIdx.x; i < d; i += blockDim.x) sum += xr[i];
  sum = block_sum(sum, si);
  const int64_t mean = sharnn::floor_div(sum, d);
  unsigned long long sq = 0;
  for (int i = threadIdx.x; i < d; i += blockDim.x) {
    const int64_t dv = xr[i] - mean;
    sq += uint64_t(dv * dv);
  }
  sq = block_sum(sq, su);
  const int64_t inv = sharnn::layernorm_inv(sq, d);
  for (int i = threadIdx.x; i < d; i += blockDim.x) {
    const int32_t v = sharnn::layernorm_elem(xr[i], mean, inv, gamma[i], beta[i]);
    yr[i] = v;  // each element is read and written by the same thread, after both sums
    if (q) q[size_t(blockIdx.x) * size_t(d) + size_t(i)] = sharnn::quantize_i8(v, m);
  }
}

}  // namespace

void layernorm_rows(const int32_t* x, int k, int d, const int32_t* gamma, const int32_t* beta, int32_t* y,
                    int32_t m, int8_t* q) {
  if (k == 0) return;
  layernorm_kernel<<<unsigned(k), kThreads>>>(x, d, gamma, beta, y, m, q);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
