#include "cuda_check.cuh"
#include "model/sharnn/sharnn_ops.h"
#include "reduce.cuh"
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

// One block per row, a thread per byte value: the logit, then the pmf as
// sharnn::logits_to_pmf computes it, its maximum and sums as block reductions (integers: the
// same in any order). The remainder goes to the first most likely byte: the largest
// (f << 8) | (255 - s) is the largest f at the smallest s.
__global__ void __launch_bounds__(256)
    pmf_kernel(const int32_t* acc, const int32_t* m, const int32_t* b, uint32_t* pmf) {
  __shared__ long long red[256];
  const int r = int(blockIdx.x), s = int(threadIdx.x);
  const int32_t logit = sharnn::requant(acc[size_t(r) * 256 + size_t(s)], m[s], b[s]);
  const int32_t mx = int32_t(block_max<long long>(logit, red));
  const int32_t e = sharnn::exp_neg_q16(mx - logit);
  const uint64_t inv = sharnn::pmf_inv(uint64_t(block_sum<long long>(e, red)));
  const uint32_t f = sharnn::pmf_freq(e, inv);
  const uint32_t used = uint32_t(block_sum<long long>(f, red));
  const int best_s = 255 - int(block_max<long long>((long long)f << 8 | (255 - s), red) & 255);
  pmf[size_t(r) * 256 + size_t(s)] = f + (s == best_s ? (uint32_t(1) << sharnn::kPmfBits) - used : 0u);
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
  pmf_kernel<<<unsigned(k), 256>>>(acc, m, b, pmf);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
