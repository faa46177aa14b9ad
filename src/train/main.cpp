// shz-train: the LibTorch side of shz (train, export, float-eval). `shz train ...` and
// `shz export ...` run this program; the coding binary itself never links LibTorch.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <exception>

#include "train_api.h"

int main(int argc, char** argv) {
  using namespace shz::train;
  CLI::App app{"shz-train: train SHA-RNN byte models and export them for the shz integer engine"};
  app.require_subcommand(1);

  TrainOptions t;
  CLI::App* train = app.add_subcommand("train", "train a SHA-RNN in float (LibTorch) and write a checkpoint");
  train->add_option("--data", t.data, "training text files (the tail of each is held out for validation)")->required();
  train->add_option("--valid", t.valid, "validation files (instead of holding out each file's tail)");
  train->add_option("--valid-fraction", t.valid_fraction, "fraction of each file held out for validation")->capture_default_str();
  train->add_option("--preset", t.preset, "tiny | small | paper")->capture_default_str();
  train->add_option("--out", t.out, "checkpoint path (log, curve CSV and SVG are written beside it)")->required();
  train->add_flag("--resume", t.resume, "continue the run saved in --out");
  train->add_option("--init", t.init, "start from the weights of this model file (dequantised) instead of random ones")
      ->excludes("--resume");
  train->add_option("--seed", t.seed, "random seed")->capture_default_str();
  train->add_option("-T,--threads", t.threads, "CPU threads (0: all cores)");
  train->add_option("--minutes", t.max_minutes, "stop after this many minutes of training (the schedule spans them)");
  train->add_option("--max-bytes", t.max_bytes, "stop after this many training bytes (the schedule spans them)");
  train->add_option("--batch", t.batch, "streams per step (default: the preset's)");
  train->add_option("--bptt", t.bptt, "mean chunk length (default: the preset's)");
  train->add_option("--lr", t.lr, "peak learning rate (default: the preset's)");
  train->add_option("--optimizer", t.optimizer, "lamb | adamw")->capture_default_str();
  train->add_option("--warmup", t.warmup, "warm-up steps (default: the preset's)");
  train->add_option("--clip", t.clip, "gradient norm clip")->capture_default_str();
  train->add_option("--dropout", t.dropout, "dropout (default: the preset's)");
  train->add_option("--checkpoint-minutes", t.checkpoint_minutes, "minutes between checkpoints")->capture_default_str();
  train->add_option("--eval-minutes", t.eval_minutes, "minutes between validation runs")->capture_default_str();
  train->add_option("--valid-bytes", t.valid_bytes, "validation bytes evaluated each time")->capture_default_str();
  train->add_option("--device", t.device, "auto | cpu | cuda (auto: CUDA when this LibTorch has it)")->capture_default_str();
  train->add_option("--segment", t.segment, "segment length: state is reset at each, as in archives")->capture_default_str();
  int nproc = 1;
  train->add_option("--nproc", nproc,
                    "data-parallel processes on this machine (as torchrun --nproc_per_node; c10d Gloo on the CPU, "
                    "NCCL with a CUDA LibTorch); under torchrun or srun the launcher's RANK/WORLD_SIZE or SLURM_* "
                    "are used instead")
      ->check(CLI::Range(1, 256));

  ExportOptions e;
  CLI::App* exp = app.add_subcommand("export", "quantise a checkpoint into a shz model file (docs/MODEL_FORMAT.md)");
  exp->add_option("checkpoint", e.checkpoint, "training checkpoint")->required();
  exp->add_option("-o,--out", e.out, "model file to write")->required();
  exp->add_option("--name", e.name, "model name recorded in archives (default: the output file's stem)");
  exp->add_option("--calib", e.calib, "calibration text (default: the checkpoint's training files)");
  exp->add_option("--calib-bytes", e.calib_bytes, "calibration bytes")->capture_default_str();
  exp->add_option("-T,--threads", e.threads, "CPU threads (0: all cores)");
  exp->add_flag("-f,--force", e.force, "overwrite the output");
  exp->add_option("--device", e.device, "auto | cpu | cuda")->capture_default_str();

  FloatEvalOptions f;
  CLI::App* fe = app.add_subcommand("float-eval", "bits per byte of the float model of a checkpoint");
  fe->add_option("checkpoint", f.checkpoint, "training checkpoint")->required();
  fe->add_option("files", f.files, "text to evaluate")->required();
  fe->add_option("--segment-size", f.segment, "segment length (state reset at each, as in archives)")->capture_default_str();
  fe->add_option("-T,--threads", f.threads, "CPU threads (0: all cores)");
  fe->add_flag("--json", f.json, "one JSON object per file");
  fe->add_option("--device", f.device, "auto | cpu | cuda")->capture_default_str();
  fe->add_option("--dump-probs", f.dump_probs, "write every position's distribution (float32 x 256) here");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& ex) {
    if (ex.get_exit_code() == 0) return app.exit(ex);  // --help
    // One line and shz's usage code (1), not CLI11's two lines and its own codes (106...).
    std::fprintf(stderr, "shz-train: %s (see --help)\n", ex.what());
    return 1;
  }
  try {
    if (*train && nproc > 1) {
      if (std::getenv("RANK") || std::getenv("WORLD_SIZE"))
        throw std::runtime_error("--nproc starts the processes itself; a launcher already did (RANK/WORLD_SIZE set)");
      std::vector<std::string> args;  // argv without --nproc N (or --nproc=N)
      for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--nproc") ++i;
        else if (a.rfind("--nproc=", 0) != 0) args.push_back(a);
      }
      return launch_local(nproc, args);
    }
    if (*train) return run_train(t);
    if (*exp) return run_export(e);
    if (*fe) return run_float_eval(f);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "shz-train: %s\n", ex.what());
    return 1;
  }
  return 1;
}
