// Block-wide integer reductions. Integer addition and max are associative, so the result is
// the sequential one whatever the order: this is what keeps parallel LayerNorm and softmax
// bit-identical to the scalar reference.
#pragma once

namespace shz::cuda {

// blockDim.x must be a power of two <= 1024; `scratch` holds blockDim.x values. `op(a, b)`
// combines two partial results.
template <class T, class Op>
__device__ T block_reduce(T v, T* scratch, Op op) {
  const unsigned t = threadIdx.x;
  scratch[t] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (t < s) scratch[t] = op(scratch[t], scratch[t + s]);
    __syncthreads();
  }
  const T r = scratch[0];
  __syncthreads();  // scratch may be reused right away
  return r;
}

template <class T>
__device__ T block_sum(T v, T* scratch) {
  return block_reduce(v, scratch, [](T a, T b) { return a + b; });
}

template <class T>
__device__ T block_max(T v, T* scratch) {
  return block_reduce(v, scratch, [](T a, T b) { return a > b ? a : b; });
}

}  // namespace shz::cuda
