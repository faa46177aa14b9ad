// Models by name or file: the built-in models, and SHA-RNN model files (docs/MODEL_FORMAT.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shz/predictor.h"

namespace shz {

// How SHA-RNN predictors run: none of it changes a probability (archives are the same
// whatever is chosen; tests check it), only speed. Each compression or decompression
// context carries its own (CompressOptions::engine, DecompressOptions::engine; the C ABI's
// SHZ_C_SIMD, SHZ_C_BATCH, ...), and predictors take it when they are made. The library
// reads no environment variables; the CLI, the tests and the benchmarks map SHZ_SIMD,
// SHZ_BATCH, SHZ_CUDA_GRAPHS, SHZ_CUDA_TC and SHZ_CUDA_PROFILE onto it (src/util/env_tuning.h).
struct EngineTuning {
  std::string simd = "auto";     // CPU kernels: auto (the best this CPU has), avx512, avx2, scalar
  size_t batch = 0;              // streams a predictor steps at once; 0: the engine's choice
  bool cuda_graphs = true;       // replay a step's launches as one CUDA graph
  bool cuda_tensor_cores = true;  // int8 tensor cores for the products (false: dp4a)
  bool cuda_profile = false;     // time each operation's kernels, printed to stderr (no graphs)
};
// Throws Error(kUsage) for an unknown SIMD level, one this CPU lacks, or a batch over 4096.
void engine_tuning_check(const EngineTuning& t);

struct LoadedModel {
  ModelIdentity id;
  bool builtin = true;
  std::vector<uint8_t> file;  // the model file's bytes (empty for built-in models)
  std::string description;    // one line for `shz info` and -v
  uint64_t parameters = 0;
  // Makes an independent predictor (one per worker thread) that runs as `tuning` says (the
  // tuning checked first: Error(kUsage)); the weights are shared.
  std::function<std::unique_ptr<Predictor>(const EngineTuning& tuning)> make_tuned;
  std::unique_ptr<Predictor> make(const EngineTuning& tuning = EngineTuning()) const { return make_tuned(tuning); }
};

// The name that selects the SHA-RNN model built into shz (the CLI's default model).
inline constexpr const char* kDefaultModelName = "default";

// The built-in default model, or nullptr when this shz was built without one.
std::shared_ptr<const LoadedModel> default_model();

// The built-in SHA-RNN model (the default or an older default model) whose file has this
// xxh64, loaded for `device`; nullptr when none has.
std::shared_ptr<const LoadedModel> builtin_model_with_hash(uint64_t hash, const std::string& device = "cpu");

// The names of the built-in SHA-RNN models, the default first ("" when none).
std::string builtin_model_file_names();

// "default", a built-in model name (e.g. "order2", or an older default model such as
// "shz-small-v1") or the path of a model file. Throws shz::Error:
// kUsage for an unknown name, kInput for an unreadable file, kModel for an invalid one.
// `device` picks where SHA-RNN models run: "cpu", "cuda" (Error(kUsage) without a usable
// GPU) or "auto" (CUDA when available); pmfs are identical on each. Built-in models run on
// the CPU whatever `device` says.
std::shared_ptr<const LoadedModel> model_load(const std::string& name_or_path, const std::string& device = "cpu");

// A model file already in memory (e.g. embedded in an archive); `label` names it in errors.
std::shared_ptr<const LoadedModel> model_load_bytes(std::vector<uint8_t> bytes, const std::string& label,
                                                    const std::string& device = "cpu");

}  // namespace shz
