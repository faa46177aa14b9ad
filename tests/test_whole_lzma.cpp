// The encoder's last choice: one LZMA2 segment over the whole input when that makes the
// smaller archive (src/compress.cpp, whole_lzma), and archives no segment of which the model
// coded decoding without the model.
#include <catch2/catch.hpp>
#include <cstdio>
#include <vector>

#include "engine_fixture.h"
#include "shz/shz.h"
#include "test_util.h"

using namespace shz;

TEST_CASE("an input LZMA2 codes best as a whole becomes one LZMA2 segment", "[roundtrip][lzma]") {
  // Real C source and a model with random weights: LZMA2 wins every segment, and one stream
  // keeps its adaptive state where per-segment streams restart. (Without the mixing stage:
  // its counters alone learn C well enough to win some segments.)
  const auto src = test::corpus("zstd-1.5.4-zstd.h");
  const std::string model = test::write_temp(test::small_model_bytes(), "whole.shzm");
  CompressOptions o = test::order2_options();
  o.model = model;
  o.mix_stage = false;
  o.threads = 2;
  const auto whole = compress(src.data(), src.size(), o);
  const ArchiveInfo wi = archive_read_info(whole.data(), whole.size());
  REQUIRE(wi.segments.size() == 1);
  CHECK(wi.segments[0].method == SegmentMethod::kLzma);
  CHECK(wi.segment_size == src.size());
  CHECK(wi.version == 3);  // no model segment: the oldest format that has LZMA2

  // The same input at the segment size the encoder chose before, now given: a size the user
  // gives is kept, so several segments, larger.
  o.segment_size = default_segment_size(65536, src.size());
  const auto split = compress(src.data(), src.size(), o);
  const ArchiveInfo si = archive_read_info(split.data(), split.size());
  REQUIRE(si.segments.size() >= 2);
  for (const SegmentInfo& s : si.segments) CHECK(s.method != SegmentMethod::kModel);
  CHECK(whole.size() < split.size());
  INFO("whole " << whole.size() << ", split " << split.size());
  // Without LZMA2 (--no-lzma, --model-only) nothing becomes LZMA2, whole or not.
  o.segment_size = 0;
  o.lzma_fallback = false;
  const auto plain = compress(src.data(), src.size(), o);
  for (const SegmentInfo& s : archive_read_info(plain.data(), plain.size()).segments)
    CHECK(s.method != SegmentMethod::kLzma);

  // Decodes on any thread count, and without the model file, which no segment needs.
  std::remove(model.c_str());
  CHECK_FALSE(archive_needs_model(wi));
  for (unsigned threads : {1u, 2u}) {
    DecompressOptions d;
    d.threads = threads;
    CHECK(decompress(whole.data(), whole.size(), d) == src);
    CHECK(decompress(split.data(), split.size(), d) == src);
  }
}
