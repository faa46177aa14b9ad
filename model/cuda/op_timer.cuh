// GPU time per operation of the step (EngineTuning::cuda_profile), to see where a step's time goes on
// a machine where no profiler runs: events are recorded between the kernels, which are then
// launched one by one instead of as a graph. Timing only: no result changes.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cuda_check.cuh"
#include "shz/model.h"

namespace shz::cuda {

class OpTimer {
 public:
  ~OpTimer() {
    for (auto& m : marks_) cudaEventDestroy(m.second);
  }

  // Ends the previous operation and starts `name` (nullptr: the step's end).
  void mark(const char* name) {
    cudaEvent_t e = nullptr;
    SHZ_CUDA_CHECK(cudaEventCreate(&e));
    SHZ_CUDA_CHECK(cudaEventRecord(e, cudaStreamPerThread));
    marks_.emplace_back(name, e);
  }

  // After the step has finished: adds each operation's time and frees the events.
  void collect() {
    for (size_t i = 0; i + 1 < marks_.size(); ++i) {
      if (!marks_[i].first) continue;
      float ms = 0;
      SHZ_CUDA_CHECK(cudaEventElapsedTime(&ms, marks_[i].second, marks_[i + 1].second));
      ms_[marks_[i].first] += double(ms);
    }
    for (auto& m : marks_) cudaEventDestroy(m.second);
    marks_.clear();
    ++steps_;
  }

  // One line per operation, most time first, on stderr.
  void report() const {
    if (!steps_) return;
    double total = 0;
    for (const auto& kv : ms_) total += kv.second;
    std::vector<std::pair<double, std::string>> by(ms_.size());
    std::transform(ms_.begin(), ms_.end(), by.begin(),
                   [](const auto& kv) { return std::make_pair(kv.second, kv.first); });
    std::sort(by.rbegin(), by.rend());
    std::fprintf(stderr, "cuda profile: %llu steps, %.1f ms in kernels (%.1f us a step)\n",
                 (unsigned long long)steps_, total, 1e3 * total / double(steps_));
    for (const auto& [ms, name] : by)
      std::fprintf(stderr, "  %-26s %5.1f%%  %.1f us a step\n", name.c_str(), total > 0 ? 100 * ms / total : 0.0,
                   1e3 * ms / double(steps_));
  }

 private:
  std::vector<std::pair<const char*, cudaEvent_t>> marks_;
  std::map<std::string, double> ms_;
  unsigned long long steps_ = 0;
};

}  // namespace shz::cuda
