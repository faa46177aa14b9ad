#include "random_model.h"

#include <cmath>
#include <cstring>

namespace shz::sharnn {
namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int32_t uniform(int32_t lo, int32_t hi) { return lo + int32_t(next() % uint64_t(hi - lo + 1)); }
};

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

}  // namespace

std::vector<uint8_t> random_model_file(const RandomModelSpec& spec) {
  const HyperParams& hp = spec.hp;
  Rng rng{spec.seed};
  const double w_std = 127.0 / std::sqrt(3.0);  // uniform int8 in [-127, 127]
  // Requant multiplier taking sum(x * w) over `cols` terms (x of std x_std) to Q8 std 1.0.
  auto requant_m = [&](double x_std, int cols) {
    return int32_t(std::lround(16777216.0 * 256.0 / (x_std * w_std * std::sqrt(double(cols)))));
  };
  std::vector<TensorData> out;
  for (const TensorSpec& s : model_tensor_specs(hp)) {
    int64_t count = 1;
    for (int64_t n : s.shape) count *= n;
    TensorData t{s.name, s.dtype, s.shape, {}};
    const std::string& n = s.name;
    auto ends = [&](const char* suf) { return n.size() >= std::strlen(suf) && n.compare(n.size() - std::strlen(suf), std::string::npos, suf) == 0; };
    if (s.dtype == "I8") {
      std::vector<int8_t> w(static_cast<size_t>(count));
      for (auto& v : w) v = int8_t(rng.uniform(-127, 127));
      t.data = bytes_of(w);
    } else {
      std::vector<int32_t> v(static_cast<size_t>(count));
      for (auto& x : v) {
        if (ends(".gamma")) x = 4096 + rng.uniform(-512, 512);   // ~1.0 in Q12
        else if (ends(".beta")) x = rng.uniform(-32, 32);       // ~0 in Q8
        else if (ends("_m") || ends(".in_m")) x = 8192;         // Q8 -> int8 at 32 per unit
        else if (ends("w_hh.m")) x = requant_m(127.0 / 2, hp.d_model);
        else if (ends(".m")) x = requant_m(32.0, hp.d_model);
        else if (ends(".b")) x = rng.uniform(-64, 64);          // +-0.25
        else if (ends("attn.shift")) x = int32_t(std::lround(std::log2(32.0 * std::sqrt(double(hp.d_model)))));
        else if (ends("attn.gate")) x = 4096 + rng.uniform(-1024, 1024);
        else x = 0;
      }
      t.data = bytes_of(v);
    }
    out.push_back(std::move(t));
  }
  std::map<std::string, std::string> extra{
      {"provenance", "random weights from model/sharnn/random_model.cpp, seed " + std::to_string(spec.seed) +
                         "; a test and benchmark fixture, not a trained model"}};
  return safetensors_serialize(model_metadata(spec.name, hp, extra), out);
}

}  // namespace shz::sharnn
