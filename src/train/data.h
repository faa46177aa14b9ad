// Training text: files read whole, each split into a training head and a validation tail,
// and cut into fixed-size segments that (like archive segments) start from a fresh state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/file_bytes.h"

namespace shz::train {

struct TextSplit {
  std::vector<uint8_t> train;                   // training parts of all files, concatenated
  std::vector<std::vector<uint8_t>> valid;      // each file's validation tail
  std::string description;                      // one line per file, for the log
};

// Reads each file; the last floor(size * valid_fraction) bytes of each are validation.
// Throws std::runtime_error naming a file that cannot be read or is empty.
TextSplit load_split(const std::vector<std::string>& files, double valid_fraction);

// Segment order of one epoch over `n` segments: a seeded permutation.
std::vector<uint32_t> epoch_order(uint32_t n, uint64_t seed, uint64_t epoch);

}  // namespace shz::train
