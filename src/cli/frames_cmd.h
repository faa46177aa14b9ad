// Frames on the command line: --part K/N, --range START:LENGTH and `shz join`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace shz::cli {

// "K/N" with 1 <= K <= N; throws Error(kUsage).
std::pair<unsigned, unsigned> part_parse(const std::string& text);

// "START:LENGTH" (sizes as --segment-size takes them; "START:" means to the end, LENGTH
// UINT64_MAX); throws Error(kUsage).
std::pair<uint64_t, uint64_t> range_parse(const std::string& text);

// `shz join FILES -o OUT` ("-": standard output): the parts' frames in order under one seek
// index. Returns the exit code; errors are printed.
int join_run(const std::vector<std::string>& files, const std::string& out, bool force, int verbosity);

}  // namespace shz::cli
