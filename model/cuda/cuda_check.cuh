// Every CUDA runtime call is checked: a failure becomes a shz::Error naming the call.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "shz/shz.h"

#define SHZ_CUDA_CHECK(call) ::shz::cuda::check((call), #call, __FILE__, __LINE__)
// After a kernel launch: launch errors now, execution errors at the next synchronising call.
#define SHZ_CUDA_LAUNCHED() ::shz::cuda::check(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)

namespace shz::cuda {

inline void check(cudaError_t e, const char* what, const char* file, int line) {
  if (e != cudaSuccess)
    throw Error(ErrorCode::kUsage, std::string("CUDA error: ") + cudaGetErrorString(e) + " (" + what + ", " + file +
                                       ":" + std::to_string(line) + ")");
}

inline unsigned blocks_for(size_t n, unsigned threads) { return unsigned((n + threads - 1) / threads); }

}  // namespace shz::cuda
