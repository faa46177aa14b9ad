// Seeded random SHA-RNN model files: test and benchmark fixtures, never a default model.
// Weights are uniform int8; requantisation multipliers are set so that activations keep
// roughly unit scale through every layer, which exercises all the arithmetic paths.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sharnn_model.h"

namespace shz::sharnn {

struct RandomModelSpec {
  HyperParams hp;
  uint64_t seed = 1;
  std::string name = "random";
};

// The bytes of a valid model file (docs/MODEL_FORMAT.md) for `spec`. Same spec, same bytes.
std::vector<uint8_t> random_model_file(const RandomModelSpec& spec);

}  // namespace shz::sharnn
