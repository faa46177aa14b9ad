#include "data.h"

#include <numeric>
#include <stdexcept>

namespace shz::train {

TextSplit load_split(const std::vector<std::string>& files, double valid_fraction) {
  if (files.empty()) throw std::runtime_error("no training data given (--data FILE...)");
  if (!(valid_fraction >= 0 && valid_fraction < 1)) throw std::runtime_error("--valid-fraction must be in [0, 1)");
  TextSplit s;
  for (const std::string& path : files) {
    std::vector<uint8_t> b = file_bytes(path);
    if (b.empty()) throw std::runtime_error(path + ": empty file");
    const size_t nv = size_t(double(b.size()) * valid_fraction);
    const size_t nt = b.size() - nv;
    s.train.insert(s.train.end(), b.begin(), b.begin() + long(nt));
    if (nv) s.valid.emplace_back(b.begin() + long(nt), b.end());
    s.description += "  " + path + ": train bytes [0, " + std::to_string(nt) + "), validation [" + std::to_string(nt) +
                     ", " + std::to_string(b.size()) + ")\n";
  }
  return s;
}

std::vector<uint32_t> epoch_order(uint32_t n, uint64_t seed, uint64_t epoch) {
  std::vector<uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0u);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + epoch * 0xD1B54A32D192ED03ull + 1;
  auto next = [&] {  // splitmix64: the order must not depend on the standard library
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (uint32_t i = n; i > 1; --i) std::swap(v[i - 1], v[size_t(next() % i)]);
  return v;
}

}  // namespace shz::train
