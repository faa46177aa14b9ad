#include "attention.cuh"
#include "cuda_check.cuh"
#include "model/sharnn/sharnn_ops.h"
#include "reduce.cuh"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;

__device__ size_t mem_row(const AttnState& s, int slot, int a, int pos) {
  return ((size_t(slot) * size_t(s.attn_layers) + size_t(a)) * size_t(s.window) + size_t(pos)) * size_t(s.d);
}

__global__ void write_kernel(AttnState s, const int8_t* rows, const int* slots, int a) {
  const int r = int(blockIdx.x), slot = slots[r];
  const size_t hi = size_t(slot) * size_t(s.attn_layers) + size_t(a);
  const int pos = s.head[hi];
  int8_t* dst = s.mem + mem_row(s, slot, a, pos);
  for (int i = threadIdx.x; i < s.d; i += blockDim.x) dst[i] = rows[size_t(r) * size_t(s.d) + size_t(i)];
  __syncthreads();  // everyone has read head before it moves
  if (threadIdx.x == 0) {
    s.head[hi] = (pos + 1) % s.window;
    s.filled[hi] = s.filled[hi] + 1 < s.window ? s.filled[hi] + 1 : s.window;
  }
}

// One block per row: the query in shared memory, each thread a few memory positions.
__global__ void scores_kernel(AttnState s, const int32_t* q, const int* slots, int a, int shift, int32_t* scores) {
  extern __shared__ int32_t q16[];
  __shared__ int32_t red32[kThreads];
  __shared__ long long red64[kThreads];
  const int r = int(blockIdx.x), slot = slots[r];
  const int n = s.filled[size_t(slot) * size_t(s.attn_layers) + size_t(a)];
  for (int i = threadIdx.x; i < s.d; i += blockDim.x) q16[i] = sharnn::sat_i16(q[size_t(r) * size_t(s.d) + size_t(i)]);
  __syncthreads();
  int32_t* sr = scores + size_t(r) * size_t(s.window);
  int32_t mx = INT32_MIN;
  for (int j = threadIdx.x; j < n; j += blockDim.x) {
    const int8_t* mj = s.mem + mem_row(s, slot, a, j);
    int64_t acc = 0;
    for (int i = 0; i < s.d; ++i) acc += int64_t(q16[i]) * mj[i];
    sr[j] = sharnn::sat_act(acc >> shift);
    mx = sr[j] > mx ? sr[j] : mx;
  }
  mx = block_max(mx, red32);
  long long sum = 0;
  for (int j = threadIdx.x; j < n; j += blockDim.x) sum += (sr[j] = sharnn::exp_neg_q16(mx - sr[j]));
  sum = block_sum(sum, red64);
  const uint64_t inv = sharnn::softmax_inv(sum);
  for (int j = threadIdx.x; j < n; j += blockDim.x) sr[j] = sharnn::softmax_p(sr[j], inv);
}

__global__ void mix_kernel(AttnState s, const int32_t* p, const int* slots, int k, int a, const int32_t* gate,
                           const int32_t* y2, int32_t* out) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(s.d)) return;
  const int r = int(idx / size_t(s.d)), i = int(idx % size_t(s.d)), slot = slots[r];
  const int n = s.filled[size_t(slot) * size_t(s.attn_layers) + size_t(a)];
  const int32_t* pr = p + size_t(r) * size_t(s.window);
  int64_t mix = 0;
  for (int j = 0; j < n; ++j) mix += int64_t(pr[j]) * s.mem[mem_row(s, slot, a, j) + size_t(i)];
  out[idx] = sharnn::sat_act(int64_t(y2[idx]) + sharnn::attn_out(mix, gate[i]));
}

}  // namespace

void attn_write(const AttnState& s, const int8_t* rows, const int* slots, int k, int a) {
  if (k == 0) return;
  write_kernel<<<unsigned(k), kThreads>>>(s, rows, slots, a);
  SHZ_CUDA_LAUNCHED();
}

void attn_scores_softmax(const AttnState& s, const int32_t* q, const int* slots, int k, int a, int shift,
                         int32_t* scores) {
  if (k == 0) return;
  scores_kernel<<<unsigned(k), kThreads, size_t(s.d) * sizeof(int32_t)>>>(s, q, slots, a, shift, scores);
  SHZ_CUDA_LAUNCHED();
}

void attn_mix(const AttnState& s, const int32_t* p, const int* slots, int k, int a, const int32_t* gate,
              const int32_t* y2, int32_t* out) {
  if (k == 0) return;
  mix_kernel<<<blocks_for(size_t(k) * size_t(s.d), kThreads), kThreads>>>(s, p, slots, k, a, gate, y2, out);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
