#include "cuda_check.cuh"
#include "matmul.cuh"

namespace shz::cuda {
namespace {

constexpr unsigned kWarps = 8;

// One warp per output row; lanes stride the columns four bytes at a time (dp4a: four signed
// byte products added to an int32), then a shuffle reduction. The row stays in L1 while the
// warp goes through the k inputs.
__global__ void matmul_kernel(const int32_t* w, int rows, int words, const int32_t* x, int k, int32_t* acc) {
  const int o = int(blockIdx.x) * int(kWarps) + int(threadIdx.x / 32);
  const int lane = int(threadIdx.x % 32);
  if (o >= rows) return;
  const int32_t* wr = w + size_t(o) * size_t(words);
  for (int r = 0; r < k; ++r) {
    const int32_t* xr = x + size_t(r) * size_t(words);
    int s = 0;
    for (int i = lane; i < words; i += 32) s = __dp4a(wr[i], xr[i], s);
    for (int off = 16; off > 0; off >>= 1) s += __shfl_down_sync(0xffffffffu, s, off);
    if (lane == 0) acc[size_t(r) * size_t(rows) + size_t(o)] = s;
  }
}

}  // namespace

void matmul(const int8_t* w, int rows, int cols, const int8_t* x, int k, int32_t* acc) {
  if (k == 0) return;
  matmul_kernel<<<blocks_for(size_t(rows), kWarps), kWarps * 32>>>(reinterpret_cast<const int32_t*>(w), rows, cols / 4,
                                                                  reinterpret_cast<const int32_t*>(x), k, acc);
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
