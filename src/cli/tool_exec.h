// The LibTorch side lives in a separate program, shz-train, so the coding binary never links
// LibTorch; `shz train` and `shz export` hand over to it.
#pragma once

#include <string>

namespace shz::cli {

// Path of shz-train: beside this executable, else found on PATH. Throws Error(kUsage) with
// the install hint when neither exists.
std::string train_tool_path();

// Replaces this process with `shz-train argv[1..]` (argv[1] is "train" or "export").
[[noreturn]] void train_tool_exec(int argc, char** argv);

}  // namespace shz::cli
