#include "sharnn_model.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "sharnn_ops.h"
#include "shz/shz.h"

namespace shz::sharnn {
namespace {

constexpr const char* kFormat = "shz-model";
constexpr const char* kFormatVersion = "1";
constexpr const char* kArch = "sha-rnn";

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  throw Error(ErrorCode::kModel, file + ": " + what);
}

int meta_int(const std::map<std::string, std::string>& meta, const std::string& key, int lo, int hi,
             const std::string& file) {
  auto it = meta.find(key);
  if (it == meta.end()) bad(file, "metadata lacks '" + key + "'");
  const std::string& s = it->second;
  long long v = 0;
  if (s.empty() || s.size() > 9) bad(file, "metadata '" + key + "' = '" + s + "' is not an integer in " +
                                               std::to_string(lo) + ".." + std::to_string(hi));
  for (char c : s) {
    if (c < '0' || c > '9') bad(file, "metadata '" + key + "' = '" + s + "' is not an integer");
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi)
    bad(file, "metadata '" + key + "' = " + s + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return int(v);
}

std::string layer_prefix(int l) { return "layers." + std::to_string(l) + "."; }

template <class T>
std::vector<T> copy_as(const TensorView& v) {
  std::vector<T> out(v.size / sizeof(T));
  std::memcpy(out.data(), v.data, v.size);  // little-endian host (x86-64, CUDA hosts)
  return out;
}

}  // namespace

bool HyperParams::has_attn(int layer) const {
  for (int a : attn_layers)
    if (a == layer) return true;
  return false;
}

uint64_t HyperParams::weight_bytes() const {
  const uint64_t d = uint64_t(d_model);
  uint64_t n = 256 * d;  // the output layer (the tied embedding)
  for (int l = 0; l < n_layers; ++l) n += 8 * d * d + uint64_t(boom_dim) * d + (has_attn(l) ? d * d : 0);
  return n;
}

uint64_t HyperParams::attention_bytes(uint64_t filled) const {
  uint64_t layers = 0;
  for (int l = 0; l < n_layers; ++l) layers += has_attn(l);
  return layers * std::min(filled, uint64_t(window)) * uint64_t(d_model);
}

uint64_t HyperParams::macs_per_byte() const { return weight_bytes() + 2 * attention_bytes(uint64_t(window)); }

uint64_t Model::parameter_count() const {
  uint64_t n = embed.size();
  for (const Layer& l : layers) {
    n += l.w_ih.w.size() + l.w_hh.w.size() + l.w_q.w.size() + l.w_boom.w.size();
    n += l.w_ih.b.size() + l.w_hh.b.size() + l.w_q.b.size() + l.w_boom.b.size() + l.gate.size();
    for (const QLayerNorm* ln : {&l.ln_start, &l.ln_mem, &l.ln_mid, &l.ln_q, &l.ln_ff, &l.ln_xff})
      n += ln->gamma.size() + ln->beta.size();
  }
  return n + head.b.size();
}

std::vector<TensorSpec> model_tensor_specs(const HyperParams& hp) {
  const int64_t d = hp.d_model;
  std::vector<TensorSpec> s;
  auto ln = [&](const std::string& p) {
    s.push_back({p + ".gamma", "I32", {d}});
    s.push_back({p + ".beta", "I32", {d}});
  };
  auto lin = [&](const std::string& p, int64_t rows) {
    s.push_back({p + ".weight", "I8", {rows, d}});
    s.push_back({p + ".m", "I32", {rows}});
    s.push_back({p + ".b", "I32", {rows}});
  };
  auto scalar = [&](const std::string& n) { s.push_back({n, "I32", {1}}); };
  s.push_back({"embed.weight", "I8", {256, d}});
  for (int l = 0; l < hp.n_layers; ++l) {
    const std::string p = layer_prefix(l);
    ln(p + "ln_start");
    scalar(p + "lstm.in_m");
    lin(p + "lstm.w_ih", 4 * d);
    lin(p + "lstm.w_hh", 4 * d);
    if (hp.has_attn(l)) {
      ln(p + "attn.ln_mem");
      scalar(p + "attn.mem_m");
      ln(p + "attn.ln_mid");
      scalar(p + "attn.q_in_m");
      lin(p + "attn.q", d);
      ln(p + "attn.ln_q");
      scalar(p + "attn.shift");
      s.push_back({p + "attn.gate", "I32", {d}});
    }
    ln(p + "boom.ln_ff");
    ln(p + "boom.ln_xff");
    scalar(p + "boom.in_m");
    lin(p + "boom.linear", hp.boom_dim);
  }
  scalar("head.in_m");
  s.push_back({"head.m", "I32", {256}});
  s.push_back({"head.b", "I32", {256}});
  return s;
}

HyperParams model_hparams_from_metadata(const std::map<std::string, std::string>& meta, const std::string& file) {
  auto get = [&](const std::string& k) -> std::string {
    auto it = meta.find(k);
    return it == meta.end() ? std::string("(missing)") : it->second;
  };
  if (get("format") != kFormat) bad(file, "not an shz model file (metadata 'format' is " + get("format") + ")");
  if (get("format_version") != kFormatVersion)
    bad(file, "unsupported model format version " + get("format_version") + " (this shz reads version " +
                  kFormatVersion + ")");
  if (get("arch") != kArch) bad(file, "unsupported architecture '" + get("arch") + "' (this shz runs sha-rnn)");
  if (get("quant") != kEngineRevision)
    bad(file, "model is quantised for engine arithmetic '" + get("quant") + "', this shz has '" +
                  kEngineRevision + "'");
  HyperParams hp;
  hp.d_model = meta_int(meta, "d_model", 16, 4096, file);
  if (hp.d_model % 16 != 0) bad(file, "metadata 'd_model' = " + std::to_string(hp.d_model) + " is not a multiple of 16");
  hp.n_layers = meta_int(meta, "n_layers", 1, 64, file);
  hp.window = meta_int(meta, "window", 1, 32768, file);
  hp.boom_dim = meta_int(meta, "boom_dim", hp.d_model, 16 * hp.d_model, file);
  if (hp.boom_dim % hp.d_model != 0) bad(file, "metadata 'boom_dim' is not a multiple of d_model");
  const std::string list = get("attn_layers");
  if (list == "(missing)") bad(file, "metadata lacks 'attn_layers'");
  std::set<int> seen;
  size_t pos = 0;
  while (!list.empty() && pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string item = list.substr(pos, comma - pos);
    std::map<std::string, std::string> one{{"attn_layers", item}};
    const int a = meta_int(one, "attn_layers", 0, hp.n_layers - 1, file);
    if (!seen.insert(a).second) bad(file, "metadata 'attn_layers' lists layer " + item + " twice");
    hp.attn_layers.push_back(a);
    pos = comma + 1;
  }
  return hp;
}

std::map<std::string, std::string> model_metadata(const std::string& name, const HyperParams& hp,
                                                  const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> m = extra;
  m["format"] = kFormat;
  m["format_version"] = kFormatVersion;
  m["arch"] = kArch;
  m["quant"] = kEngineRevision;
  m["name"] = name;
  m["d_model"] = std::to_string(hp.d_model);
  m["n_layers"] = std::to_string(hp.n_layers);
  m["window"] = std::to_string(hp.window);
  m["boom_dim"] = std::to_string(hp.boom_dim);
  std::string a;
  for (size_t i = 0; i < hp.attn_layers.size(); ++i) a += (i ? "," : "") + std::to_string(hp.attn_layers[i]);
  m["attn_layers"] = a;
  return m;
}

Model model_from_safetensors(const SafeTensors& st, const std::string& file) {
  Model m;
  m.metadata = st.metadata;
  m.hp = model_hparams_from_metadata(st.metadata, file);
  auto nit = st.metadata.find("name");
  m.name = nit == st.metadata.end() ? "" : nit->second;
  if (m.name.empty() || m.name.size() > 64) bad(file, "metadata 'name' must be 1..64 characters");
  for (char c : m.name)
    if (c < 0x21 || c > 0x7e) bad(file, "metadata 'name' must be printable ASCII without spaces");

  const std::vector<TensorSpec> specs = model_tensor_specs(m.hp);
  std::set<std::string> expected;
  for (const TensorSpec& s : specs) {
    expected.insert(s.name);
    auto it = st.tensors.find(s.name);
    if (it == st.tensors.end()) bad(file, "missing tensor '" + s.name + "'");
    if (it->second.dtype != s.dtype)
      bad(file, "tensor '" + s.name + "' has dtype " + it->second.dtype + ", expected " + s.dtype);
    if (it->second.shape != s.shape) {
      std::string want;
      for (size_t i = 0; i < s.shape.size(); ++i) want += (i ? ", " : "") + std::to_string(s.shape[i]);
      bad(file, "tensor '" + s.name + "' has the wrong shape (expected [" + want + "])");
    }
  }
  for (const auto& kv : st.tensors)
    if (!expected.count(kv.first)) bad(file, "unexpected tensor '" + kv.first + "'");

  auto i32 = [&](const std::string& n) { return copy_as<int32_t>(st.tensors.at(n)); };
  auto one = [&](const std::string& n) { return i32(n)[0]; };
  auto ln = [&](const std::string& p) { return QLayerNorm{i32(p + ".gamma"), i32(p + ".beta")}; };
  auto lin = [&](const std::string& p) {
    QLinear q;
    const TensorView& w = st.tensors.at(p + ".weight");
    q.rows = int(w.shape[0]);
    q.cols = int(w.shape[1]);
    q.w = copy_as<int8_t>(w);
    q.m = i32(p + ".m");
    q.b = i32(p + ".b");
    q.row_sum.assign(size_t(q.rows), 0);
    for (int r = 0; r < q.rows; ++r)
      for (int c = 0; c < q.cols; ++c) q.row_sum[size_t(r)] += q.w[size_t(r) * size_t(q.cols) + size_t(c)];
    return q;
  };
  m.embed = copy_as<int8_t>(st.tensors.at("embed.weight"));
  for (int l = 0; l < m.hp.n_layers; ++l) {
    const std::string p = layer_prefix(l);
    Layer L;
    L.ln_start = ln(p + "ln_start");
    L.lstm_in_m = one(p + "lstm.in_m");
    L.w_ih = lin(p + "lstm.w_ih");
    L.w_hh = lin(p + "lstm.w_hh");
    if (m.hp.has_attn(l)) {
      L.ln_mem = ln(p + "attn.ln_mem");
      L.mem_m = one(p + "attn.mem_m");
      L.ln_mid = ln(p + "attn.ln_mid");
      L.q_in_m = one(p + "attn.q_in_m");
      L.w_q = lin(p + "attn.q");
      L.ln_q = ln(p + "attn.ln_q");
      L.attn_shift = one(p + "attn.shift");
      if (L.attn_shift < 0 || L.attn_shift > 40) bad(file, "tensor '" + p + "attn.shift' must be in 0..40");
      L.gate = i32(p + "attn.gate");
    }
    L.ln_ff = ln(p + "boom.ln_ff");
    L.ln_xff = ln(p + "boom.ln_xff");
    L.boom_in_m = one(p + "boom.in_m");
    L.w_boom = lin(p + "boom.linear");
    m.layers.push_back(std::move(L));
  }
  m.head_in_m = one("head.in_m");
  m.head.rows = 256;
  m.head.cols = m.hp.d_model;
  m.head.w = m.embed;
  m.head.m = i32("head.m");
  m.head.b = i32("head.b");
  m.head.row_sum.assign(256, 0);
  for (int r = 0; r < 256; ++r)
    for (int c = 0; c < m.hp.d_model; ++c) m.head.row_sum[size_t(r)] += m.embed[size_t(r) * size_t(m.hp.d_model) + size_t(c)];
  return m;
}

}  // namespace shz::sharnn
