// The environment variables that tune the engine (never the archive), for programs built on
// the library: the CLI, the tests and the benchmarks. The library itself reads none.
//   SHZ_SIMD=scalar|avx2|avx512|auto   SHZ_BATCH=N   SHZ_CUDA_GRAPHS=0   SHZ_CUDA_TC=0
//   SHZ_CUDA_PROFILE=1
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>

#include "shz/model.h"
#include "shz/shz.h"

namespace shz {

// The EngineTuning the environment asks for (for the options of every context the program
// makes); throws Error(kUsage) naming the variable.
inline EngineTuning engine_tuning_from_env() {
  EngineTuning t;
  auto flag = [](const char* name, bool dflt) {
    const char* v = std::getenv(name);
    return v ? std::strcmp(v, "0") != 0 : dflt;
  };
  if (const char* v = std::getenv("SHZ_SIMD")) t.simd = v;
  if (const char* v = std::getenv("SHZ_BATCH")) {
    char* end = nullptr;
    const long b = std::strtol(v, &end, 10);
    if (*v == 0 || *end != 0 || b < 1 || b > 4096)
      throw Error(ErrorCode::kUsage, std::string("SHZ_BATCH: '") + v + "' is not in 1..4096");
    t.batch = size_t(b);
  }
  t.cuda_graphs = flag("SHZ_CUDA_GRAPHS", true);
  t.cuda_tensor_cores = flag("SHZ_CUDA_TC", true);
  t.cuda_profile = flag("SHZ_CUDA_PROFILE", false);
  try {
    engine_tuning_check(t);
  } catch (const Error& e) {
    throw Error(e.code(), std::string(std::getenv("SHZ_SIMD") ? "SHZ_SIMD: " : "") + e.what());
  }
  return t;
}

}  // namespace shz
