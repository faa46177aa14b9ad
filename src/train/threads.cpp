#include "threads.h"

#include <dlfcn.h>
#include <torch/torch.h>

namespace shz::train {

std::string set_compute_threads(int threads) {
  // OpenBLAS exports openblas_set_num_threads; the reference BLAS has no threads at all.
  using SetFn = void (*)(int);
  auto set_blas = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set_blas) {
    set_blas(threads);
    torch::set_num_threads(1);
    return "threads: " + std::to_string(threads) + " in OpenBLAS, 1 in LibTorch";
  }
  torch::set_num_threads(threads);
  return "threads: " + std::to_string(threads) +
         " in LibTorch (OpenBLAS not found: install libopenblas0-pthread, the reference BLAS is slow)";
}

}  // namespace shz::train
