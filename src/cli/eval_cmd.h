// shz eval: bits per byte of a model on files, from real archives made by the integer
// engine, beside the float model's when a training checkpoint is given.
#pragma once

#include <string>
#include <vector>

#include "shz/model.h"

namespace shz::cli {

struct EvalOptions {
  std::vector<std::string> files;
  std::string model = "default";
  std::string checkpoint;  // shz-train checkpoint: also report the float model's bpb
  std::string segment_size;
  unsigned threads = 0;
  bool json = false;
  std::string device = "cpu";
  EngineTuning engine;  // from the environment (SHZ_SIMD, ...)
};

int eval_run(const EvalOptions& o);

}  // namespace shz::cli
