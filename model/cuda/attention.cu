#include "attention.cuh"
#include "cuda_check.cuh"
#include "model/sharnn/sharnn_ops.h"
#include "reduce.cuh"
#include "score_split.h"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;
// The scores take a whole SM's worth of warps per row (a power of two, for block_reduce): a
// warp reads one memory row at a time, and many warps keep enough reads in flight.
constexpr unsigned kScoreThreads = 1024;

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

// One block per row. The query goes to shared memory as packed high and low bytes
// (score_split.h); then each warp takes a memory position at a time, its lanes reading the
// row's 4-byte words side by side (coalesced: a row is one read of d bytes) into three dp4a
// chains, met in int64 and summed across the warp. Softmax as before, over the scores.
__global__ void __launch_bounds__(kScoreThreads)
    scores_kernel(AttnState s, const int32_t* q, const int* slots, int a, int shift, int32_t* scores) {
  extern __shared__ QuadSplit qs[];  // [d / 4]
  __shared__ int32_t red32[kScoreThreads];
  __shared__ long long red64[kScoreThreads];
  const int r = int(blockIdx.x), slot = slots[r], words = s.d / 4;
  const int n = s.filled[size_t(slot) * size_t(s.attn_layers) + size_t(a)];
  for (int w = threadIdx.x; w < words; w += blockDim.x) {
    const int32_t* qr = q + size_t(r) * size_t(s.d) + size_t(4 * w);
    const int32_t q4[4] = {sharnn::sat_i16(qr[0]), sharnn::sat_i16(qr[1]), sharnn::sat_i16(qr[2]),
                           sharnn::sat_i16(qr[3])};
    qs[w] = q16_split4(q4);
  }
  __syncthreads();
  int32_t* sr = scores + size_t(r) * size_t(s.window);
  const int warp = int(threadIdx.x / 32), lane = int(threadIdx.x % 32), warps = int(blockDim.x / 32);
  int32_t mx = INT32_MIN;
  for (int j = warp; j < n; j += warps) {
    const int32_t* mj = reinterpret_cast<const int32_t*>(s.mem + mem_row(s, slot, a, j));
    SplitSums part;
#pragma unroll 4
    for (int w = lane; w < words; w += 32) split_add(part, qs[w], mj[w]);
    long long acc = split_total(part);
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    const int32_t v = sharnn::sat_act(acc >> shift);  // every lane holds the row's sum
    if (lane == 0) sr[j] = v;
    mx = v > mx ? v : mx;
  }
  mx = block_max(mx, red32);  // its __syncthreads also publishes sr to the block
  long long sum = 0;
  for (int j = threadIdx.x; j < n; j += blockDim.x) sum += (sr[j] = sharnn::exp_neg_q16(mx - sr[j]));
  sum = block_sum(sum, red64);
  const uint64_t inv = sharnn::softmax_inv(sum);
  for (int j = threadIdx.x; j < n; j += blockDim.x) sr[j] = sharnn::softmax_p(sr[j], inv);
}

// Four byte products p * m added to their sums.
__device__ void add_bytes(int32_t* acc, int32_t p, uint32_t m) {
  acc[0] += p * int32_t(int8_t(m));
  acc[1] += p * int32_t(int8_t(m >> 8));
  acc[2] += p * int32_t(int8_t(m >> 16));
  acc[3] += p * int32_t(int8_t(m >> 24));
}

// One thread per (row, 4-byte word of the memory row): four int32 sums (|sum p m| <= 2^15 *
// 128, as sum p <= 2^15). A position whose probability is 0 adds nothing and is not read
// (a third to a half of them with the default model); with d a multiple of 128 a warp shares
// its row, so the skip is the warp's. Eight positions' loads are issued before their products,
// so that a thread keeps several reads in flight: the kernel is bound by memory, not by math.
__global__ void mix_kernel(AttnState s, const int32_t* p, const int* slots, int k, int a, const int32_t* gate,
                           const int32_t* y2, int32_t* out) {
  constexpr int kAhead = 8;
  const int words = s.d / 4;
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(words)) return;
  const int r = int(idx / size_t(words)), w = int(idx % size_t(words)), slot = slots[r];
  const int n = s.filled[size_t(slot) * size_t(s.attn_layers) + size_t(a)];
  const int32_t* pr = p + size_t(r) * size_t(s.window);
  const uint32_t* col = reinterpret_cast<const uint32_t*>(s.mem + mem_row(s, slot, a, 0)) + w;  // + j * words
  int32_t acc[4] = {0, 0, 0, 0};
  int j = 0;
  for (; j + kAhead <= n; j += kAhead) {
    int32_t pe[kAhead];
    uint32_t me[kAhead];
#pragma unroll
    for (int e = 0; e < kAhead; ++e) pe[e] = pr[j + e];
#pragma unroll
    for (int e = 0; e < kAhead; ++e) me[e] = pe[e] != 0 ? col[size_t(j + e) * size_t(words)] : 0u;
#pragma unroll
    for (int e = 0; e < kAhead; ++e) add_bytes(acc, pe[e], me[e]);
  }
  for (; j < n; ++j)
    if (pr[j] != 0) add_bytes(acc, pr[j], col[size_t(j) * size_t(words)]);
  for (int e = 0; e < 4; ++e) {
    const size_t o = size_t(r) * size_t(s.d) + size_t(4 * w + e);
    out[o] = sharnn::sat_act(int64_t(y2[o]) + sharnn::attn_out(acc[e], gate[4 * w + e]));
  }
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
  scores_kernel<<<unsigned(k), kScoreThreads, size_t(s.d / 4) * sizeof(QuadSplit)>>>(s, q, slots, a, shift, scores);
  SHZ_CUDA_LAUNCHED();
}

void attn_mix(const AttnState& s, const int32_t* p, const int* slots, int k, int a, const int32_t* gate,
              const int32_t* y2, int32_t* out) {
  if (k == 0) return;
  mix_kernel<<<blocks_for(size_t(k) * size_t(s.d / 4), kThreads), kThreads>>>(s, p, slots, k, a, gate, y2, out);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
