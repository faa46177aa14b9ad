// Whole-file reads for the library, the CLI and shz-train (inputs, model files, training text).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace shz {

// All of `path`'s bytes. Throws Error(kInput) "PATH: REASON" for a directory, a file that
// cannot be opened, or a read error (never a stream library's own exception).
std::vector<uint8_t> file_bytes(const std::string& path);

// The rest of an open stream (a file or stdin), which the caller closes. Throws
// Error(kInput) "NAME: read error: REASON".
std::vector<uint8_t> stream_bytes(FILE* f, const std::string& name);

}  // namespace shz
