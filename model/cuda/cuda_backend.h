// The CUDA backend as the rest of shz sees it (no CUDA types here). Built when CMake finds
// nvcc; otherwise cuda_absent.cpp answers that this shz has no CUDA.
#pragma once

#include <memory>
#include <string>

#include "model/sharnn/sharnn_model.h"
#include "model/sharnn/step_executor.h"
#include "shz/model.h"
#include "shz/predictor.h"

namespace shz::cuda {

// True when this build has CUDA and a GPU is usable; otherwise `why` says what is missing.
bool available(std::string* why);
// "NVIDIA H100 80GB HBM3 (sm_90, 79 GiB)" for the current device; empty without one.
std::string device_description();
// "GPU memory: X MiB used of Y MiB" for the current device (process and others); empty without one.
std::string memory_report();
// The device's dense int8 tensor-core peak in multiply-adds per second from its name (A100,
// H100, H200; vendor figures), or 0 when unknown.
double int8_peak_macs();
// The device's DRAM bandwidth in bytes per second from its memory clock and bus width (both
// data rates counted), or 0 without a device.
double dram_bytes_per_s();

// The step program's ops on the GPU (for the op-by-op equality test; make_predictor runs
// it). Throws Error(kUsage) when CUDA is unavailable.
std::unique_ptr<sharnn::StepExecutor> make_executor(std::shared_ptr<const sharnn::Model> model,
                                                    const EngineTuning& tuning);

// A SHA-RNN predictor running on the GPU with `batch` streams stepped together, graphs,
// tensor cores and profiling as `tuning` says; its pmfs are bit-identical to the CPU
// engine's. Throws Error(kUsage) when CUDA is unavailable.
std::unique_ptr<Predictor> make_predictor(std::shared_ptr<const sharnn::Model> model, ModelIdentity id, size_t batch,
                                          const EngineTuning& tuning);

}  // namespace shz::cuda
