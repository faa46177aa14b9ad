// What the CUDA emulator's scheduler (scheduler.cpp) and runtime calls (runtime.cpp) share.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "cuda_runtime.h"

namespace cuda_emu {

struct Stream {};
struct Event {
  std::chrono::steady_clock::time_point t;
};
// A captured graph: the launches, in order, as closures that run them.
struct Graph {
  std::vector<std::function<void()>> ops;
};

// Records `e` as the calling thread's last error (unless success) and returns it.
cudaError_t set_error(cudaError_t e);
// The calling thread's open stream capture, or null.
Graph* capturing();
// Marks the open capture as failed: its end then reports it invalidated, as in CUDA.
void break_capture();

}  // namespace cuda_emu
