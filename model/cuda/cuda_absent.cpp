// The CUDA backend's entry points in a build without nvcc: they say so.
#include "shz/shz.h"
#include "cuda_backend.h"

namespace shz::cuda {

bool available(std::string* why) {
  if (why) *why = "this shz was built without CUDA (nvcc was not found at build time)";
  return false;
}

std::string device_description() { return {}; }
std::string memory_report() { return {}; }
double int8_peak_macs() { return 0; }

std::unique_ptr<Predictor> make_predictor(std::shared_ptr<const sharnn::Model>, ModelIdentity, size_t) {
  throw Error(ErrorCode::kUsage, "--device cuda: this shz was built without CUDA (nvcc was not found at build time)");
}

}  // namespace shz::cuda
