// shz-train float-eval: the float model's bits per byte, segment by segment as archives code.
#include <cstdio>
#include <fstream>
#include <thread>

#include "checkpoint.h"
#include "data.h"
#include "threads.h"
#include "train_api.h"

namespace shz::train {

int run_float_eval(const FloatEvalOptions& o) {
  set_compute_threads(o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
  if (!o.dump_probs.empty() && o.files.size() != 1) throw std::runtime_error("--dump-probs takes exactly one file");
  if (o.segment < 1) throw std::runtime_error("--segment-size must be positive");
  TrainState ts;
  ShaRnnNet net = load_checkpoint(o.checkpoint, ts);
  net->to(pick_device(o.device));
  for (const std::string& path : o.files) {
    std::vector<std::vector<uint8_t>> spans{file_bytes(path)};
    const double n = double(spans[0].size());
    std::vector<float> probs;
    const double bits = n > 0 ? float_eval_bits(net, spans, o.segment, nullptr, o.dump_probs.empty() ? nullptr : &probs) : 0.0;
    if (!o.dump_probs.empty()) {
      std::ofstream f(o.dump_probs, std::ios::binary);
      f.write(reinterpret_cast<const char*>(probs.data()), std::streamsize(probs.size() * sizeof(float)));
      if (!f) throw std::runtime_error(o.dump_probs + ": cannot write");
    }
    if (o.json)
      std::printf("%s\n", nlohmann::json{{"file", path}, {"bytes", n}, {"float_bits", bits}, {"float_bpb", n > 0 ? bits / n : 0.0}}
                               .dump()
                               .c_str());
    else
      std::printf("%s: %.0f bytes, float model %.4f bpb (%.0f bytes of information)\n", path.c_str(), n,
                  n > 0 ? bits / n : 0.0, bits / 8);
  }
  return 0;
}

}  // namespace shz::train
