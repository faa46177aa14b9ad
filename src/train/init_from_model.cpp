#include "init_from_model.h"

#include <cmath>
#include <stdexcept>

#include "model/safetensors.h"
#include "model/sharnn/sharnn_model.h"
#include "util/file_bytes.h"

namespace shz::train {

namespace {

constexpr double kQ24 = 16777216.0;

// The activation range r that an input multiplier m = 127 * 256 / r encodes.
double range_of(int32_t m) {
  if (m <= 0) throw std::runtime_error("--init: input multiplier " + std::to_string(m) + " is not positive");
  return 127.0 * 256.0 / double(m);
}

torch::Tensor from_vec(const std::vector<double>& v, std::vector<int64_t> shape) {
  torch::Tensor t = torch::empty(shape, torch::kFloat64);
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t.to(torch::kFloat32);
}

void set(torch::Tensor& param, const torch::Tensor& value, const std::string& what) {
  if (param.sizes() != value.sizes()) throw std::runtime_error("--init: shape of " + what + " differs from the network's");
  param.copy_(value.to(param.device()));
}

// W = w8 * s per row, s = m / (in_range * 256 / 127 * 2^24) (quantize.cpp's `linear`).
torch::Tensor weight_of(const sharnn::QLinear& q, double in_range) {
  std::vector<double> w(q.w.size());
  for (int r = 0; r < q.rows; ++r) {
    const double s = double(q.m[size_t(r)]) / (in_range * 256.0 / 127.0 * kQ24);
    for (int c = 0; c < q.cols; ++c) w[size_t(r) * size_t(q.cols) + size_t(c)] = q.w[size_t(r) * size_t(q.cols) + size_t(c)] * s;
  }
  return from_vec(w, {q.rows, q.cols});
}

torch::Tensor bias_of(const std::vector<int32_t>& b) {
  std::vector<double> v(b.begin(), b.end());
  for (double& x : v) x /= 256.0;
  return from_vec(v, {int64_t(v.size())});
}

void set_linear(torch::nn::Linear& lin, const sharnn::QLinear& q, double in_range, const std::string& what) {
  set(lin->weight, weight_of(q, in_range), what + ".weight");
  set(lin->bias, bias_of(q.b), what + ".bias");
}

// gamma = g / 2^12, beta = b / 2^8, each divided by `unfold` when a factor was folded in.
void set_ln(torch::nn::LayerNorm& ln, const sharnn::QLayerNorm& q, const std::string& what, double unfold = 1.0) {
  std::vector<double> g(q.gamma.begin(), q.gamma.end()), b(q.beta.begin(), q.beta.end());
  for (double& x : g) x /= 4096.0 * unfold;
  for (double& x : b) x /= 256.0 * unfold;
  set(ln->weight, from_vec(g, {int64_t(g.size())}), what + ".weight");
  set(ln->bias, from_vec(b, {int64_t(b.size())}), what + ".bias");
}

}  // namespace

std::string init_from_model(ShaRnnNet& net, const std::string& path) {
  std::vector<uint8_t> bytes = file_bytes(path);
  const SafeTensors st = safetensors_parse(std::move(bytes), path);
  const sharnn::Model m = sharnn::model_from_safetensors(st, path);
  const NetConfig& c = net->config();
  const sharnn::HyperParams& hp = m.hp;
  if (hp.d_model != c.d_model || hp.n_layers != c.n_layers || hp.attn_layers != c.attn_layers ||
      hp.window != c.window || hp.boom_dim != c.boom_dim)
    throw std::runtime_error("--init: " + path + " has other hyperparameters than the preset");
  const int d = c.d_model;
  torch::NoGradGuard no_grad;

  // Embedding rows carry the scale that head.m gives back on the output side.
  const double r_head = range_of(m.head_in_m);
  std::vector<double> e(m.embed.size());
  for (int r = 0; r < 256; ++r) {
    const double s = double(m.head.m[size_t(r)]) / (r_head * 256.0 / 127.0 * kQ24);
    for (int i = 0; i < d; ++i) e[size_t(r * d + i)] = m.embed[size_t(r * d + i)] * s;
  }
  set(net->embed, from_vec(e, {256, d}), "embed");
  set(net->out_bias, bias_of(m.head.b), "out_bias");

  double gate_max = 0;
  for (int l = 0; l < c.n_layers; ++l) {
    const sharnn::Layer& q = m.layers[size_t(l)];
    ShaRnnLayer& L = net->layers[size_t(l)];
    const std::string p = "layers." + std::to_string(l) + ".";
    set_ln(L->ln_start, q.ln_start, p + "ln_start");
    auto lp = L->lstm->named_parameters();
    set(lp["weight_ih_l0"], weight_of(q.w_ih, range_of(q.lstm_in_m)), p + "weight_ih");
    set(lp["bias_ih_l0"], bias_of(q.w_ih.b), p + "bias_ih");
    set(lp["weight_hh_l0"], weight_of(q.w_hh, 1.0), p + "weight_hh");  // h enters as round(h * 127)
    set(lp["bias_hh_l0"], bias_of(q.w_hh.b), p + "bias_hh");
    if (L->attn) {
      const double r_mem = range_of(q.mem_m);
      set_ln(L->ln_mem, q.ln_mem, p + "ln_mem");
      set_ln(L->ln_mid, q.ln_mid, p + "ln_mid");
      set_linear(L->q, q.w_q, range_of(q.q_in_m), p + "q");
      // ln_q holds gamma * qk_scale * 2^shift * r_mem / 127; with qs = ks = 0 the network
      // multiplies by 1/4 / sqrt(d) itself, so the rest goes back into ln_q.
      L->qs.zero_();
      L->ks.zero_();
      const double qk = 0.25 / std::sqrt(double(d));
      set_ln(L->ln_q, q.ln_q, p + "ln_q", qk * std::ldexp(1.0, q.attn_shift) * r_mem / 127.0);
      // Value gate sigma(f) * tanh(c), [c, f] = vq(sigma(vs)): a zero weight and biases that
      // give the collapsed gate g, with sigma(f) = max(0.95, (1 + |g|) / 2) so that tanh stays
      // off saturation (|tanh c| = |g| / sigma(f) <= 2|g| / (1 + |g|) < 1).
      std::vector<double> bias(size_t(2 * d));
      for (int i = 0; i < d; ++i) {
        const double g = double(q.gate[size_t(i)]) * 127.0 / r_mem / 256.0 / kQ24 * 32768.0;
        gate_max = std::max(gate_max, std::fabs(g));
        const double sf = std::max(0.95, (1.0 + std::fabs(g)) / 2.0);
        if (!(std::fabs(g) < 1.0)) throw std::runtime_error("--init: value gate " + std::to_string(g) + " outside (-1, 1)");
        bias[size_t(i)] = std::atanh(g / sf);
        bias[size_t(d + i)] = std::log(sf / (1.0 - sf));
      }
      L->vs.zero_();
      L->vq->weight.zero_();
      set(L->vq->bias, from_vec(bias, {2 * d}), p + "vq.bias");
    }
    set_ln(L->ln_ff, q.ln_ff, p + "ln_ff");
    set_ln(L->ln_xff, q.ln_xff, p + "ln_xff");
    set_linear(L->boom, q.w_boom, range_of(q.boom_in_m), p + "boom");
  }
  return "initialised from " + path + " (model '" + m.name + "', " + std::to_string(m.parameter_count()) +
         " integer parameters, dequantised; largest value gate " + std::to_string(gate_max) + ")";
}

}  // namespace shz::train
