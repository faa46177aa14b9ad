// Block-wide integer reductions. Integer addition and max are associative, so the result is
// the sequential one whatever the order: this is what keeps parallel LayerNorm and softmax
// bit-identical to the scalar reference.
#pragma once

namespace shz::cuda {

// blockDim.x must be a power of two <= 1024; `scratch` holds blockDim.x values.
template <class T>
__device__ T block_sum(T v, T* scratch) {
  const unsigned t = threadIdx.x;
  scratch[t] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (t < s) scratch[t] += scratch[t + s];
    __syncthreads();
  }
  const T r = scratch[0];
  __syncthreads();  // scratch may be reused right away
  return r;
}

template <class T>
__device__ T block_max(T v, T* scratch) {
  const unsigned t = threadIdx.x;
  scratch[t] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (t < s && scratch[t + s] > scratch[t]) scratch[t] = scratch[t + s];
    __syncthreads();
  }
  const T r = scratch[0];
  __syncthreads();
  return r;
}

}  // namespace shz::cuda
