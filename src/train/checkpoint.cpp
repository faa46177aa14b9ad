#include "checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace shz::train {

using nlohmann::json;

json net_config_to_json(const NetConfig& c) {
  return json{{"d_model", c.d_model}, {"n_layers", c.n_layers}, {"attn_layers", c.attn_layers},
              {"window", c.window},   {"boom_dim", c.boom_dim}, {"dropout", c.dropout}};
}

NetConfig net_config_from_json(const json& j) {
  NetConfig c;
  c.d_model = j.at("d_model").get<int>();
  c.n_layers = j.at("n_layers").get<int>();
  c.attn_layers = j.at("attn_layers").get<std::vector<int>>();
  c.window = j.at("window").get<int>();
  c.boom_dim = j.at("boom_dim").get<int>();
  c.dropout = j.at("dropout").get<double>();
  return c;
}

void save_checkpoint(const std::string& path, ShaRnnNet& net, const TrainState& ts) {
  torch::serialize::OutputArchive a;
  torch::serialize::OutputArchive model;
  net->save(model);
  a.write("model", model);
  a.write("format", c10::IValue(std::string("shz-train-checkpoint-1")));
  a.write("config", c10::IValue(ts.config.dump()));
  a.write("curve", c10::IValue(ts.curve.dump()));
  a.write("step", c10::IValue(int64_t(ts.step)));
  a.write("bytes_seen", c10::IValue(int64_t(ts.bytes_seen)));
  a.write("round", c10::IValue(int64_t(ts.round)));
  a.write("offset", c10::IValue(int64_t(ts.offset)));
  a.write("elapsed_s", c10::IValue(ts.elapsed_s));
  a.write("n_moments", c10::IValue(int64_t(ts.m.size())));
  for (size_t i = 0; i < ts.m.size(); ++i) {
    a.write("m." + std::to_string(i), ts.m[i]);
    a.write("v." + std::to_string(i), ts.v[i]);
  }
  a.write("n_state", c10::IValue(int64_t(ts.state.h.size())));
  for (size_t l = 0; l < ts.state.h.size(); ++l) {
    a.write("h." + std::to_string(l), ts.state.h[l]);
    a.write("c." + std::to_string(l), ts.state.c[l]);
    a.write("mem." + std::to_string(l), ts.state.mem[l]);
  }
  const std::string tmp = path + ".tmp";
  a.save_to(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot write checkpoint");
}

ShaRnnNet load_checkpoint(const std::string& path, TrainState& ts) {
  torch::serialize::InputArchive a;
  try {
    a.load_from(path, torch::Device(torch::kCPU));  // moved to the run's device afterwards
  } catch (const c10::Error&) {
    throw std::runtime_error(path + ": not a shz training checkpoint (cannot read it as one)");
  }
  c10::IValue v;
  if (!a.try_read("format", v) || !v.isString() || v.toStringRef() != "shz-train-checkpoint-1")
    throw std::runtime_error(path + ": not a shz training checkpoint");
  a.read("config", v);
  ts.config = json::parse(v.toStringRef());
  a.read("curve", v);
  ts.curve = json::parse(v.toStringRef());
  auto read_int = [&](const char* k) {
    a.read(k, v);
    return uint64_t(v.toInt());
  };
  ts.step = read_int("step");
  ts.bytes_seen = read_int("bytes_seen");
  ts.round = read_int("round");
  ts.offset = read_int("offset");
  a.read("elapsed_s", v);
  ts.elapsed_s = v.toDouble();
  ShaRnnNet net(net_config_from_json(ts.config.at("net")));
  torch::serialize::InputArchive model;
  a.read("model", model);
  net->load(model);
  const uint64_t nm = read_int("n_moments");
  ts.m.assign(nm, {});
  ts.v.assign(nm, {});
  for (size_t i = 0; i < nm; ++i) {
    a.read("m." + std::to_string(i), ts.m[i]);
    a.read("v." + std::to_string(i), ts.v[i]);
  }
  const uint64_t ns = read_int("n_state");
  ts.state.reset();
  for (size_t l = 0; l < ns; ++l) {
    torch::Tensor h, c, mem;
    a.read("h." + std::to_string(l), h);
    a.read("c." + std::to_string(l), c);
    a.read("mem." + std::to_string(l), mem);
    ts.state.h.push_back(h);
    ts.state.c.push_back(c);
    ts.state.mem.push_back(mem);
  }
  return net;
}

torch::Device pick_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name == "auto") {
    if (torch::cuda::is_available()) return torch::kCUDA;
    if (name == "cuda") throw std::runtime_error("--device cuda: this LibTorch has no CUDA or no GPU is visible");
    return torch::kCPU;
  }
  throw std::runtime_error("unknown device '" + name + "' (auto, cpu, cuda)");
}

void state_to(NetState& st, torch::Device dev) {
  for (auto* v : {&st.h, &st.c, &st.mem})
    for (auto& t : *v) t = t.to(dev);
}

double float_eval_bits(ShaRnnNet& net, const std::vector<std::vector<uint8_t>>& spans, uint64_t segment,
                       Calibration* calib, std::vector<float>* probs) {
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  struct Seg {
    const uint8_t* p;
    int64_t n;
    size_t global;  // offset of the segment's first byte in all spans
  };
  std::vector<Seg> segs;
  size_t total = 0;
  for (const auto& s : spans) {
    for (size_t at = 0; at < s.size(); at += segment)
      segs.push_back({s.data() + at, int64_t(std::min<uint64_t>(segment, s.size() - at)), total + at});
    total += s.size();
  }
  if (probs) probs->assign(total * 256, 0.0f);
  // Longest first, so each batch pads little; padding sits after a segment's end and so
  // never influences its predictions (the model is causal).
  std::stable_sort(segs.begin(), segs.end(), [](const Seg& a, const Seg& b) { return a.n > b.n; });
  constexpr size_t kBatch = 16;
  constexpr int64_t kChunk = 512;
  double bits = 0;
  for (size_t b0 = 0; b0 < segs.size(); b0 += kBatch) {
    const size_t nb = std::min(kBatch, segs.size() - b0);
    const int64_t len = segs[b0].n;
    torch::Tensor in = torch::zeros({int64_t(nb), len}, torch::kInt64);
    torch::Tensor tgt = torch::zeros({int64_t(nb), len}, torch::kInt64);
    torch::Tensor mask = torch::zeros({int64_t(nb), len}, torch::kFloat32);
    auto in_a = in.accessor<int64_t, 2>();
    auto tg_a = tgt.accessor<int64_t, 2>();
    auto mk_a = mask.accessor<float, 2>();
    for (size_t r = 0; r < nb; ++r)
      for (int64_t t = 0; t < segs[b0 + r].n; ++t) {
        tg_a[int64_t(r)][t] = segs[b0 + r].p[t];
        if (t + 1 < len) in_a[int64_t(r)][t + 1] = segs[b0 + r].p[t];
        mk_a[int64_t(r)][t] = 1.0f;
      }
    NetState st;
    for (int64_t t0 = 0; t0 < len; t0 += kChunk) {
      const int64_t n = std::min(kChunk, len - t0);
      torch::Tensor logits = net->forward(in.narrow(1, t0, n).to(net->embed.device()), st, calib).cpu();
      torch::Tensor lp = torch::log_softmax(logits.to(torch::kFloat64), -1);
      torch::Tensor nll = -lp.gather(2, tgt.narrow(1, t0, n).unsqueeze(2)).squeeze(2);
      bits += (nll * mask.narrow(1, t0, n).to(torch::kFloat64)).sum().item<double>() / std::log(2.0);
      if (probs) {
        torch::Tensor pr = lp.exp().to(torch::kFloat32).contiguous();
        for (size_t r = 0; r < nb; ++r)
          for (int64_t t = t0; t < std::min(t0 + n, segs[b0 + r].n); ++t)
            std::memcpy(&(*probs)[(segs[b0 + r].global + size_t(t)) * 256], pr[int64_t(r)][t - t0].data_ptr<float>(),
                        256 * sizeof(float));
      }
    }
  }
  if (was_training) net->train();
  return bits;
}

}  // namespace shz::train
