#include "net.h"

#include <cmath>

namespace shz::train {

namespace F = torch::nn::functional;

bool NetConfig::has_attn(int l) const {
  for (int a : attn_layers)
    if (a == l) return true;
  return false;
}

namespace {
torch::nn::LayerNorm make_ln(int d) { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-5)); }

void note(Calibration* calib, const std::string& key, const torch::Tensor& t) {
  if (!calib) return;
  const double m = t.detach().abs().max().item<double>();
  double& slot = (*calib)[key];
  slot = std::max(slot, m);
}
}  // namespace

ShaRnnLayerImpl::ShaRnnLayerImpl(const NetConfig& cfg, bool with_attn) : attn(with_attn) {
  const int d = cfg.d_model;
  ln_start = register_module("ln_start", make_ln(d));
  lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(d, d).batch_first(true)));
  if (attn) {
    ln_mem = register_module("ln_mem", make_ln(d));
    ln_mid = register_module("ln_mid", make_ln(d));
    ln_q = register_module("ln_q", make_ln(d));
    q = register_module("q", torch::nn::Linear(d, d));
    vq = register_module("vq", torch::nn::Linear(d, 2 * d));
    qs = register_parameter("qs", torch::zeros({d}));
    ks = register_parameter("ks", torch::zeros({d}));
    vs = register_parameter("vs", torch::zeros({d}));
  }
  ln_ff = register_module("ln_ff", make_ln(d));
  ln_xff = register_module("ln_xff", make_ln(d));
  boom = register_module("boom", torch::nn::Linear(d, cfg.boom_dim));
}

torch::Tensor ShaRnnLayerImpl::value_gate() {
  // Merity's Overparam: sigma(f) * tanh(c) with [c, f] = Linear(sigma(vs)).
  auto cf = vq->forward(torch::sigmoid(vs)).chunk(2, -1);
  return torch::sigmoid(cf[1]) * torch::tanh(cf[0]);
}

ShaRnnNetImpl::ShaRnnNetImpl(const NetConfig& cfg) : cfg_(cfg) {
  embed = register_parameter("embed", torch::randn({256, cfg.d_model}) * 0.1);
  out_bias = register_parameter("out_bias", torch::zeros({256}));
  for (int l = 0; l < cfg.n_layers; ++l)
    layers.push_back(register_module("layers_" + std::to_string(l), ShaRnnLayer(cfg, cfg.has_attn(l))));
}

torch::Tensor ShaRnnNetImpl::attention(ShaRnnLayer& L, const torch::Tensor& y, torch::Tensor& mem,
                                       Calibration* calib, const std::string& prefix) {
  const int64_t B = y.size(0), T = y.size(1), d = y.size(2), W = cfg_.window;
  torch::Tensor mh = L->ln_mem->forward(y);  // memory entries, shared by keys and values
  note(calib, prefix + "attn.mem", mh);
  torch::Tensor y2 = L->ln_mid->forward(y);
  note(calib, prefix + "attn.q_in", y2);
  torch::Tensor keys = mem.defined() && mem.size(1) > 0 ? torch::cat({mem, mh}, 1) : mh;
  const int64_t M = keys.size(1) - T;
  const double inv_sqrt_d = 1.0 / std::sqrt(double(d));
  torch::Tensor qf = L->ln_q->forward(L->q->forward(y2)) * torch::sigmoid(L->qs) * torch::sigmoid(L->ks) * inv_sqrt_d;
  note(calib, prefix + "attn.qf", qf);
  torch::Tensor scores = torch::matmul(qf, keys.transpose(1, 2));  // [B, T, M+T]
  // Query t sits at key index M+t and sees keys M+t-W+1 .. M+t.
  auto opts = torch::TensorOptions().dtype(torch::kInt64).device(y.device());
  torch::Tensor qi = torch::arange(M, M + T, opts).unsqueeze(1);
  torch::Tensor kj = torch::arange(0, M + T, opts).unsqueeze(0);
  torch::Tensor blocked = (kj > qi) | (kj <= qi - W);
  scores = scores.masked_fill(blocked.unsqueeze(0), -std::numeric_limits<float>::infinity());
  torch::Tensor p = torch::softmax(scores, -1);
  p = F::dropout(p, F::DropoutFuncOptions().p(cfg_.dropout).training(is_training()));
  torch::Tensor mix = torch::matmul(p, keys) * L->value_gate();
  const int64_t keep = std::min<int64_t>(W - 1, keys.size(1));
  mem = keys.narrow(1, keys.size(1) - keep, keep).detach();
  (void)B;
  return y2 + F::dropout(mix, F::DropoutFuncOptions().p(cfg_.dropout).training(is_training()));
}

torch::Tensor ShaRnnNetImpl::forward(const torch::Tensor& in, NetState& st, Calibration* calib) {
  const int64_t B = in.size(0);
  const int d = cfg_.d_model;
  auto drop = [&](const torch::Tensor& t) {
    return F::dropout(t, F::DropoutFuncOptions().p(cfg_.dropout).training(is_training()));
  };
  if (st.h.empty()) {
    const auto f = embed.options();  // same device as the network
    for (int l = 0; l < cfg_.n_layers; ++l) {
      st.h.push_back(torch::zeros({1, B, d}, f));
      st.c.push_back(torch::zeros({1, B, d}, f));
      st.mem.push_back(torch::zeros({B, 0, d}, f));
    }
  }
  torch::Tensor x = drop(F::embedding(in, embed));
  for (int l = 0; l < cfg_.n_layers; ++l) {
    ShaRnnLayer& L = layers[size_t(l)];
    const std::string prefix = "layers." + std::to_string(l) + ".";
    torch::Tensor n = L->ln_start->forward(x);
    note(calib, prefix + "lstm.in", n);
    auto out = L->lstm->forward(n, std::make_tuple(st.h[size_t(l)], st.c[size_t(l)]));
    torch::Tensor y = drop(std::get<0>(out));
    st.h[size_t(l)] = std::get<0>(std::get<1>(out)).detach();
    st.c[size_t(l)] = std::get<1>(std::get<1>(out)).detach();
    if (L->attn) y = attention(L, y, st.mem[size_t(l)], calib, prefix);
    torch::Tensor hf = L->ln_ff->forward(y);
    torch::Tensor xb = L->ln_xff->forward(y);
    note(calib, prefix + "boom.in", xb);
    torch::Tensor u = L->boom->forward(xb);
    torch::Tensor g = u * torch::sigmoid(1.702 * u);  // GELU as in the engine's table
    g = g.view({g.size(0), g.size(1), g.size(2) / d, d}).sum(2);
    x = hf + drop(g);
    note(calib, prefix + "out", x);
  }
  note(calib, "head.in", x);
  return torch::matmul(x, embed.t()) + out_bias;
}

}  // namespace shz::train
