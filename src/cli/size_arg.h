// Parses sizes such as "4096", "64K", "1M", "1MiB", "2G" (binary multiples).
#pragma once

#include <cstdint>
#include <string>

namespace shz::cli {

// Returns the size in bytes; throws Error(kUsage) naming `option` when `text` is not a size
// in 1..2^62.
uint64_t size_arg_parse(const std::string& text, const std::string& option);

}  // namespace shz::cli
