// Prints the range coder's overhead against the ideal information content, and its speed,
// for 10^6 symbols from several known pmfs. Usage: coder_bench [symbols]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "coder/pmf_coding.h"
#include "coder/range_coder.h"

using namespace shz;

namespace {

std::vector<uint32_t> make_pmf(int bits, const std::function<double(int)>& weight) {
  const uint32_t total = 1u << bits;
  double sum = 0;
  for (int s = 0; s < 256; ++s) sum += weight(s);
  std::vector<uint32_t> f(256);
  uint32_t used = 0;
  for (int s = 0; s < 256; ++s) used += f[size_t(s)] = 1 + uint32_t(double(total - 256) * weight(s) / sum);
  f[0] += total - used;
  return f;
}

uint64_t rng_state = 12345;
uint64_t rng() {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? size_t(std::atoll(argv[1])) : 1000000;
  struct Case {
    const char* name;
    int bits;
    std::function<double(int)> w;
  };
  const Case cases[] = {
      {"uniform", 16, [](int) { return 1.0; }},
      {"geometric(0.7)", 16, [](int s) { return std::pow(0.7, s); }},
      {"zipf", 16, [](int s) { return 1.0 / (s + 1); }},
      {"near-deterministic", 16, [](int s) { return s == 0 ? 1e9 : 1.0; }},
      {"text-like (24-bit)", 24, [](int s) { return s >= 97 && s < 123 ? 30.0 : s == 32 ? 60 : 0.01; }},
  };
  std::printf("%-20s %12s %14s %14s %10s %12s %12s\n", "pmf", "symbols", "ideal bits", "coded bits", "overhead",
              "enc Msym/s", "dec Msym/s");
  for (const Case& c : cases) {
    const auto f = make_pmf(c.bits, c.w);
    std::vector<uint8_t> syms(n);
    double ideal = 0;
    for (auto& s : syms) {
      uint32_t u = uint32_t(rng() % (1u << c.bits)), k = 0;
      while (u >= f[k]) u -= f[k++];
      s = uint8_t(k);
      ideal -= std::log2(double(f[k]) / double(1u << c.bits));
    }
    std::vector<uint8_t> out;
    const auto t0 = std::chrono::steady_clock::now();
    RangeEncoder enc(out);
    for (uint8_t s : syms) pmf_encode(enc, f.data(), c.bits, s);
    enc.finish();
    const auto t1 = std::chrono::steady_clock::now();
    RangeDecoder dec(out.data(), out.size());
    size_t wrong = 0;
    for (uint8_t s : syms) wrong += pmf_decode(dec, f.data(), c.bits) != s;
    const auto t2 = std::chrono::steady_clock::now();
    if (wrong || !dec.finished_cleanly()) {
      std::fprintf(stderr, "coder_bench: round trip FAILED for %s\n", c.name);
      return 1;
    }
    const double coded = 8.0 * double(out.size());
    std::printf("%-20s %12zu %14.0f %14.0f %9.4f%% %12.1f %12.1f\n", c.name, n, ideal, coded,
                100.0 * (coded - ideal) / ideal, double(n) / seconds(t0, t1) / 1e6, double(n) / seconds(t1, t2) / 1e6);
  }
  return 0;
}
