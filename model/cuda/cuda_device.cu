// The CUDA device as shz reports it: whether one is usable, its name, memory and peak
// figures (benchmarks report against these).
#include <string>

#include "cuda_backend.h"
#include "cuda_check.cuh"

namespace shz::cuda {

bool available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0) {
    if (why) *why = e != cudaSuccess ? std::string("no usable CUDA GPU (") + cudaGetErrorString(e) + ")" : "no CUDA GPU found";
    return false;
  }
  return true;
}

std::string device_description() {
  int dev = 0;
  cudaDeviceProp p{};
  if (!available(nullptr) || cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&p, dev) != cudaSuccess)
    return {};
  return std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " +
         std::to_string(p.totalGlobalMem >> 30) + " GiB)";
}

std::string memory_report() {
  size_t free_b = 0, total = 0;
  if (!available(nullptr) || cudaMemGetInfo(&free_b, &total) != cudaSuccess) return {};
  return "GPU memory: " + std::to_string((total - free_b) >> 20) + " MiB used of " + std::to_string(total >> 20) + " MiB";
}

double int8_peak_macs() {
  // Dense int8 tensor-core figures from NVIDIA's data sheets (TOPS / 2): A100 624 TOPS,
  // H100 SXM and H200 1979 TOPS, H100 PCIe 1513 TOPS.
  const std::string d = device_description();
  if (d.find("H200") != std::string::npos) return 1979e12 / 2;
  if (d.find("H100") != std::string::npos) return d.find("PCIe") != std::string::npos ? 1513e12 / 2 : 1979e12 / 2;
  if (d.find("A100") != std::string::npos) return 624e12 / 2;
  return 0;
}

double dram_bytes_per_s() {
  int dev = 0, khz = 0, bits = 0;
  if (!available(nullptr) || cudaGetDevice(&dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&bits, cudaDevAttrGlobalMemoryBusWidth, dev) != cudaSuccess)
    return 0;
  return 2.0 * double(khz) * 1e3 * double(bits) / 8;  // double data rate
}

}  // namespace shz::cuda
