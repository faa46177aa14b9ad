#include <mma.h>

#include <cstdlib>
#include <cstring>

#include "cuda_check.cuh"
#include "matmul.cuh"
#include "shz/model.h"

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

// Tensor cores (int8 WMMA 16x16x16, int32 accumulation: exact, as the CPU's sums). A block of
// kTcWarps warps computes 16 input rows x (16 * kTcWarps) output rows; each 32-column step
// stages the input tile and the weight tile in shared memory (zero beyond k and rows, and
// 32-byte aligned as the WMMA loads require). Needs cols % 32 == 0.
constexpr int kTcWarps = 4;

__global__ void matmul_tc_kernel(const int8_t* w, int rows, int cols, const int8_t* x, int k, int32_t* acc) {
  using namespace nvcuda;
  __shared__ __align__(32) int8_t a_s[2][16 * 16];               // [column half][row][16]
  __shared__ __align__(32) int8_t b_s[2][kTcWarps * 16 * 16];    // [column half][output row][16]
  __shared__ __align__(32) int32_t c_s[kTcWarps][16 * 16];
  const int t = int(threadIdx.x), warp = t / 32, lane = t % 32;
  const int r0 = int(blockIdx.y) * 16, ob = int(blockIdx.x) * kTcWarps * 16, o0 = ob + warp * 16;
  wmma::fragment<wmma::accumulator, 16, 16, 16, int> c;
  wmma::fill_fragment(c, 0);
  for (int c0 = 0; c0 < cols; c0 += 32) {
    if (t < 32) {  // the input tile: 16 rows x 32 columns, 16 bytes per thread
      const int rr = t / 2, h = t % 2;
      int4 v = make_int4(0, 0, 0, 0);
      if (r0 + rr < k) v = *reinterpret_cast<const int4*>(x + size_t(r0 + rr) * size_t(cols) + size_t(c0 + 16 * h));
      *reinterpret_cast<int4*>(&a_s[h][rr * 16]) = v;
    }
    {  // the weight tile: 16 * kTcWarps rows x 32 columns, 16 bytes per thread
      const int n = t / 2, h = t % 2;
      int4 v = make_int4(0, 0, 0, 0);
      if (ob + n < rows) v = *reinterpret_cast<const int4*>(w + size_t(ob + n) * size_t(cols) + size_t(c0 + 16 * h));
      *reinterpret_cast<int4*>(&b_s[h][n * 16]) = v;
    }
    __syncthreads();
    if (o0 < rows) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, signed char, wmma::row_major> a;
      wmma::fragment<wmma::matrix_b, 16, 16, 16, signed char, wmma::col_major> b;
      for (int h = 0; h < 2; ++h) {
        wmma::load_matrix_sync(a, a_s[h], 16);
        wmma::load_matrix_sync(b, b_s[h] + warp * 256, 16);  // B(kk, n) = W[o0 + n][c0 + 16h + kk]
        wmma::mma_sync(c, a, b, c);
      }
    }
    __syncthreads();
  }
  if (o0 < rows) {
    wmma::store_matrix_sync(c_s[warp], c, 16, wmma::mem_row_major);
    __syncwarp();
    for (int e = lane; e < 256; e += 32) {
      const int rr = e / 16, oo = e % 16;
      if (r0 + rr < k && o0 + oo < rows) acc[size_t(r0 + rr) * size_t(rows) + size_t(o0 + oo)] = c_s[warp][e];
    }
  }
}

}  // namespace

void matmul(const int8_t* w, int rows, int cols, const int8_t* x, int k, int32_t* acc, bool tensor_cores) {
  if (k == 0) return;
  if (cols % 32 == 0 && tensor_cores) {
    const dim3 grid(unsigned((rows + kTcWarps * 16 - 1) / (kTcWarps * 16)), unsigned((k + 15) / 16));
    matmul_tc_kernel<<<grid, kTcWarps * 32>>>(w, rows, cols, x, k, acc);
  } else {
    matmul_kernel<<<blocks_for(size_t(rows), kWarps), kWarps * 32>>>(reinterpret_cast<const int32_t*>(w), rows,
                                                                    cols / 4, reinterpret_cast<const int32_t*>(x), k,
                                                                    acc);
  }
  SHZ_CUDA_LAUNCHED();
}

}  // namespace shz::cuda
