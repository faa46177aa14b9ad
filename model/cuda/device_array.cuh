// A device allocation owned like a std::vector (no copies; moves; freed with its owner),
// with the uploads and downloads the backend and its operation checks need.
#pragma once

#include <utility>
#include <vector>

#include "cuda_check.cuh"

namespace shz::cuda {

// A device allocation of n elements of T, freed with its owner.
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(size_t n) { resize(n); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
  DeviceArray& operator=(DeviceArray&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  ~DeviceArray() {
    if (p_) cudaFree(p_);
  }
  void resize(size_t n) {
    if (p_) SHZ_CUDA_CHECK(cudaFree(p_));
    p_ = nullptr;
    n_ = n;
    if (n) SHZ_CUDA_CHECK(cudaMalloc(&p_, n * sizeof(T)));
  }
  void upload(const std::vector<T>& v) {
    resize(v.size());
    if (!v.empty()) SHZ_CUDA_CHECK(cudaMemcpy(p_, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    std::vector<T> v(n_);
    if (n_) SHZ_CUDA_CHECK(cudaMemcpy(v.data(), p_, n_ * sizeof(T), cudaMemcpyDeviceToHost));
    return v;
  }
  T* get() const { return p_; }
  size_t size() const { return n_; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

}  // namespace shz::cuda
