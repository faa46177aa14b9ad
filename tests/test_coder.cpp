// The range coder: exact round trips and coded size against the ideal information content.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "coder/pmf_coding.h"
#include "coder/range_coder.h"
#include "test_util.h"

using namespace shz;

namespace {

// A pmf over 256 symbols with total 2^bits, every entry >= 1, shaped by `weight`.
template <class F>
std::vector<uint32_t> make_pmf(int bits, F weight) {
  const uint32_t total = 1u << bits;
  std::vector<double> w(256);
  double sum = 0;
  for (int s = 0; s < 256; ++s) sum += (w[size_t(s)] = weight(s));
  std::vector<uint32_t> f(256);
  uint32_t used = 0;
  for (int s = 0; s < 256; ++s) {
    f[size_t(s)] = 1 + uint32_t(double(total - 256) * w[size_t(s)] / sum);
    used += f[size_t(s)];
  }
  f[0] += total - used;
  REQUIRE(pmf_valid(f.data(), bits));
  return f;
}

uint8_t sample(const std::vector<uint32_t>& f, test::Rng& rng, int bits) {
  uint32_t u = rng.below(1u << bits), s = 0;
  while (u >= f[s]) u -= f[s++];
  return uint8_t(s);
}

// Codes n symbols drawn from f; checks the round trip and returns (coded bits, ideal bits).
std::pair<double, double> code_sample(const std::vector<uint32_t>& f, int bits, size_t n, uint64_t seed) {
  test::Rng rng(seed);
  std::vector<uint8_t> syms(n);
  double ideal = 0;
  for (auto& s : syms) {
    s = sample(f, rng, bits);
    ideal -= std::log2(double(f[s]) / double(1u << bits));
  }
  std::vector<uint8_t> out;
  RangeEncoder enc(out);
  for (uint8_t s : syms) pmf_encode(enc, f.data(), bits, s);
  enc.finish();
  RangeDecoder dec(out.data(), out.size());
  for (size_t i = 0; i < n; ++i) {
    const uint8_t s = pmf_decode(dec, f.data(), bits);
    if (s != syms[i]) FAIL("mismatch at symbol " << i);
  }
  CHECK(dec.overrun() == 0);
  CHECK_FALSE(dec.corrupt());
  return {8.0 * double(out.size()), ideal};
}

}  // namespace

TEST_CASE("coder: 10^6 symbols cost within 0.1% of the ideal", "[coder]") {
  const size_t n = 1000000;
  struct Case {
    const char* name;
    std::vector<uint32_t> pmf;
  };
  std::vector<Case> cases = {
      {"uniform", make_pmf(16, [](int) { return 1.0; })},
      {"skewed (geometric 0.7)", make_pmf(16, [](int s) { return std::pow(0.7, s); })},
      {"zipf", make_pmf(16, [](int s) { return 1.0 / (s + 1); })},
      {"near-deterministic (p0 = 0.996)", make_pmf(16, [](int s) { return s == 0 ? 1e9 : 1.0; })},
      {"text-like, 24-bit total", make_pmf(24, [](int s) { return s >= 97 && s < 123 ? 30.0 : s == 32 ? 60 : 0.01; })},
  };
  for (auto& c : cases) {
    const int bits = c.name[0] == 't' ? 24 : 16;
    auto [coded, ideal] = code_sample(c.pmf, bits, n, 42);
    INFO(c.name << ": coded " << coded << " bits, ideal " << ideal);
    CHECK(coded <= ideal * 1.001 + 64);  // 64 bits: the 8-byte flush
    CHECK(coded >= ideal - 64);          // sanity: nobody beats the entropy
  }
}

TEST_CASE("coder: every total from 2^8 to 2^24 round-trips with changing pmfs", "[coder]") {
  test::Rng rng(7);
  for (int bits : {8, 12, 15, 16, 20, 24}) {
    const size_t n = 20000;
    std::vector<std::vector<uint32_t>> pmfs;
    std::vector<uint8_t> syms;
    std::vector<uint8_t> out;
    RangeEncoder enc(out);
    for (size_t i = 0; i < n; ++i) {
      const double skew = double(rng.below(1000)) / 100.0;
      auto f = make_pmf(bits, [&](int s) { return std::exp(-skew * ((s * 37 + int(i)) % 256) / 64.0); });
      const uint8_t s = sample(f, rng, bits);
      pmf_encode(enc, f.data(), bits, s);
      pmfs.push_back(std::move(f));
      syms.push_back(s);
    }
    enc.finish();
    RangeDecoder dec(out.data(), out.size());
    for (size_t i = 0; i < n; ++i) REQUIRE(pmf_decode(dec, pmfs[i].data(), bits) == syms[i]);
    CHECK(dec.overrun() == 0);
  }
}

TEST_CASE("coder: lowest-probability symbols and long carry chains", "[coder]") {
  // Symbol 0 is near-certain; coding long runs of it keeps low's top byte at 0xFF for many
  // shifts, exercising the pending-0xFF carry path. Rare symbols hit freq = 1.
  auto f = make_pmf(16, [](int s) { return s == 0 ? 1e12 : 1.0; });
  REQUIRE(f[255] == 1);
  test::Rng rng(3);
  std::vector<uint8_t> syms;
  for (int i = 0; i < 200000; ++i) syms.push_back(rng.below(5000) == 0 ? uint8_t(255 - rng.below(3)) : 0);
  for (int i = 0; i < 50; ++i) syms.push_back(255);
  std::vector<uint8_t> out;
  RangeEncoder enc(out);
  for (uint8_t s : syms) pmf_encode(enc, f.data(), 16, s);
  enc.finish();
  RangeDecoder dec(out.data(), out.size());
  for (size_t i = 0; i < syms.size(); ++i) REQUIRE(pmf_decode(dec, f.data(), 16) == syms[i]);
  CHECK(dec.overrun() == 0);
}

TEST_CASE("coder: garbage input decodes without crashing and is flagged by overrun", "[coder]") {
  auto f = make_pmf(16, [](int s) { return s == 0 ? 1e6 : 1.0; });
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto junk = test::random_bytes(16, seed);
    RangeDecoder dec(junk.data(), junk.size());
    for (int i = 0; i < 100000 && dec.overrun() == 0; ++i) pmf_decode(dec, f.data(), 16);
    CHECK(dec.overrun() > 0);  // 16 bytes cannot hold 100000 symbols of this pmf
  }
}

// decode_bit() must take exactly the path of peek() < p1 and consume(), on valid streams
// and on garbage (where the clamp in peek() and the corruption flag come into play).
TEST_CASE("coder: decode_bit decides as peek and consume do", "[coder]") {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    test::Rng rng(seed);
    std::vector<uint32_t> p(3000);
    std::vector<uint8_t> stream;
    if (seed % 2 == 0) {
      stream = test::random_bytes(64, seed);  // garbage
    } else {
      RangeEncoder enc(stream);
      for (size_t i = 0; i < p.size(); ++i) {
        p[i] = 1 + rng.below(65535);
        if (rng.below(65536) < p[i])
          enc.encode(0, p[i], 16);
        else
          enc.encode(p[i], 65536 - p[i], 16);
      }
      enc.finish();
    }
    test::Rng again(seed);
    RangeDecoder a(stream.data(), stream.size()), b(stream.data(), stream.size());
    for (size_t i = 0; i < p.size(); ++i) {
      const uint32_t p1 = seed % 2 == 0 ? 1 + again.below(65535) : p[i];
      const int y = a.peek(16) < p1 ? 1 : 0;
      if (y)
        a.consume(0, p1);
      else
        a.consume(p1, 65536 - p1);
      REQUIRE(b.decode_bit(p1, 16) == y);
      REQUIRE(a.corrupt() == b.corrupt());
      REQUIRE(a.overrun() == b.overrun());
    }
  }
}

TEST_CASE("coder: pmf_valid rejects bad tables", "[coder]") {
  std::vector<uint32_t> f(256, 256);
  CHECK(pmf_valid(f.data(), 16));
  f[3] = 0;
  f[4] = 512;
  CHECK_FALSE(pmf_valid(f.data(), 16));
  f[3] = 257;
  f[4] = 256;
  CHECK_FALSE(pmf_valid(f.data(), 16));
  CHECK_FALSE(pmf_valid(f.data(), 25));
}
