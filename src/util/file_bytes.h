// Whole-file reads for the library and shz-train (model files, training text).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shz {

// All of `path`'s bytes. Throws Error(kInput) "PATH: REASON" for a directory, a file that
// cannot be opened, or a read error (never a stream library's own exception).
std::vector<uint8_t> file_bytes(const std::string& path);

}  // namespace shz
