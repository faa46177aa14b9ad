// zstd- and xz-style invocation without a subcommand: `shz FILE` compresses, `shz -d FILE`
// decompresses, `shz -t FILE` tests, `shz -l FILE` describes (as `shz info`). The arguments
// are rewritten into the subcommand form before parsing, so every option means the same.
#pragma once

#include <string>
#include <vector>

namespace shz::cli {

// The arguments after the program name, with a subcommand put first when none leads them:
// the mode flag (-d/--decompress/--uncompress, -t/--test, -l/--list, alone or in a cluster
// of single-letter flags such as -dc) is taken out and names it, compress without one.
// Unchanged when the first argument is a subcommand, help or version, except that -0 .. -9
// (the level, as in gzip, xz and zstd) become --level=N everywhere; no arguments at all are
// `compress` (standard input to standard output). Throws
// shz::Error(kUsage) for two different modes.
std::vector<std::string> mode_args(const std::vector<std::string>& args, const std::vector<std::string>& subcommands);

}  // namespace shz::cli
