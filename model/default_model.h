// The model file built into this shz as "default" (empty when built without one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace shz {

std::pair<const uint8_t*, size_t> default_model_bytes();

}  // namespace shz
