// The CUDA backend's entry points in a build without nvcc: they say so.
#include "shz/shz.h"
#include "cuda_backend.h"
#include "op_check.h"

namespace shz::cuda {

bool available(std::string* why) {
  if (why) *why = "this shz was built without CUDA (nvcc was not found at build time)";
  return false;
}

std::string device_description() { return {}; }
std::string memory_report() { return {}; }
double int8_peak_macs() { return 0; }
double dram_bytes_per_s() { return 0; }

std::unique_ptr<sharnn::StepExecutor> make_executor(std::shared_ptr<const sharnn::Model>, const EngineTuning&) {
  throw Error(ErrorCode::kUsage, "device cuda: this shz was built without CUDA (nvcc was not found at build time)");
}

std::unique_ptr<Predictor> make_predictor(std::shared_ptr<const sharnn::Model>, ModelIdentity, size_t, const EngineTuning&) {
  throw Error(ErrorCode::kUsage, "device cuda: this shz was built without CUDA (nvcc was not found at build time)");
}

}  // namespace shz::cuda

namespace shz::cuda::op_check {
namespace {
[[noreturn]] void absent() { throw Error(ErrorCode::kUsage, "this shz was built without CUDA"); }
}  // namespace

std::vector<int32_t> layernorm(const std::vector<int32_t>&, int, int, const sharnn::QLayerNorm&, int32_t,
                               std::vector<int8_t>*) { absent(); }
std::vector<int32_t> matmul(const sharnn::QLinear&, const std::vector<int8_t>&, int) { absent(); }
std::vector<int32_t> lstm(const std::vector<int32_t>&, const std::vector<int32_t>&, int, int, const sharnn::QLinear&,
                          const sharnn::QLinear&, std::vector<int32_t>&, std::vector<int8_t>&) { absent(); }
std::vector<int32_t> attention(const std::vector<int8_t>&, int, int, int, const std::vector<int32_t>&, int,
                               const std::vector<int32_t>&, const std::vector<int32_t>&, std::vector<int32_t>*) {
  absent();
}
std::vector<int32_t> boom(const std::vector<int32_t>&, const std::vector<int32_t>&, int, int, const sharnn::QLinear&) {
  absent();
}
std::vector<uint32_t> head_pmf(const std::vector<int32_t>&, int, const sharnn::QLinear&) { absent(); }

}  // namespace shz::cuda::op_check
