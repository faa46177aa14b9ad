// The SHA-RNN engine's test fixture, shared by the CPU and CUDA engine tests: a small seeded
// random model (not a trained model), and a driver that records every pmf of one stream
// while other streams run beside it.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "model/sharnn/random_model.h"
#include "model/sharnn/sharnn_model.h"
#include "shz/predictor.h"

namespace shz::test {

using namespace shz::sharnn;

// A random int8 matrix with its row sums and per-row requantisation; `extreme` puts every
// weight at +-127 (the kernels' bounds).
template <class Rng>
QLinear random_linear(int rows, int cols, Rng& rng, bool extreme = false) {
  QLinear q;
  q.rows = rows;
  q.cols = cols;
  q.w.resize(size_t(rows) * size_t(cols));
  for (auto& v : q.w) v = extreme ? int8_t(rng.below(2) ? 127 : -127) : int8_t(int(rng.below(255)) - 127);
  q.row_sum.assign(size_t(rows), 0);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) q.row_sum[size_t(r)] += q.w[size_t(r) * size_t(cols) + size_t(c)];
  q.m.resize(size_t(rows));
  q.b.resize(size_t(rows));
  for (int r = 0; r < rows; ++r) {
    q.m[size_t(r)] = int32_t(4096 + rng.below(1 << 20));
    q.b[size_t(r)] = int32_t(rng.below(8193)) - 4096;
  }
  return q;
}

// True when a CUDA GPU is usable; otherwise warns why (the CUDA tests then pass vacuously).
bool gpu_or_skip();

inline HyperParams small_hp() {
  HyperParams hp;
  hp.d_model = 32;
  hp.n_layers = 2;
  hp.attn_layers = {1};
  hp.window = 24;  // small, so the memory ring wraps within the test inputs
  hp.boom_dim = 64;
  return hp;
}

inline std::vector<uint8_t> small_model_bytes(uint64_t seed = 5) {
  RandomModelSpec spec;
  spec.hp = small_hp();
  spec.seed = seed;
  spec.name = "test-small";
  return random_model_file(spec);
}

inline std::shared_ptr<const Model> small_model() {
  static std::shared_ptr<const Model> m = [] {
    SafeTensors st = safetensors_parse(small_model_bytes(), "small");
    return std::make_shared<const Model>(model_from_safetensors(st, "small"));
  }();
  return m;
}

inline std::string write_temp(const std::vector<uint8_t>& bytes, const std::string& name) {
  const std::string path = "/tmp/shz_test_" + std::to_string(getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
  return path;
}

// Every pmf of `data` fed to slot `slot` of `p`, with the other slots fed `others` meanwhile.
inline std::vector<uint32_t> pmfs_of(Predictor& p, const std::vector<uint8_t>& data, size_t slots, size_t slot,
                              const std::vector<std::vector<uint8_t>>& others) {
  p.begin(slots);
  std::vector<uint32_t> out(256 * data.size()), tmp(256 * slots);
  for (size_t t = 0; t < data.size(); ++t) {
    std::vector<size_t> ids;
    std::vector<uint8_t> bytes;
    for (size_t s = 0; s < slots; ++s)
      if (s == slot || t < others[s % others.size()].size()) ids.push_back(s);
    p.predict(ids.data(), ids.size(), tmp.data());
    for (size_t j = 0; j < ids.size(); ++j) {
      if (ids[j] == slot) std::copy(&tmp[256 * j], &tmp[256 * j] + 256, &out[256 * t]);
      bytes.push_back(ids[j] == slot ? data[t] : others[ids[j] % others.size()][t]);
    }
    p.update(ids.data(), ids.size(), bytes.data());
  }
  return out;
}




}  // namespace shz::test
