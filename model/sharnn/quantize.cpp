#include "quantize.h"

#include <cmath>
#include <cstring>

#include "shz/shz.h"

namespace shz::sharnn {
namespace {

constexpr double kQ24 = 16777216.0;

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

class Builder {
 public:
  Builder(const ActivationRanges& r, QuantizeReport* rep) : ranges_(r), report_(rep) {}

  double range(const std::string& key) const {
    auto it = ranges_.find(key);
    if (it == ranges_.end()) throw Error(ErrorCode::kModel, "quantise: no calibrated range for '" + key + "'");
    return std::max(it->second, 1e-3);
  }

  int32_t to_i32(double v, const std::string& what) {
    const double r = std::nearbyint(v);
    if (!(std::fabs(r) < 2147483647.0)) throw Error(ErrorCode::kModel, "quantise: " + what + " does not fit int32");
    return int32_t(r);
  }

  // Quantise multiplier for activations of range r: int8 = x_Q8 * m / 2^16 = x * m / 256.
  void input_m(const std::string& name, double r) { i32(name, {to_i32(127.0 * 256.0 / r, name)}, {1}); }

  // Per-row int8 weights; requant m maps acc = sum(w8 * x8), x8 = x * 127 / in_range, to Q8.
  void linear(const std::string& name, const FloatLinear& f, double in_range, const std::vector<float>* extra_bias) {
    std::vector<int8_t> w(size_t(f.rows) * size_t(f.cols));
    std::vector<int32_t> m(size_t(f.rows)), b(size_t(f.rows));
    for (int r = 0; r < f.rows; ++r) {
      const float* row = &f.w[size_t(r) * size_t(f.cols)];
      double mx = 0;
      for (int c = 0; c < f.cols; ++c) mx = std::max(mx, double(std::fabs(row[c])));
      const double s = mx > 0 ? mx / 127.0 : 1.0;
      for (int c = 0; c < f.cols; ++c) w[size_t(r) * size_t(f.cols) + size_t(c)] = int8_t(std::nearbyint(row[c] / s));
      m[size_t(r)] = to_i32(s * in_range * 256.0 / 127.0 * kQ24, name + ".m");
      double bias = f.b.empty() ? 0.0 : f.b[size_t(r)];
      if (extra_bias) bias += (*extra_bias)[size_t(r)];
      b[size_t(r)] = to_i32(bias * 256.0, name + ".b");
    }
    add(name + ".weight", "I8", {f.rows, f.cols}, bytes_of(w));
    i32(name + ".m", m, {f.rows});
    i32(name + ".b", b, {f.rows});
  }

  void layernorm(const std::string& name, const FloatLayerNorm& ln, const std::vector<double>* fold = nullptr) {
    std::vector<int32_t> g(ln.gamma.size()), b(ln.beta.size());
    for (size_t i = 0; i < g.size(); ++i) {
      const double f = fold ? (*fold)[i] : 1.0;
      g[i] = to_i32(double(ln.gamma[i]) * f * 4096.0, name + ".gamma");
      b[i] = to_i32(double(ln.beta[i]) * f * 256.0, name + ".beta");
    }
    i32(name + ".gamma", g, {int64_t(g.size())});
    i32(name + ".beta", b, {int64_t(b.size())});
  }

  void i32(const std::string& name, const std::vector<int32_t>& v, std::vector<int64_t> shape) {
    add(name, "I32", std::move(shape), bytes_of(v));
  }
  void add(const std::string& name, const std::string& dtype, std::vector<int64_t> shape, std::vector<uint8_t> data) {
    tensors_[name] = TensorData{name, dtype, std::move(shape), std::move(data)};
  }
  void note(const std::string& s) {
    if (report_) report_->notes.push_back(s);
  }
  std::map<std::string, TensorData>& tensors() { return tensors_; }

 private:
  const ActivationRanges& ranges_;
  QuantizeReport* report_;
  std::map<std::string, TensorData> tensors_;
};

}  // namespace

std::vector<uint8_t> quantize_model(const FloatModel& fm, const ActivationRanges& ranges, const std::string& name,
                                    const std::map<std::string, std::string>& extra_metadata, QuantizeReport* report) {
  const HyperParams& hp = fm.hp;
  const int d = hp.d_model;
  Builder B(ranges, report);

  // Embedding: int8 per row. The input side feeds these integers to a LayerNorm, which
  // ignores each row's scale; the output side gets the scale back through head.m.
  std::vector<int8_t> e8(size_t(256) * size_t(d));
  std::vector<double> e_scale(256);
  for (int r = 0; r < 256; ++r) {
    double mx = 0;
    for (int i = 0; i < d; ++i) mx = std::max(mx, double(std::fabs(fm.embed[size_t(r * d + i)])));
    e_scale[size_t(r)] = mx > 0 ? mx / 127.0 : 1.0;
    for (int i = 0; i < d; ++i)
      e8[size_t(r * d + i)] = int8_t(std::nearbyint(fm.embed[size_t(r * d + i)] / e_scale[size_t(r)]));
  }
  B.add("embed.weight", "I8", {256, d}, bytes_of(e8));

  for (int l = 0; l < hp.n_layers; ++l) {
    const FloatLayer& L = fm.layers[size_t(l)];
    const std::string p = "layers." + std::to_string(l) + ".";
    B.layernorm(p + "ln_start", L.ln_start);
    const double r_in = B.range(p + "lstm.in");
    B.input_m(p + "lstm.in_m", r_in);
    B.linear(p + "lstm.w_ih", L.w_ih, r_in, nullptr);
    B.linear(p + "lstm.w_hh", L.w_hh, 1.0, nullptr);  // h enters as round(h * 127)
    if (hp.has_attn(l)) {
      const double r_mem = B.range(p + "attn.mem"), r_q = B.range(p + "attn.q_in"), a_qf = B.range(p + "attn.qf");
      B.layernorm(p + "attn.ln_mem", L.ln_mem);
      B.input_m(p + "attn.mem_m", r_mem);
      B.layernorm(p + "attn.ln_mid", L.ln_mid);
      B.input_m(p + "attn.q_in_m", r_q);
      B.linear(p + "attn.q", L.q, r_q, nullptr);
      // Scores: sum(q_Q8 * mem8) >> shift must be the Q8 logit q.k * qk_scale. With
      // mem8 = k * 127 / r_mem the query carries qk_scale * 2^shift * r_mem / 127, folded
      // into ln_q; shift is the largest keeping |q| (Q8) well inside int16 (|q| <= 120).
      int shift = int(std::floor(std::log2(120.0 * 127.0 / (a_qf * r_mem))));
      shift = std::max(0, std::min(40, shift));
      std::vector<double> fold(static_cast<size_t>(d));
      for (int i = 0; i < d; ++i) fold[size_t(i)] = double(L.qk_scale[size_t(i)]) * std::ldexp(1.0, shift) * r_mem / 127.0;
      B.layernorm(p + "attn.ln_q", L.ln_q, &fold);
      B.i32(p + "attn.shift", {shift}, {1});
      // Output: (sum_j p_j(Q15) * mem8_j) * gate >> 24 = Q8 of sum_j p_j * k_j * value_gate.
      std::vector<int32_t> gate(static_cast<size_t>(d));
      for (int i = 0; i < d; ++i)
        gate[size_t(i)] = B.to_i32(double(L.value_gate[size_t(i)]) * r_mem / 127.0 * 256.0 * kQ24 / 32768.0, p + "attn.gate");
      B.i32(p + "attn.gate", gate, {d});
      B.note(p + "attn: memory range " + std::to_string(r_mem) + ", score shift " + std::to_string(shift));
    }
    B.layernorm(p + "boom.ln_ff", L.ln_ff);
    B.layernorm(p + "boom.ln_xff", L.ln_xff);
    const double r_boom = B.range(p + "boom.in");
    B.input_m(p + "boom.in_m", r_boom);
    B.linear(p + "boom.linear", L.boom, r_boom, nullptr);
  }
  const double r_head = B.range("head.in");
  B.input_m("head.in_m", r_head);
  std::vector<int32_t> hm(256), hb(256);
  for (int r = 0; r < 256; ++r) {
    hm[size_t(r)] = B.to_i32(e_scale[size_t(r)] * r_head * 256.0 / 127.0 * kQ24, "head.m");
    hb[size_t(r)] = B.to_i32(double(fm.out_bias[size_t(r)]) * 256.0, "head.b");
  }
  B.i32("head.m", hm, {256});
  B.i32("head.b", hb, {256});

  std::vector<TensorData> out;
  for (const TensorSpec& s : model_tensor_specs(hp)) {
    auto it = B.tensors().find(s.name);
    if (it == B.tensors().end()) throw Error(ErrorCode::kModel, "quantise: internal: no tensor " + s.name);
    out.push_back(std::move(it->second));
  }
  return safetensors_serialize(model_metadata(name, hp, extra_metadata), out);
}

}  // namespace shz::sharnn
