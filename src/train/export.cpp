// shz export: calibrate activation ranges on text, then quantise the float network into a
// model file for the integer engine (model/sharnn/quantize.cpp does the arithmetic).
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "checkpoint.h"
#include "data.h"
#include "model/sharnn/quantize.h"
#include "threads.h"
#include "train_api.h"

namespace shz::train {

namespace {

std::vector<float> floats(const torch::Tensor& t) {
  torch::Tensor c = t.detach().cpu().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

sharnn::FloatLinear linear_of(const torch::Tensor& w, const torch::Tensor& b) {
  sharnn::FloatLinear f;
  f.rows = int(w.size(0));
  f.cols = int(w.size(1));
  f.w = floats(w);
  if (b.defined()) f.b = floats(b);
  return f;
}

sharnn::FloatLayerNorm ln_of(torch::nn::LayerNorm& ln) { return {floats(ln->weight), floats(ln->bias)}; }

sharnn::FloatModel float_model(ShaRnnNet& net) {
  torch::NoGradGuard no_grad;
  const NetConfig& c = net->config();
  sharnn::FloatModel fm;
  fm.hp = sharnn::HyperParams{c.d_model, c.n_layers, c.attn_layers, c.window, c.boom_dim};
  fm.embed = floats(net->embed);
  fm.out_bias = floats(net->out_bias);
  for (int l = 0; l < c.n_layers; ++l) {
    ShaRnnLayer& L = net->layers[size_t(l)];
    sharnn::FloatLayer f;
    f.ln_start = ln_of(L->ln_start);
    auto lp = L->lstm->named_parameters();
    // PyTorch's LSTM adds two biases; each requantisation carries one of them.
    f.w_ih = linear_of(lp["weight_ih_l0"], lp["bias_ih_l0"]);
    f.w_hh = linear_of(lp["weight_hh_l0"], lp["bias_hh_l0"]);
    if (L->attn) {
      f.ln_mem = ln_of(L->ln_mem);
      f.ln_mid = ln_of(L->ln_mid);
      f.ln_q = ln_of(L->ln_q);
      f.q = linear_of(L->q->weight, L->q->bias);
      f.qk_scale = floats(torch::sigmoid(L->qs) * torch::sigmoid(L->ks) / std::sqrt(double(c.d_model)));
      f.value_gate = floats(L->value_gate());
    }
    f.ln_ff = ln_of(L->ln_ff);
    f.ln_xff = ln_of(L->ln_xff);
    f.boom = linear_of(L->boom->weight, L->boom->bias);
    fm.layers.push_back(std::move(f));
  }
  return fm;
}

std::string stem_of(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const size_t dot = s.find('.');
  return dot == std::string::npos || dot == 0 ? s : s.substr(0, dot);
}

}  // namespace

int run_export(const ExportOptions& o) {
  set_compute_threads(o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
  struct stat sb;
  if (!o.force && stat(o.out.c_str(), &sb) == 0) throw std::runtime_error(o.out + ": already exists (use -f to overwrite)");
  TrainState ts;
  ShaRnnNet net = load_checkpoint(o.checkpoint, ts);
  net->to(pick_device(o.device));
  const nlohmann::json& tc = ts.config.at("train");

  // Calibration text: an equal share of calib_bytes from the start of each file.
  std::vector<std::string> files = o.calib.empty() ? tc.at("data").get<std::vector<std::string>>() : o.calib;
  std::vector<std::vector<uint8_t>> spans;
  uint64_t calib_total = 0;
  for (const std::string& f : files) {
    std::vector<uint8_t> b = file_bytes(f);
    b.resize(std::min<size_t>(b.size(), o.calib_bytes / files.size()));
    calib_total += b.size();
    if (!b.empty()) spans.push_back(std::move(b));
  }
  if (calib_total == 0) throw std::runtime_error("no calibration text");
  const uint64_t segment = tc.at("segment").get<uint64_t>();
  Calibration calib;
  const double bits = float_eval_bits(net, spans, segment, &calib);
  std::fprintf(stderr, "calibration: %llu bytes, float model %.4f bpb\n", (unsigned long long)calib_total,
               bits / double(calib_total));
  for (const auto& kv : calib) std::fprintf(stderr, "  range %-22s %.3f\n", kv.first.c_str(), kv.second);
  for (const auto& kv : calib)
    if (kv.second > 4000) std::fprintf(stderr, "warning: %s reaches %.0f, near the engine's +-4096 saturation\n", kv.first.c_str(), kv.second);

  const std::string name = o.name.empty() ? stem_of(o.out) : o.name;
  double valid = 0;
  if (!ts.curve.empty()) valid = ts.curve.back().at("valid_bpb").get<double>();
  char prov[1024];
  std::snprintf(prov, sizeof prov,
                "shz train preset %s, seed %llu, %llu steps, %llu training bytes from %s; validation %.4f bpb (float); "
                "calibrated on %llu bytes",
                tc.at("preset").get<std::string>().c_str(), (unsigned long long)tc.at("seed").get<uint64_t>(),
                (unsigned long long)ts.step, (unsigned long long)ts.bytes_seen, tc.at("data").dump().c_str(), valid,
                (unsigned long long)calib_total);
  sharnn::QuantizeReport rep;
  std::vector<uint8_t> file = sharnn::quantize_model(float_model(net), calib, name, {{"provenance", prov}}, &rep);
  for (const std::string& n : rep.notes) std::fprintf(stderr, "  %s\n", n.c_str());
  const std::string tmp = o.out + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f.write(reinterpret_cast<const char*>(file.data()), std::streamsize(file.size()));
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error(o.out + ": cannot write");
    }
  }
  if (std::rename(tmp.c_str(), o.out.c_str()) != 0) throw std::runtime_error(o.out + ": cannot write");
  std::fprintf(stderr, "wrote %s: model '%s', %zu bytes\n", o.out.c_str(), name.c_str(), file.size());
  return 0;
}

}  // namespace shz::train
