// Measuring one codec on one file: sizes, median times after a warm-up, peak memory (each
// run in a child process, read back with wait4), and a round-trip check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "baselines.h"

namespace shz::bench {

struct Result {
  std::string corpus;  // file name
  std::string codec;
  std::string version;
  uint64_t original = 0, compressed = 0;
  double compress_s = 0, decompress_s = 0;  // medians
  double peak_mib = 0;                      // largest resident set of a compress or decompress run
  bool ok = false;
  std::string error;  // why not ok (round-trip mismatch, tool failure)
  // Where its times were measured (machine_name); empty: this run's machine. A merged file
  // (tools/bench-merge) keeps each row's own, so speeds from two machines are never passed
  // off as one's.
  std::string machine;
  double bpb() const { return original ? 8.0 * double(compressed) / double(original) : 0; }
};

// Runs `codec` on the file `path` (contents `data`): one warm-up, then `runs` measured runs.
// `scratch` is an empty directory the runner may use.
Result measure(const Codec& codec, const std::string& path, const std::vector<uint8_t>& data, int runs,
               const std::string& scratch);

// Quotes s for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace shz::bench
