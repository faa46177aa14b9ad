// The SHA-RNN engine end to end with a small seeded random model (a fixture, not a trained
// model): identical pmfs and archives across SIMD levels, batch sizes, threads and
// evaluation order; archive size against the model's information content; the model file's
// validation; embedded models.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "coder/pmf_coding.h"
#include "model/sharnn/cpu_executor.h"
#include "model/sharnn/kernels.h"
#include "model/sharnn/random_model.h"
#include "model/sharnn/sharnn_predictor.h"
#include "shz/shz.h"
#include "engine_fixture.h"
#include "op_by_op.h"
#include "test_util.h"
#include "segment_codec.h"
#include "util/bytes.h"

using namespace shz;
using namespace shz::sharnn;
using Catch::Contains;
using namespace shz::test;


TEST_CASE("engine: pmfs are valid and identical on every SIMD level, alone or in a batch of 64", "[engine]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 300);
  std::vector<std::vector<uint8_t>> others;
  for (int i = 0; i < 8; ++i) others.push_back(test::corpus("jargon-4.4.7.txt", size_t(100 + 37 * i)));
  ShaRnnPredictor ref(small_model(), ModelIdentity{"t", 0}, SimdLevel::kScalar, 1);
  const std::vector<uint32_t> alone = pmfs_of(ref, text, 1, 0, {text});
  for (size_t t = 0; t < text.size(); ++t) REQUIRE(pmf_valid(&alone[256 * t], 16));
  for (SimdLevel level : simd_available()) {
    ShaRnnPredictor p(small_model(), ModelIdentity{"t", 0}, level, 64);
    INFO(simd_name(level));
    CHECK(pmfs_of(p, text, 1, 0, {text}) == alone);
    CHECK(pmfs_of(p, text, 64, 37, others) == alone);  // slot 37 among 63 busy, ragged streams
    CHECK(pmfs_of(p, text, 7, 0, others) == alone);
  }
}

TEST_CASE("engine: every op of the step program gives the scalar engine's numbers on this level", "[engine]") {
  // The level in use (SHZ_SIMD; ctest's simd_* entries run each one this CPU has).
  const SimdLevel level = simd_parse(test::tuning().simd);
  const auto model = small_model();
  CpuExecutor want(model, SimdLevel::kScalar), got(model, level);
  INFO(simd_name(level));
  const auto seen = require_same_op_by_op(*model, want, got, 6, test::corpus("jargon-4.4.7.txt", 400), 60);
  CHECK(seen.size() == 12);  // every kind but the development-only head adaptation
}

TEST_CASE("engine: a random model actually depends on its input", "[engine]") {
  // Guards against a degenerate fixture that would make the equality tests vacuous.
  const auto a = test::corpus("kjv-pentateuch.txt", 64);
  ShaRnnPredictor p(small_model(), ModelIdentity{"t", 0}, SimdLevel::kScalar, 1);
  const auto pm = pmfs_of(p, a, 1, 0, {a});
  int differing = 0;
  for (size_t t = 1; t < a.size(); ++t) differing += !std::equal(&pm[256 * t], &pm[256 * t] + 256, &pm[256 * (t - 1)]);
  CHECK(differing > 50);
}

TEST_CASE("engine: archives are identical across SIMD levels, batch sizes and threads", "[engine]") {
  const std::string model = write_temp(small_model_bytes(), "model.shzm");
  const auto text = test::corpus("jargon-4.4.7.txt", 6000);
  // Format 5 without LZMA2 (every segment model-coded or stored) and format 6 with the model
  // kept in every block: both paths that step the engine.
  const int cm_level = GENERATE(0, 3);
  auto pack = [&](unsigned threads, const EngineTuning& tuning) {
    CompressOptions o = test::order2_options();
    o.engine = tuning;
    o.model = model;
    o.level = cm_level;
    o.segment_size = cm_level ? 3000 : 700;  // 9 segments (2 blocks): uneven work for batches and threads
    o.lane_size = cm_level ? 500 : 0;        // 6 lanes a block: the model steps them as a batch
    o.lzma_fallback = false;
    o.model_trial = false;
    o.threads = threads;
    return compress(text.data(), text.size(), o);
  };
  std::vector<uint8_t> ref;
  ref = pack(1, test::tuning_with("scalar", 1));
  // The comparison means something only where the model coded: say which methods it did.
  const ArchiveInfo info = archive_read_info(ref.data(), ref.size());
  size_t by_model = 0;
  for (const SegmentInfo& s : info.segments) by_model += segment_uses_model(s.method);
  INFO("format " << info.version << ", " << by_model << " of " << info.segments.size() << " segments model-coded");
  REQUIRE(by_model * 2 >= info.segments.size());
  REQUIRE(info.version == (cm_level ? 10u : 5u));
  for (SimdLevel level : simd_available())
    for (size_t b : {1, 7, 64})
      for (unsigned threads : {1u, 2u}) {
        const EngineTuning tuning = test::tuning_with(simd_name(level), b);
        INFO(simd_name(level) << " batch " << b << " threads " << threads);
        const auto a = pack(threads, tuning);
        CHECK(a == ref);
        DecompressOptions d;
        d.model = model;
        d.threads = threads;
        d.engine = tuning;
        CHECK(decompress(ref.data(), ref.size(), d) == text);  // decoder steps byte by byte
      }
  std::remove(model.c_str());
}

TEST_CASE("engine: archive size is within 0.5% of the model's information content", "[engine]") {
  // The segment coder itself (an archive would store this segment: a random model costs more
  // than 8 bits per byte, which the next check confirms).
  const auto text = test::corpus("kjv-pentateuch.txt", 20000);
  ShaRnnPredictor p(small_model(), ModelIdentity{"t", 0}, simd_parse(test::tuning().simd), 1);
  const auto pm = pmfs_of(p, text, 1, 0, {text});
  double bits = 0;
  for (size_t t = 0; t < text.size(); ++t) bits -= std::log2(double(pm[256 * t + text[t]]) / 65536.0);
  ShaRnnPredictor coder(small_model(), ModelIdentity{"t", 0}, simd_parse(test::tuning().simd), 1);
  coder.begin(1);
  EncodeJob job;
  job.data = text.data();
  job.size = text.size();
  segments_encode(coder, &job, 1, nullptr);
  INFO("payload " << job.payload.size() << " bytes, information " << bits / 8 << " bytes");
  CHECK(double(job.payload.size()) <= bits / 8 * 1.005);
  CHECK(double(job.payload.size()) >= bits / 8);
  // compress() stores what the model would expand, so the archive never exceeds the input
  // by more than its header.
  const std::string model = write_temp(small_model_bytes(), "ratio.shzm");
  CompressOptions o = test::order2_options();
  o.model = model;
  o.segment_size = text.size();
  o.lzma_fallback = false;  // the model's payload or the bytes, nothing else
  o.match_model = false;
  const auto a = compress(text.data(), text.size(), o);
  const ArchiveInfo info = archive_read_info(a.data(), a.size());
  REQUIRE(info.segments.size() == 1);
  CHECK((info.segments[0].method == SegmentMethod::kStored) == (job.payload.size() >= text.size()));
  CHECK(info.payload_size() == std::min<size_t>(job.payload.size(), text.size()));
  std::remove(model.c_str());
}

TEST_CASE("engine: model identity, embedding and refusal of the wrong model", "[engine]") {
  const std::string model = write_temp(small_model_bytes(5), "id.shzm");
  const std::string other = write_temp(small_model_bytes(6), "other.shzm");
  // Only archives with a segment the model coded need it. Random weights code no text well,
  // but with the match model they code a text repeated three times better than storing it.
  const auto once = test::corpus("kjv-pentateuch.txt", 1000);
  std::vector<uint8_t> text;
  for (int i = 0; i < 3; ++i) text.insert(text.end(), once.begin(), once.end());
  CompressOptions o = test::order2_options();
  o.model = model;
  o.lzma_fallback = false;
  const auto plain = compress(text.data(), text.size(), o);
  REQUIRE(archive_needs_model(archive_read_info(plain.data(), plain.size())));
  DecompressOptions d;
  CHECK_THROWS_WITH(decompress(plain.data(), plain.size(), d),
                    Contains("archive needs model file 'test-small'") && !Contains("--"));
  d.model = other;
  try {
    decompress(plain.data(), plain.size(), d);
    FAIL("decoded with the wrong model");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kModel);
    CHECK_THAT(e.what(), Contains("archive needs model file 'test-small'") && Contains(other));
  }
  d.model = model;
  CHECK(decompress(plain.data(), plain.size(), d) == text);

  o.embed_model = true;
  const auto embedded = compress(text.data(), text.size(), o);
  CHECK(decompress(embedded.data(), embedded.size(), DecompressOptions{}) == text);
  const ArchiveInfo info = archive_read_info(embedded.data(), embedded.size());
  CHECK(info.model_embedded);
  CHECK(info.model_size == small_model_bytes().size());
  CHECK(info.archive_size() == embedded.size());
  CHECK(embedded.size() == plain.size() + 8 + small_model_bytes().size());
  // A flipped bit inside the embedded model is caught before the model is used.
  auto bad = embedded;
  bad[info.header_size + 100] ^= 4;
  CHECK_THROWS_WITH(decompress(bad.data(), bad.size(), DecompressOptions{}), Contains("embedded model checksum mismatch"));
  o.model = "order2";
  CHECK_THROWS_WITH(compress(text.data(), text.size(), o), Contains("embedding a model needs a model file"));
  std::remove(model.c_str());
  std::remove(other.c_str());
}
