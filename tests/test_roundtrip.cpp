// Whole-archive round trips, and archives that must not depend on threads.
#include <catch2/catch.hpp>
#include <algorithm>
#include <vector>

#include "segment_codec.h"
#include "shz/shz.h"
#include "test_util.h"
#include "util/parallel.h"

using namespace shz;

namespace {

std::vector<uint8_t> pack(const std::vector<uint8_t>& d, uint64_t seg = 0, unsigned threads = 1) {
  CompressOptions o = test::order2_options();
  o.segment_size = seg;
  o.threads = threads;
  return compress(d.data(), d.size(), o);
}

void round_trip(const std::vector<uint8_t>& d, uint64_t seg = 0, unsigned threads = 1) {
  const auto a = pack(d, seg, threads);
  DecompressOptions o;
  o.threads = threads;
  const auto back = decompress(a.data(), a.size(), o);
  REQUIRE(back == d);
}

}  // namespace

TEST_CASE("round trip: empty, one byte, all 256 values", "[roundtrip]") {
  round_trip({});
  round_trip({0});
  round_trip({255});
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[size_t(i)] = uint8_t(i);
  round_trip(all);
  round_trip(std::vector<uint8_t>(all.rbegin(), all.rend()));
}

TEST_CASE("round trip: random bytes and real text", "[roundtrip]") {
  round_trip(test::random_bytes(100000, 1));
  round_trip(test::corpus("jargon-4.4.7.txt", 200000));
  round_trip(test::corpus("zstd-1.5.4-zstd.h"), 65536, 2);
  round_trip(std::vector<uint8_t>(100000, 'a'));  // near-certain bytes: long carry runs
}

TEST_CASE("round trip: inputs of exactly and one off a segment size", "[roundtrip]") {
  const uint64_t seg = 4096;
  auto text = test::corpus("kjv-pentateuch.txt", 3 * seg + 1);
  for (size_t n : {seg - 1, seg, seg + 1, 3 * seg - 1, 3 * seg, 3 * seg + 1}) {
    INFO("size " << n);
    round_trip(std::vector<uint8_t>(text.begin(), text.begin() + long(n)), seg, 2);
  }
  round_trip(test::corpus("kjv-pentateuch.txt", 1000), 1, 2);  // one-byte segments
}

TEST_CASE("archives are byte-identical for any thread count", "[roundtrip][determinism]") {
  auto text = test::corpus("jargon-4.4.7.txt", 600000);
  const auto t1 = pack(text, 65536, 1);
  CHECK(pack(text, 65536, 2) == t1);
  CHECK(pack(text, 65536, 3) == t1);
  CHECK(pack(text, 65536, 7) == t1);
  // Decoding with other thread counts gives the input back.
  for (unsigned t : {1u, 2u, 5u}) {
    DecompressOptions o;
    o.threads = t;
    CHECK(decompress(t1.data(), t1.size(), o) == text);
  }
}

TEST_CASE("segments are split into balanced batches for the workers", "[roundtrip]") {
  CHECK(batch_split(14, 16, 2) == std::vector<size_t>{0, 7, 14});  // not one batch of 14 on one core
  CHECK(batch_split(27, 16, 2) == std::vector<size_t>{0, 13, 27});
  CHECK(batch_split(1, 16, 2) == std::vector<size_t>{0, 1});
  CHECK(batch_split(0, 16, 2) == std::vector<size_t>{0});
  for (size_t count : {1, 2, 5, 16, 17, 33, 100, 1000})
    for (size_t pref : {1, 3, 16, 64})
      for (unsigned threads : {1u, 2u, 3u, 8u}) {
        const auto b = batch_split(count, pref, threads);
        INFO(count << " " << pref << " " << threads);
        REQUIRE(b.front() == 0);
        REQUIRE(b.back() == count);
        const size_t n = b.size() - 1;
        CHECK((n == count || n % threads == 0));
        size_t lo = count, hi = 0;
        for (size_t i = 0; i < n; ++i) {
          lo = std::min(lo, b[i + 1] - b[i]);
          hi = std::max(hi, b[i + 1] - b[i]);
        }
        CHECK(hi <= pref);
        CHECK(hi - lo <= 1);
        CHECK(lo >= 1);
      }
}

TEST_CASE("a segment that reaches its limit leaves the batch; the others are unchanged", "[roundtrip]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 3 * 8192);
  auto run = [&](size_t limit_of_middle) {
    std::vector<EncodeJob> jobs(3);
    for (size_t i = 0; i < 3; ++i) {
      jobs[i].data = text.data() + 8192 * i;
      jobs[i].size = 8192;
    }
    jobs[1].limit = limit_of_middle;
    auto p = model_load("order2")->make();
    p->begin(3);
    segments_encode(*p, jobs.data(), jobs.size(), nullptr);
    return jobs;
  };
  const auto whole = run(SIZE_MAX), cut = run(500);
  CHECK(!whole[1].gave_up);
  REQUIRE(whole[1].payload.size() > 500);
  CHECK(cut[1].gave_up);
  CHECK(cut[1].payload.size() >= 500);
  CHECK(cut[1].payload.size() < whole[1].payload.size());  // it stopped early
  CHECK(cut[0].payload == whole[0].payload);
  CHECK(cut[2].payload == whole[2].payload);
  // On course for more than 3/2 of its limit once a quarter is coded: it gives up there,
  // long before the payload reaches the limit.
  const size_t full = whole[1].payload.size();
  const auto doomed = run(full * 3 / 5);
  CHECK(doomed[1].gave_up);
  CHECK(doomed[1].payload.size() < full * 2 / 5);
  CHECK(doomed[0].payload == whole[0].payload);
  CHECK(doomed[2].payload == whole[2].payload);
  // Within 3/2 of a limit it could still beat, it codes to the end and wins.
  const auto close = run(full + 1);
  CHECK(!close[1].gave_up);
  CHECK(close[1].payload == whole[1].payload);
}

TEST_CASE("compressing twice gives identical bytes", "[roundtrip][determinism]") {
  auto text = test::corpus("kjv-pentateuch.txt", 100000);
  CHECK(pack(text) == pack(text));
}

TEST_CASE("data the model cannot shrink is stored, never expanded", "[roundtrip]") {
  // Real incompressible bytes: an order2 archive of real text.
  const auto text = test::corpus("kjv-pentateuch.txt", 60000);
  const auto packed = pack(text, 0);
  const auto a = pack(packed, 4096);
  const ArchiveInfo info = archive_read_info(a.data(), a.size());
  size_t stored = 0;
  for (const SegmentInfo& s : info.segments) {
    stored += s.method == SegmentMethod::kStored;
    CHECK(s.coded_size <= s.original_size);
  }
  CHECK(stored >= info.segments.size() / 2);
  CHECK(a.size() <= packed.size() + info.header_size);
  round_trip(packed, 4096, 2);
  // Segments too short to pay for the coder's 8-byte flush are stored too.
  const std::vector<uint8_t> tiny = {'a', 'b', 'c'};
  const auto t = pack(tiny);
  const ArchiveInfo ti = archive_read_info(t.data(), t.size());
  REQUIRE(ti.segments.size() == 1);
  CHECK(ti.segments[0].method == SegmentMethod::kStored);
  CHECK(ti.payload_size() == 3);
  round_trip(tiny);
  // A file mixing text and incompressible bytes: only the incompressible segments are stored.
  REQUIRE(packed.size() >= 8192);
  std::vector<uint8_t> mixed(16384);
  std::copy(text.begin(), text.begin() + 8192, mixed.begin());
  std::copy(packed.begin(), packed.begin() + 8192, mixed.begin() + 8192);
  const auto m = pack(mixed, 4096);
  const ArchiveInfo mi = archive_read_info(m.data(), m.size());
  REQUIRE(mi.segments.size() == 4);
  CHECK(mi.segments[0].method != SegmentMethod::kStored);
  CHECK(mi.segments[1].method != SegmentMethod::kStored);
  CHECK(mi.segments[2].method == SegmentMethod::kStored);
  CHECK(mi.segments[3].method == SegmentMethod::kStored);
  round_trip(mixed, 4096, 2);
}

TEST_CASE("segments the model codes worse than LZMA2 fall back to it", "[roundtrip]") {
  // Real C source: order2 (a byte-context model) loses to LZMA2's long matches there.
  const auto src = test::corpus("zstd-1.5.4-zstd.h");
  CompressOptions o = test::order2_options();
  o.segment_size = 16384;
  o.threads = 2;
  const auto best = compress(src.data(), src.size(), o);
  o.lzma_fallback = false;
  const auto model_only = compress(src.data(), src.size(), o);
  const ArchiveInfo bi = archive_read_info(best.data(), best.size());
  const ArchiveInfo mi = archive_read_info(model_only.data(), model_only.size());
  REQUIRE(bi.segments.size() == mi.segments.size());
  size_t lzma = 0;
  for (size_t i = 0; i < bi.segments.size(); ++i) {
    INFO("segment " << i);
    CHECK(mi.segments[i].method != SegmentMethod::kLzma);
    CHECK(bi.segments[i].coded_size <= mi.segments[i].coded_size);  // never worse, segment by segment
    if (bi.segments[i].method == SegmentMethod::kLzma) {
      ++lzma;
      CHECK(bi.segments[i].coded_size < mi.segments[i].coded_size);  // chosen only when smaller
    } else {
      CHECK(bi.segments[i].coded_size == mi.segments[i].coded_size);
    }
  }
  CHECK(lzma > 0);
  CHECK(best.size() < model_only.size());
  DecompressOptions d;
  d.threads = 2;
  CHECK(decompress(best.data(), best.size(), d) == src);
  CHECK(decompress(model_only.data(), model_only.size(), d) == src);
  // LZMA2 reaches back into the bytes before its segment: a repeat of the previous
  // segment costs next to nothing, and decodes only with that history in place.
  std::vector<uint8_t> twice(32768);
  std::copy(src.begin(), src.begin() + 16384, twice.begin());
  std::copy(src.begin(), src.begin() + 16384, twice.begin() + 16384);
  o.lzma_fallback = true;
  const auto t = compress(twice.data(), twice.size(), o);
  const ArchiveInfo ti = archive_read_info(t.data(), t.size());
  REQUIRE(ti.segments.size() == 2);
  CHECK(ti.segments[1].method == SegmentMethod::kLzma);
  CHECK(ti.segments[1].coded_size < 100);
  CHECK(decompress(t.data(), t.size(), d) == twice);
  // A segment too short for LZMA2 to gain anything, and one-byte segments.
  round_trip(test::corpus("zstd-1.5.4-zstd.h", 5000), 1000, 2);
  round_trip(test::corpus("zstd-1.5.4-zstd.h", 64), 1, 2);
}

TEST_CASE("the match model: its own method, smaller on repeats, same bytes on any thread count", "[roundtrip]") {
  // KJV with a 3000-byte passage repeated 10 KB later, in 16 KiB segments: order2 sees two
  // bytes back, the match model the whole segment.
  auto text = test::corpus("kjv-pentateuch.txt", 40000);
  text.insert(text.begin() + 30000, text.begin() + 17000, text.begin() + 20000);
  CompressOptions o = test::order2_options();
  o.segment_size = 16384;
  o.lzma_fallback = false;
  o.mix_stage = false;  // the match model alone (test_mix_stage.cpp adds the mixing stage)
  o.threads = 1;
  const auto with = compress(text.data(), text.size(), o);
  o.threads = 2;
  CHECK(compress(text.data(), text.size(), o) == with);
  o.match_model = false;
  const auto without = compress(text.data(), text.size(), o);
  const ArchiveInfo wi = archive_read_info(with.data(), with.size());
  const ArchiveInfo ni = archive_read_info(without.data(), without.size());
  CHECK(wi.version == 4);
  CHECK(ni.version == 3);
  REQUIRE(wi.segments.size() == ni.segments.size());
  for (size_t i = 0; i < wi.segments.size(); ++i) {
    INFO("segment " << i);
    CHECK(wi.segments[i].method == SegmentMethod::kModelMatch);
    CHECK(ni.segments[i].method == SegmentMethod::kModel);
    CHECK(wi.segments[i].coded_size < ni.segments[i].coded_size);
  }
  // The segment holding the repeat gains most: the passage costs a fraction of its first time.
  CHECK(wi.segments[1].coded_size + 900 < ni.segments[1].coded_size);
  DecompressOptions d;
  for (unsigned threads : {1u, 2u}) {
    d.threads = threads;
    CHECK(decompress(with.data(), with.size(), d) == text);
    CHECK(decompress(without.data(), without.size(), d) == text);
  }
  round_trip(test::corpus("kjv-pentateuch.txt", 20), 7, 2);  // segments too short to match
}

TEST_CASE("the default segment size grows with the input, never past 4x or the limit", "[roundtrip]") {
  const uint64_t k = 1024, m = k * k;
  CHECK(default_segment_size(64 * k, 0) == 64 * k);
  CHECK(default_segment_size(64 * k, 4 * m - 1) == 64 * k);   // 31.99 segments of 128 KiB: not enough
  CHECK(default_segment_size(64 * k, 4 * m) == 128 * k);      // 32 of 128 KiB
  CHECK(default_segment_size(64 * k, 8 * m) == 256 * k);      // 32 of 256 KiB
  CHECK(default_segment_size(64 * k, uint64_t(1) << 40) == 256 * k);
  CHECK(default_segment_size(m, 64 * m) == 2 * m);            // order2's 1 MiB
  CHECK(default_segment_size(kMaxSegmentSize, uint64_t(1) << 50) == kMaxSegmentSize);
  // What compress() writes for an input too small to grow: the model's own default.
  const auto a = pack(test::corpus("kjv-pentateuch.txt", 5000));
  CHECK(archive_read_info(a.data(), a.size()).segment_size == m);
}

TEST_CASE("segment sizes are validated", "[roundtrip]") {
  std::vector<uint8_t> d(10, 'x');
  CHECK_THROWS_AS(pack(d, kMaxSegmentSize + 1), Error);
  CHECK_NOTHROW(pack(d, kMaxSegmentSize));
}

TEST_CASE("archive info describes what compress wrote", "[roundtrip]") {
  auto text = test::corpus("kjv-pentateuch.txt", 10000);
  const auto a = pack(text, 4096);
  const ArchiveInfo info = archive_read_info(a.data(), a.size());
  CHECK(info.version == 5);  // order2 refined by the match model, then the mixing stage
  CHECK(info.model.name == "order2");
  CHECK(info.original_size == 10000);
  CHECK(info.segment_size == 4096);
  REQUIRE(info.segments.size() == 3);
  CHECK(info.segments[2].original_size == 10000 - 8192);
  CHECK(info.archive_size() == a.size());
}
