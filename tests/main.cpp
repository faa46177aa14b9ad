// The tests' main: the engine tuning from the environment (SHZ_SIMD, SHZ_BATCH, SHZ_CUDA_*),
// as the CLI takes it, then Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include <cstdlib>
#include <string>

#include "model/cuda/cuda_backend.h"
#include "model/sharnn/kernels.h"
#include "test_util.h"
#include "util/env_tuning.h"

shz::EngineTuning& shz::test::tuning() {
  static EngineTuning t;
  return t;
}

// SHZ_TEST_REQUIRE=simd:LEVEL or gpu: what the run is about; when this machine lacks it, the
// run exits 77, which ctest reports as skipped (SKIP_RETURN_CODE), never as passed.
constexpr int kSkipped = 77;

int main(int argc, char** argv) {
  if (const char* need = std::getenv("SHZ_TEST_REQUIRE")) {
    const std::string n = need;
    std::string why;
    if (n.rfind("simd:", 0) == 0) {
      const std::string level = n.substr(5);
      bool have = false;
      for (shz::sharnn::SimdLevel l : shz::sharnn::simd_available()) have |= level == shz::sharnn::simd_name(l);
      if (!have) why = "this CPU lacks " + level;
    } else if (n == "gpu") {
      if (!shz::cuda::available(&why)) why = "no usable GPU: " + why;
    } else {
      std::fprintf(stderr, "SHZ_TEST_REQUIRE: unknown requirement '%s'\n", need);
      return 2;
    }
    if (!why.empty()) {
      std::printf("SKIPPED: %s\n", why.c_str());
      return kSkipped;
    }
  }
  try {
    shz::test::tuning() = shz::engine_tuning_from_env();
  } catch (const shz::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return Catch::Session().run(argc, argv);
}
