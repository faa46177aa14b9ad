// The tests' main: the engine tuning from the environment (SHZ_SIMD, SHZ_BATCH, SHZ_CUDA_*),
// as the CLI takes it, then Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "util/env_tuning.h"

int main(int argc, char** argv) {
  try {
    shz::engine_tuning_from_env();
  } catch (const shz::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return Catch::Session().run(argc, argv);
}
