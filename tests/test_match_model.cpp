// The match model alone: every pmf it refines stays valid whatever the model gave it, it
// changes nothing without a match, and it makes a repeat cheap.
#include <catch2/catch.hpp>

#include <cmath>

#include "coder/pmf_coding.h"
#include "match_model.h"
#include "test_util.h"

using namespace shz;

namespace {

// A valid pmf for total 2^bits of a given shape: flat, or nearly all on `peak`, or nearly
// nothing on it, or random.
void pmf_make(uint32_t* f, int bits, int shape, uint8_t peak, test::Rng& rng) {
  const uint32_t total = uint32_t(1) << bits;
  uint64_t sum = 0;
  for (int s = 0; s < 256; ++s) {
    f[s] = shape == 3 ? 1 + rng.below(total / 512) : 1;
    sum += f[s];
  }
  const uint32_t left = total - uint32_t(sum);
  if (shape == 0) {
    for (int s = 0; s < 256; ++s) f[s] += left / 256;
    f[0] += left % 256;
  } else if (shape == 1) {
    f[peak] += left;  // the byte the match will expect holds all but 255
  } else {
    f[uint8_t(peak + 1)] += left;  // and here it holds 1
  }
}

}  // namespace

TEST_CASE("match model: refined pmfs are valid for any model pmf", "[match]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 6000);
  test::Rng rng(7);
  for (int bits : {12, 16, 20, 24}) {
    for (int shape = 0; shape < 4; ++shape) {
      INFO("bits " << bits << " shape " << shape);
      MatchModel m;
      m.reset(text.size());
      uint32_t f[256];
      size_t refined = 0, bad = 0;
      for (size_t t = 0; t < text.size(); ++t) {
        // The byte a match would predict is unknown here, so peak on the true byte: the
        // match is right most of the time in KJV, and the other shapes cover the rest.
        pmf_make(f, bits, shape, text[t], rng);
        uint32_t before[256];
        std::copy(f, f + 256, before);
        m.refine(text.data(), f, bits);
        if (!std::equal(f, f + 256, before)) ++refined;
        if (!pmf_valid(f, bits)) ++bad;
        m.update(text.data(), t);
      }
      CHECK(bad == 0);
      CHECK(refined > text.size() / 10);  // KJV repeats itself: matches are frequent
    }
  }
}

TEST_CASE("match model: no match, no change; small pmfs are left alone", "[match]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 3000);
  test::Rng rng(3);
  uint32_t f[256], before[256];
  MatchModel m;
  m.reset(text.size());
  for (size_t t = 0; t < MatchModel::kShortLen; ++t) {  // too few bytes for any match
    pmf_make(f, 16, 3, 0, rng);
    std::copy(f, f + 256, before);
    m.refine(text.data(), f, 16);
    CHECK(std::equal(f, f + 256, before));
    m.update(text.data(), t);
  }
  MatchModel small;
  small.reset(text.size());
  for (size_t t = 0; t < text.size(); ++t) {
    pmf_make(f, 11, 0, 0, rng);
    std::copy(f, f + 256, before);
    small.refine(text.data(), f, 11);  // under kMinPmfBits: never touched
    CHECK(std::equal(f, f + 256, before));
    small.update(text.data(), t);
  }
}

TEST_CASE("match model: a repeat beyond any short context becomes cheap", "[match]") {
  // 3000 bytes of KJV, then the first 2000 again: under a flat model (8 bits a byte) the
  // repeat costs what the match model learns it is worth.
  auto text = test::corpus("kjv-pentateuch.txt", 3000);
  text.insert(text.end(), text.begin(), text.begin() + 2000);
  MatchModel m;
  m.reset(text.size());
  test::Rng rng(1);
  double first = 0, repeat = 0;
  uint32_t f[256];
  for (size_t t = 0; t < text.size(); ++t) {
    pmf_make(f, 16, 0, 0, rng);
    m.refine(text.data(), f, 16);
    (t < 3000 ? first : repeat) += -std::log2(f[text[t]] / 65536.0);
    m.update(text.data(), t);
  }
  CHECK(first / 3000 > 3.0);    // KJV's own repeats help already
  CHECK(repeat / 2000 < 0.5);   // the repeat: a small fraction of a bit per byte
}
