// The order2 baseline model: valid pmfs, slot independence, and a real compression gain.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "coder/pmf_coding.h"
#include "shz/predictor.h"
#include "test_util.h"

using namespace shz;

namespace {

// Feeds `data` to slot `slot` of p (alongside nothing else) and returns every pmf produced.
std::vector<uint32_t> pmfs_alone(Predictor& p, const std::vector<uint8_t>& data) {
  std::vector<uint32_t> all(256 * data.size());
  const size_t slot = 0;
  p.reset(slot);
  for (size_t t = 0; t < data.size(); ++t) {
    p.predict(&slot, 1, &all[256 * t]);
    p.update(&slot, 1, &data[t]);
  }
  return all;
}

double information_bits(const std::vector<uint32_t>& pmfs, const std::vector<uint8_t>& data, int bits) {
  double sum = 0;
  for (size_t t = 0; t < data.size(); ++t) sum -= std::log2(double(pmfs[256 * t + data[t]]) / double(1u << bits));
  return sum;
}

}  // namespace

TEST_CASE("order2: every pmf is valid, from cold start through count halving", "[order2]") {
  auto p = predictor_create("order2");
  p->begin(1);
  // 300 KB of English: order-2 contexts fill past their halving limit many times.
  auto text = test::corpus("kjv-pentateuch.txt", 300000);
  auto rnd = test::random_bytes(70000, 5);
  for (const auto& data : {text, rnd}) {
    auto pmfs = pmfs_alone(*p, data);
    for (size_t t = 0; t < data.size(); ++t)
      if (!pmf_valid(&pmfs[256 * t], p->pmf_bits())) FAIL("invalid pmf at byte " << t);
  }
}

TEST_CASE("order2: a slot's pmfs do not depend on other slots or batch composition", "[order2]") {
  auto a = test::corpus("kjv-pentateuch.txt", 40000);
  auto b = test::corpus("jargon-4.4.7.txt", 25000);
  auto c = test::random_bytes(30000, 9);
  auto alone = predictor_create("order2");
  alone->begin(1);
  const auto ref_a = pmfs_alone(*alone, a);
  const auto ref_b = pmfs_alone(*alone, b);  // also checks reset() restores the fresh state

  auto batch = predictor_create("order2");
  batch->begin(3);
  const std::vector<const std::vector<uint8_t>*> data = {&c, &a, &b};  // a in slot 1, b in slot 2
  std::vector<uint32_t> pmfs(3 * 256);
  for (size_t t = 0; t < 40000; ++t) {
    std::vector<size_t> slots;
    std::vector<uint8_t> bytes;
    for (size_t s = 0; s < 3; ++s)
      if (t < data[s]->size()) slots.push_back(s);
    batch->predict(slots.data(), slots.size(), pmfs.data());
    for (size_t j = 0; j < slots.size(); ++j) {
      const size_t s = slots[j];
      bytes.push_back((*data[s])[t]);
      const auto& ref = s == 1 ? ref_a : ref_b;
      if (s != 0 && !std::equal(&pmfs[256 * j], &pmfs[256 * j] + 256, &ref[256 * t]))
        FAIL("slot " << s << " differs at byte " << t);
    }
    batch->update(slots.data(), slots.size(), bytes.data());
  }
}

TEST_CASE("order2: models English far better than its order-0 entropy", "[order2]") {
  auto p = predictor_create("order2");
  p->begin(1);
  auto text = test::corpus("kjv-pentateuch.txt");
  const double bpb = information_bits(pmfs_alone(*p, text), text, p->pmf_bits()) / double(text.size());
  INFO("order2 on kjv-pentateuch: " << bpb << " bits per byte");
  // Order-0 entropy of this text is about 4.4 bpb; xz -9e reaches about 2.2.
  CHECK(bpb < 2.6);
  CHECK(bpb > 1.0);  // an absurdly low figure would mean the test is broken
}

TEST_CASE("order2: unknown model names are refused with the list of built-ins", "[order2]") {
  CHECK_THROWS_WITH(predictor_create("nope"), Catch::Contains("unknown model 'nope'") && Catch::Contains("order2"));
}
