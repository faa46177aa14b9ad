#include "cuda_check.cuh"
#include "lstm.cuh"
#include "model/sharnn/sharnn_ops.h"

namespace shz::cuda {
namespace {

constexpr unsigned kThreads = 256;

__global__ void gather_kernel(const int8_t* h8, const int* slots, int k, int layers, int layer, int d, int8_t* out) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(d)) return;
  const int r = int(idx / size_t(d)), u = int(idx % size_t(d));
  out[idx] = h8[(size_t(slots[r]) * size_t(layers) + size_t(layer)) * size_t(d) + size_t(u)];
}

__global__ void lstm_kernel(const int32_t* a, const int32_t* b, int k, const int32_t* ih_m, const int32_t* ih_b,
                            const int32_t* hh_m, const int32_t* hh_b, int32_t* c, int8_t* h8, int layers, int d,
                            const int* slots, int layer, int32_t* y) {
  const size_t idx = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= size_t(k) * size_t(d)) return;
  const int r = int(idx / size_t(d)), u = int(idx % size_t(d));
  const int32_t* ar = a + size_t(r) * 4 * size_t(d);
  const int32_t* br = b + size_t(r) * 4 * size_t(d);
  int32_t g[4];
  for (int x = 0; x < 4; ++x) {  // gates i, f, g, o: as lstm_rows in rows_impl.h
    const int o = x * d + u;
    g[x] = sharnn::sat_act(int64_t(sharnn::requant(ar[o], ih_m[o], ih_b[o])) + sharnn::requant(br[o], hh_m[o], hh_b[o]));
  }
  const size_t at = (size_t(slots[r]) * size_t(layers) + size_t(layer)) * size_t(d) + size_t(u);
  const int32_t h = sharnn::lstm_unit(g[0], g[1], g[2], g[3], &c[at]);
  h8[at] = sharnn::lstm_h_i8(h);
  y[idx] = sharnn::lstm_h_q8(h);
}

}  // namespace

void lstm_gather_h8(const LstmState& s, const int* slots, int k, int layer, int8_t* out) {
  if (k == 0) return;
  gather_kernel<<<blocks_for(size_t(k) * size_t(s.d), kThreads), kThreads>>>(s.h8, slots, k, s.layers, layer, s.d, out);
  SHZ_CUDA_LAUNCHED();
}

void lstm_step(const int32_t* a, const int32_t* b, int k, const int32_t* ih_m, const int32_t* ih_b,
               const int32_t* hh_m, const int32_t* hh_b, const LstmState& s, const int* slots, int layer,
               int32_t* y) {
  if (k == 0) return;
  lstm_kernel<<<blocks_for(size_t(k) * size_t(s.d), kThreads), kThreads>>>(a, b, k, ih_m, ih_b, hh_m, hh_b, s.c, s.h8,
                                                                           s.layers, s.d, slots, layer, y);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
