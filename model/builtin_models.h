// The SHA-RNN model files linked into this shz: the default model first, then older default
// models, kept so that archives made with them still decode without a model file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

struct BuiltinModelFile {
  const uint8_t* data;
  size_t size;
};

// Empty when this shz was built without a default model (CMake: -DSHZ_DEFAULT_MODEL=).
const std::vector<BuiltinModelFile>& builtin_model_files();

}  // namespace shz
