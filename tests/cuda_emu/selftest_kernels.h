// Kernels that check the CUDA emulator itself (tests/test_cuda_emu.cpp), with host wrappers
// so the test needs no launch syntax. Built only into the emulator's test binary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cuda_emu_selftest {

// block_sum (model/cuda/reduce.cuh) of each block's slice of `in`, `threads` per block.
std::vector<long long> block_sums(const std::vector<int>& in, int blocks, int threads);
// Per lane of a 64-thread block: __shfl_xor_sync(lane, 5) and __shfl_down_sync(lane, 3).
std::vector<int> shuffles();
// A 16x16x16 int8 WMMA product (a row-major, b column-major) through the emulator.
std::vector<int> wmma_product(const std::vector<int8_t>& a, const std::vector<int8_t>& b_col);
// Each of 64 threads writes its shared slot and reads its mirror's, with (or without) a
// __syncthreads between: without, the emulator must hand back stale values.
std::vector<int> mirror(bool barrier);
// cudaGetLastError after launching a block of `threads` threads.
std::string launch_error(int threads);
// A kernel captured into a graph runs only when the graph is launched, once per launch.
int graph_runs(int launches);
// cudaMemcpy while capturing: the call's error and then cudaStreamEndCapture's.
std::string memcpy_in_capture();

// Misuses the emulator must stop, each aborting with a message on stderr.
void divergent_barrier();
void shuffle_after_return();
void host_pointer_argument();
void misaligned_wmma();

}  // namespace cuda_emu_selftest
