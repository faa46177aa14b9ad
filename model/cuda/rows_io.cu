#include "cuda_check.cuh"
#include "model/sharnn/sharnn_ops.h"
#include "rows_io.cuh"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;

__global__ void embed_kernel(const int8_t* embed, const uint8_t* bytes, int k, int d, int32_t* x) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(d)) return;
  const int r = int(idx / size_t(d)), i = int(idx % size_t(d));
  x[idx] = embed[size_t(bytes[r]) * size_t(d) + size_t(i)];
}

__global__ void quantize_kernel(const int32_t* x, size_t n, int32_t m, int8_t* q) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx < n) q[idx] = sharnn::quantize_i8(x[idx], m);
}

__global__ void requant_kernel(const int32_t* acc, int k, int rows, const int32_t* m, const int32_t* b, int32_t* out) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(rows)) return;
  const int o = int(idx % size_t(rows));
  out[idx] = sharnn::requant(acc[idx], m[o], b[o]);
}

// One thread per row: 256 logits, then the pmf exactly as on the CPU.
__global__ void pmf_kernel(const int32_t* acc, int k, const int32_t* m, const int32_t* b, uint32_t* pmf) {
  const int r = int(blockIdx.x * blockDim.x + threadIdx.x);
  if (r >= k) return;
  int32_t logits[256];
  for (int s = 0; s < 256; ++s) logits[s] = sharnn::requant(acc[size_t(r) * 256 + size_t(s)], m[s], b[s]);
  sharnn::logits_to_pmf(logits, pmf + size_t(r) * 256);
}

}  // namespace

void embed_rows(const int8_t* embed, const uint8_t* bytes, int k, int d, int32_t* x) {
  if (k == 0) return;
  embed_kernel<<<blocks_for(size_t(k) * size_t(d), kThreads), kThreads>>>(embed, bytes, k, d, x);
  SHZ_CUDA_LAUNCHED();
}

void quantize(const int32_t* x, size_t n, int32_t m, int8_t* q) {
  if (n == 0) return;
  quantize_kernel<<<blocks_for(n, kThreads), kThreads>>>(x, n, m, q);
  SHZ_CUDA_LAUNCHED();
}

void requant_rows(const int32_t* acc, int k, int rows, const int32_t* m, const int32_t* b, int32_t* out) {
  if (k == 0) return;
  requant_kernel<<<blocks_for(size_t(k) * size_t(rows), kThreads), kThreads>>>(acc, k, rows, m, b, out);
  SHZ_CUDA_LAUNCHED();
}

void head_pmf(const int32_t* acc, int k, const int32_t* m, const int32_t* b, uint32_t* pmf) {
  if (k == 0) return;
  pmf_kernel<<<blocks_for(size_t(k), 64), 64>>>(acc, k, m, b, pmf);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
