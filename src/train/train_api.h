// The shz-train tool's entry points, free of LibTorch types so its CLI stays a light
// translation unit (LibTorch headers cost ~24 s and 1.4 GB of compiler memory per file).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shz::train {

struct TrainOptions {
  std::vector<std::string> data;  // training text; the tail of each file is validation
  double valid_fraction = 0.02;
  std::vector<std::string> valid;  // explicit validation files (then no tails are held out)
  std::string preset = "small";  // tiny | small | paper
  std::string out;               // checkpoint path; the log, curve CSV and SVG go beside it
  bool resume = false;           // continue from `out`
  std::string init;              // start from this model file's weights (dequantised), not at random
  uint64_t seed = 1;
  int threads = 0;           // 0: all cores
  double max_minutes = 0;    // stop after this long (0: no limit)
  uint64_t max_bytes = 0;    // stop after this many training bytes (0: no limit)
  int batch = 0;             // streams per step (0: the preset's)
  int bptt = 0;              // mean chunk length (0: the preset's)
  double lr = 0;             // peak learning rate (0: the preset's)
  std::string optimizer = "lamb";  // lamb | adamw
  int warmup = 0;            // warm-up steps (0: the preset's)
  double clip = 0.25;        // gradient norm clip
  double dropout = -1;       // -1: the preset's
  double checkpoint_minutes = 10;
  double eval_minutes = 5;
  uint64_t valid_bytes = 131072;  // validation bytes evaluated each time
  uint64_t segment = 65536;  // training segments start from a fresh state, as archives do
  std::string device = "auto";  // auto | cpu | cuda
};
int run_train(const TrainOptions& opt);

// `shz-train train --nproc N`: runs N copies of this program on this machine as ranks 0..N-1
// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, a free
// MASTER_PORT), each with `args` (argv without --nproc), as torchrun --nproc_per_node does;
// waits, and stops the rest when one fails. Returns the first failure's exit code.
int launch_local(int nproc, const std::vector<std::string>& args);

struct ExportOptions {
  std::string checkpoint;
  std::string out;
  std::string name;                 // recorded in archives; default: the checkpoint's stem
  std::vector<std::string> calib;   // calibration text (default: the training files)
  uint64_t calib_bytes = 262144;
  int threads = 0;
  bool force = false;
  std::string device = "auto";
};
int run_export(const ExportOptions& opt);

struct FloatEvalOptions {
  std::string checkpoint;
  std::vector<std::string> files;
  uint64_t segment = 65536;
  int threads = 0;
  bool json = false;
  std::string device = "auto";
  std::string dump_probs;  // write float32 [bytes][256] predicted distributions here (one file)
};
int run_float_eval(const FloatEvalOptions& opt);

}  // namespace shz::train
