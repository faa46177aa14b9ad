// CPU threads for LibTorch: one level of parallelism only. Debian's LibTorch runs its
// matrix products in the system BLAS (OpenBLAS when installed), which has its own thread
// pool; LibTorch's intra-op threads on top of it oversubscribe the cores (measured on 2
// cores: 2.4 KB/s training with both at 2 threads, 5.0 KB/s with BLAS threads only).
#pragma once

#include <string>

namespace shz::train {

// Gives the BLAS `threads` threads and LibTorch one; returns a line for the log.
std::string set_compute_threads(int threads);

}  // namespace shz::train
