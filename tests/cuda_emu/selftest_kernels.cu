// The emulator's own checks (selftest_kernels.h), written as CUDA and rewritten like the
// backend's sources (rewrite_cu.cmake), so the rewrite is exercised as well.
#include "selftest_kernels.h"

#include <mma.h>

#include "model/cuda/reduce.cuh"

namespace cuda_emu_selftest {
namespace {

__global__ void block_sum_kernel(const int* in, int per_block, long long* out) {
  __shared__ long long scratch[1024];
  long long s = 0;
  for (int i = threadIdx.x; i < per_block; i += blockDim.x) s += in[size_t(blockIdx.x) * size_t(per_block) + size_t(i)];
  s = shz::cuda::block_sum(s, scratch);
  if (threadIdx.x == 0) out[blockIdx.x] = s;
}

__global__ void shuffle_kernel(int* out) {
  const int t = int(threadIdx.x), lane = t % 32;
  out[2 * t] = __shfl_xor_sync(0xffffffffu, lane, 5);
  out[2 * t + 1] = __shfl_down_sync(0xffffffffu, lane, 3u);
}

__global__ void wmma_kernel(const int8_t* a, const int8_t* b, int* c) {
  using namespace nvcuda;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, signed char, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, signed char, wmma::col_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, int> fc;
  wmma::fill_fragment(fc, 0);
  wmma::load_matrix_sync(fa, reinterpret_cast<const signed char*>(a), 16);
  wmma::load_matrix_sync(fb, reinterpret_cast<const signed char*>(b), 16);
  wmma::mma_sync(fc, fa, fb, fc);
  wmma::store_matrix_sync(c, fc, 16, wmma::mem_row_major);
}

__global__ void mirror_kernel(int* out, bool barrier) {
  __shared__ int slot[64];
  const int t = int(threadIdx.x);
  slot[t] = t;
  if (barrier) __syncthreads();
  out[t] = slot[63 - t];
}

__global__ void count_kernel(int* counter) { *counter += 1; }

__global__ void divergent_barrier_kernel() {
  if (threadIdx.x < 16) __syncthreads();
}

__global__ void shuffle_after_return_kernel(int* out) {
  if (threadIdx.x % 32 < 16) return;
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, int(threadIdx.x), 1);
}

template <class T>
T* device(size_t n) {
  T* p = nullptr;
  cudaMalloc(&p, n * sizeof(T));
  return p;
}

template <class T>
std::vector<T> fetch(const T* p, size_t n) {
  std::vector<T> v(n);
  cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost);
  cudaFree(const_cast<T*>(p));
  return v;
}

}  // namespace

std::vector<long long> block_sums(const std::vector<int>& in, int blocks, int threads) {
  int* din = device<int>(in.size());
  cudaMemcpy(din, in.data(), in.size() * sizeof(int), cudaMemcpyHostToDevice);
  long long* out = device<long long>(size_t(blocks));
  block_sum_kernel<<<unsigned(blocks), unsigned(threads)>>>(din, int(in.size()) / blocks, out);
  cudaFree(din);
  return fetch(out, size_t(blocks));
}

std::vector<int> shuffles() {
  int* out = device<int>(128);
  shuffle_kernel<<<1, 64>>>(out);
  return fetch(out, 128);
}

std::vector<int> wmma_product(const std::vector<int8_t>& a, const std::vector<int8_t>& b_col) {
  int8_t* da = device<int8_t>(256);
  int8_t* db = device<int8_t>(256);
  int* dc = device<int>(256);
  cudaMemcpy(da, a.data(), 256, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b_col.data(), 256, cudaMemcpyHostToDevice);
  wmma_kernel<<<1, 32>>>(da, db, dc);
  cudaFree(da);
  cudaFree(db);
  return fetch(dc, 256);
}

std::vector<int> mirror(bool barrier) {
  int* out = device<int>(64);
  mirror_kernel<<<1, 64>>>(out, barrier);
  return fetch(out, 64);
}

std::string launch_error(int threads) {
  cudaGetLastError();
  int* c = device<int>(1);
  count_kernel<<<1, unsigned(threads)>>>(c);
  const cudaError_t e = cudaGetLastError();
  cudaFree(c);
  return cudaGetErrorString(e);
}

int graph_runs(int launches) {
  int* c = device<int>(1);
  cudaMemset(c, 0, sizeof(int));
  cudaGraph_t g = nullptr;
  cudaGraphExec_t e = nullptr;
  cudaStreamBeginCapture(cudaStreamPerThread, cudaStreamCaptureModeThreadLocal);
  count_kernel<<<1, 1>>>(c);
  cudaStreamEndCapture(cudaStreamPerThread, &g);
  int before = -1;
  cudaMemcpy(&before, c, sizeof(int), cudaMemcpyDeviceToHost);
  cudaGraphInstantiate(&e, g, 0);
  for (int i = 0; i < launches; ++i) cudaGraphLaunch(e, cudaStreamPerThread);
  cudaGraphExecDestroy(e);
  cudaGraphDestroy(g);
  const int after = fetch(c, 1)[0];
  return before == 0 ? after : -1;
}

std::string memcpy_in_capture() {
  int* c = device<int>(1);
  int v = 0;
  cudaStreamBeginCapture(cudaStreamPerThread, cudaStreamCaptureModeThreadLocal);
  const cudaError_t copy = cudaMemcpy(c, &v, sizeof v, cudaMemcpyHostToDevice);
  cudaGraph_t g = nullptr;
  const cudaError_t end = cudaStreamEndCapture(cudaStreamPerThread, &g);
  cudaGetLastError();
  cudaFree(c);
  return std::string(cudaGetErrorString(copy)) + "; " + cudaGetErrorString(end) + (g ? "; graph" : "");
}

void divergent_barrier() { divergent_barrier_kernel<<<1, 64>>>(); }

void shuffle_after_return() {
  int* out = device<int>(64);
  shuffle_after_return_kernel<<<1, 64>>>(out);
}

void host_pointer_argument() {
  int host = 0;
  count_kernel<<<1, 1>>>(&host);
}

void misaligned_wmma() {
  int8_t* a = device<int8_t>(512);
  int* c = device<int>(256);
  wmma_kernel<<<1, 32>>>(a + 16, a + 256, c);
}

}  // namespace cuda_emu_selftest
