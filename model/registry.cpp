// Models by name or file path.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>

#include "builtin_models.h"
#include "cuda/cuda_backend.h"
#include "order2.h"
#include "sharnn/kernels.h"
#include "sharnn/sharnn_model.h"
#include "sharnn/sharnn_predictor.h"
#include "shz/model.h"
#include "shz/shz.h"
#include "util/file_bytes.h"
#include "util/hash.h"

namespace shz {

namespace {
bool predictor_is_builtin(const std::string& name) { return name == "order2"; }
}  // namespace

std::unique_ptr<Predictor> predictor_create(const std::string& name) {
  if (predictor_is_builtin(name)) return std::make_unique<Order2Model>();
  throw Error(ErrorCode::kUsage, "unknown model '" + name + "' (built-in: " + predictor_builtin_names() + ")");
}

std::string predictor_builtin_names() { return "order2"; }

namespace {
// Whether SHA-RNN predictors go to the GPU for `device`; throws for an unknown device or an
// explicit "cuda" without a usable GPU.
bool use_cuda(const std::string& device) {
  if (device == "cpu") return false;
  if (device == "auto") return cuda::available(nullptr);
  if (device != "cuda") throw Error(ErrorCode::kUsage, "unknown device '" + device + "' (cpu, cuda, auto)");
  std::string why;
  if (!cuda::available(&why)) throw Error(ErrorCode::kUsage, "device cuda: " + why);
  return true;
}
}  // namespace

std::shared_ptr<const LoadedModel> model_load_bytes(std::vector<uint8_t> bytes, const std::string& label,
                                                    const std::string& device) {
  const bool gpu = use_cuda(device);
  auto out = std::make_shared<LoadedModel>();
  const uint64_t hash = hash_bytes(bytes.data(), bytes.size());
  SafeTensors st = safetensors_parse(std::move(bytes), label);
  auto model = std::make_shared<sharnn::Model>(sharnn::model_from_safetensors(st, label));
  out->id = ModelIdentity{model->name, hash};
  out->builtin = false;
  out->file = std::move(st.bytes);
  out->parameters = model->parameter_count();
  const sharnn::HyperParams& hp = model->hp;
  std::string attn;
  for (size_t i = 0; i < hp.attn_layers.size(); ++i) attn += (i ? "," : "") + std::to_string(hp.attn_layers[i]);
  out->description = "sha-rnn d=" + std::to_string(hp.d_model) + " layers=" + std::to_string(hp.n_layers) +
                     " attention=[" + attn + "] window=" + std::to_string(hp.window) + " boom=" +
                     std::to_string(hp.boom_dim) + ", " + std::to_string(out->parameters) + " parameters";
  // Streams stepped together per worker, unless the tuning says. Archives never depend on
  // it. A GPU wants many segments in flight. On a CPU each stream
  // streams its attention memory every byte, so batches stay small enough to keep caches
  // warm (default model on 2 cores: 8 streams 59-62 KB/s, 16 streams 47-55), while a big
  // model's weights are shared by more streams (paper size: 16 streams 2.9 KB/s, 8 2.5).
  const size_t batch = gpu ? 256 : model->parameter_count() > (size_t(8) << 20) ? 16 : 8;
  const ModelIdentity id = out->id;
  out->description += gpu ? ", on CUDA: " + cuda::device_description() : std::string(", on CPU");
  out->make_tuned = [model, id, batch, gpu](const EngineTuning& t) -> std::unique_ptr<Predictor> {
    engine_tuning_check(t);
    const size_t b = t.batch ? t.batch : batch;
    if (gpu) return cuda::make_predictor(model, id, b, t);
    return std::make_unique<sharnn::ShaRnnPredictor>(model, id, sharnn::simd_parse(t.simd), b);
  };
  return out;
}

namespace {
// Built-in model file i, parsed on first use (once per process, for the CPU); nullptr past
// the last. The default model is i = 0.
std::shared_ptr<const LoadedModel> builtin_file_model(size_t i) {
  static std::mutex mu;
  static std::vector<std::shared_ptr<const LoadedModel>> parsed(builtin_model_files().size());
  if (i >= parsed.size()) return nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (!parsed[i]) {
    const BuiltinModelFile& f = builtin_model_files()[i];
    parsed[i] = model_load_bytes(std::vector<uint8_t>(f.data, f.data + f.size),
                                 i == 0 ? "built-in default model" : "built-in older default model");
  }
  return parsed[i];
}

// Built-in model file i for `device`: the parsed CPU model, or a fresh load for the GPU.
std::shared_ptr<const LoadedModel> builtin_file_model_on(size_t i, const std::string& device) {
  std::shared_ptr<const LoadedModel> m = builtin_file_model(i);
  if (!m || !use_cuda(device)) return m;
  const BuiltinModelFile& f = builtin_model_files()[i];
  return model_load_bytes(std::vector<uint8_t>(f.data, f.data + f.size), "built-in model", device);
}
}  // namespace

std::shared_ptr<const LoadedModel> default_model() { return builtin_file_model(0); }

std::shared_ptr<const LoadedModel> builtin_model_with_hash(uint64_t hash, const std::string& device) {
  // Compared by the files' hashes, so only the model asked for is parsed.
  static const std::vector<uint64_t> hashes = [] {
    std::vector<uint64_t> h;
    for (const BuiltinModelFile& f : builtin_model_files()) h.push_back(hash_bytes(f.data, f.size));
    return h;
  }();
  for (size_t i = 0; i < hashes.size(); ++i)
    if (hashes[i] == hash) return builtin_file_model_on(i, device);
  return nullptr;
}

std::string builtin_model_file_names() {
  std::string names;
  for (size_t i = 0; builtin_file_model(i); ++i) names += (i ? ", " : "") + builtin_file_model(i)->id.name;
  return names;
}

std::shared_ptr<const LoadedModel> model_load(const std::string& name_or_path, const std::string& device) {
  if (name_or_path == kDefaultModelName) {
    if (!default_model()) throw Error(ErrorCode::kModel, "this shz was built without a default model; name a model");
    return builtin_file_model_on(0, device);
  }
  // A built-in name wins (order2, or a built-in model file's name such as an older default
  // model's); then an existing file; a name that looks like neither is reported as an
  // unknown model, a path as a file that cannot be opened.
  const bool builtin = predictor_is_builtin(name_or_path);
  const bool looks_like_path = name_or_path.find('/') != std::string::npos || name_or_path.find('.') != std::string::npos;
  if (!builtin && !looks_like_path)
    for (size_t i = 0; builtin_file_model(i); ++i)
      if (builtin_file_model(i)->id.name == name_or_path) return builtin_file_model_on(i, device);
  if (builtin || (!looks_like_path && !std::ifstream(name_or_path).good())) {
    if (device != "cpu" && device != "auto" && device != "cuda")
      throw Error(ErrorCode::kUsage, "unknown device '" + device + "' (cpu, cuda, auto)");
    if (!builtin) {
      const std::string files = builtin_model_file_names();
      throw Error(ErrorCode::kUsage, "unknown model '" + name_or_path + "' (built-in: " + kDefaultModelName + ", " +
                                         predictor_builtin_names() + (files.empty() ? "" : ", " + files) +
                                         "; or a model file)");
    }
    std::unique_ptr<Predictor> probe = predictor_create(name_or_path);
    auto out = std::make_shared<LoadedModel>();
    out->id = probe->identity();
    out->builtin = true;
    out->description = name_or_path + " (built-in)";
    out->make_tuned = [name_or_path](const EngineTuning& t) {
      engine_tuning_check(t);
      return predictor_create(name_or_path);
    };
    return out;
  }
  std::vector<uint8_t> bytes;
  try {
    bytes = file_bytes(name_or_path);
  } catch (const Error& e) {
    throw Error(e.code(), "model file " + std::string(e.what()));
  }
  return model_load_bytes(std::move(bytes), name_or_path, device);
}

}  // namespace shz
