// Streams of frames: inputs cut into frames with a seek index, archives concatenated, and
// byte ranges that decode only the frames they need (docs/FORMAT.md, "Streams of frames").
#include <catch2/catch.hpp>
#include <algorithm>
#include <vector>

#include "shz/shz.h"
#include "test_util.h"
#include "util/bytes.h"

using namespace shz;
using Catch::Matchers::Contains;

namespace {

CompressOptions frames_of(uint64_t frame_size, int level = 1) {
  CompressOptions o = test::order2_options();  // order2 at level 1: context mixing, quick
  o.level = level;
  o.frame_size = frame_size;
  return o;
}

std::vector<uint8_t> unpack(const std::vector<uint8_t>& a) { return decompress(a.data(), a.size(), DecompressOptions{}); }

std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// decompress_range over memory, counting the stream bytes it read.
std::vector<uint8_t> range_of(const std::vector<uint8_t>& s, uint64_t start, uint64_t length, uint64_t* read = nullptr) {
  uint64_t n = 0;
  std::vector<uint8_t> out;
  decompress_range([&](uint64_t at, uint8_t* buf, size_t k) {
    REQUIRE(at + k <= s.size());
    std::copy(s.begin() + long(at), s.begin() + long(at + k), buf);
    n += k;
  }, s.size(), start, length, [&](const uint8_t* p, size_t k) { out.insert(out.end(), p, p + k); }, DecompressOptions{});
  if (read) *read = n;
  return out;
}

std::string error_of(const std::vector<uint8_t>& s) {
  try {
    unpack(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("frames: an input over the frame size becomes frames and a seek index", "[frames]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 100000);
  const auto one = compress(text.data(), text.size(), frames_of(0));
  const auto framed = compress(text.data(), text.size(), frames_of(30000));
  // Up to the frame size nothing changes: one frame, as every earlier archive.
  CHECK(compress(text.data(), text.size(), frames_of(text.size())) == one);
  const StreamInfo one_info = stream_read_info(one.data(), one.size());
  CHECK(one_info.frames.size() == 1);
  CHECK(one_info.index_size() == 0);

  const StreamInfo info = stream_read_info(framed.data(), framed.size());
  REQUIRE(info.frames.size() == 4);  // 30000 x 3 + 10000
  CHECK(info.frames[3].original_size == 10000);
  CHECK(info.index_size() == 36 + 16 * 4);
  CHECK(info.original_size() == text.size());
  CHECK(info.stream_size == framed.size());
  CHECK(unpack(framed) == text);
  // Each frame restarts the statistics: some cost, not much at this size.
  CHECK(framed.size() > one.size());
  CHECK(framed.size() < one.size() * 5 / 4);

  // Streamed from a ReadFn in small pieces: the same bytes, written frame by frame.
  size_t pos = 0, writes = 0;
  std::vector<uint8_t> streamed;
  compress([&](uint8_t* buf, size_t n) {
    const size_t k = std::min({n, size_t(777), text.size() - pos});
    std::copy(text.begin() + long(pos), text.begin() + long(pos + k), buf);
    pos += k;
    return k;
  }, [&](const uint8_t* p, size_t n) {
    streamed.insert(streamed.end(), p, p + n);
    ++writes;
  }, frames_of(30000));
  CHECK(streamed == framed);
  CHECK(writes == 5);  // four frames, then the index
}

TEST_CASE("frames: an input of exactly frames' size has no empty frame", "[frames]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 60000);
  const auto a = compress(text.data(), text.size(), frames_of(30000));
  const StreamInfo info = stream_read_info(a.data(), a.size());
  CHECK(info.frames.size() == 2);
  CHECK(unpack(a) == text);
  const std::vector<uint8_t> none;
  const auto e = compress(none.data(), 0, frames_of(30000));
  CHECK(stream_read_info(e.data(), e.size()).frames.size() == 1);
  CHECK(unpack(e).empty());
}

TEST_CASE("frames: archives concatenated decode to their inputs concatenated", "[frames]") {
  const auto a = test::corpus("kjv-pentateuch.txt", 20000);
  const auto b = test::corpus("zstd-1.5.4-zstd.h", 15000);
  const auto pa = compress(a.data(), a.size(), frames_of(0));
  const auto pb = compress(b.data(), b.size(), frames_of(6000));  // frames and an index
  CHECK(unpack(cat(pa, pb)) == cat(a, b));
  CHECK(unpack(cat(pb, pa)) == cat(b, a));
  CHECK(unpack(cat(cat(pb, pb), pa)) == cat(cat(b, b), a));
  const auto both = cat(pa, pb);
  const StreamInfo info = stream_read_info(both.data(), both.size());
  CHECK(info.frames.size() == 4);
  CHECK(info.frame_offsets[1] == pa.size());
  // Garbage after the last frame or index is still refused, naming where it starts.
  auto junk = both;
  junk.push_back(0);
  CHECK_THAT(error_of(junk), Contains("trailing data after the archive at byte " + std::to_string(both.size())));
}

TEST_CASE("frames: a damaged or misplaced seek index is refused", "[frames]") {
  const auto t = test::corpus("kjv-pentateuch.txt", 20000);
  const auto a = compress(t.data(), t.size(), frames_of(8000));
  const size_t index_at = a.size() - (36 + 16 * 3);
  REQUIRE(a[index_at] == 0x89);
  auto b = a;
  b[index_at + 16] ^= 1;  // the first frame's original size
  CHECK_THAT(error_of(b), Contains("seek index checksum mismatch"));
  // An index that is intact but describes other frames (here: one frame fewer).
  const auto two = compress(t.data(), 16000, frames_of(8000));
  const auto three = compress(t.data(), t.size(), frames_of(8000));
  auto mixed = std::vector<uint8_t>(three.begin(), three.begin() + long(index_at));
  const auto index2 = std::vector<uint8_t>(two.end() - (36 + 16 * 2), two.end());
  mixed.insert(mixed.end(), index2.begin(), index2.end());
  CHECK_THAT(error_of(mixed), Contains("does not match the frames before it"));
  // A stream cannot start with an index.
  CHECK_THAT(error_of(index2), Contains("not a shz archive"));
}

TEST_CASE("frames: a byte range decodes only the frames that hold it", "[frames]") {
  const auto t = test::corpus("kjv-pentateuch.txt", 100000);
  const auto a = compress(t.data(), t.size(), frames_of(25000));
  auto slice = [&](uint64_t s, uint64_t n) {
    return std::vector<uint8_t>(t.begin() + long(s), t.begin() + long(s + std::min<uint64_t>(n, t.size() - s)));
  };
  for (auto [s, n] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 10}, {24990, 20}, {25000, 25000}, {49999, 50002}, {99999, 1}, {0, 100000}, {70000, UINT64_MAX}, {100000, 5}}) {
    INFO("range " << s << ":" << n);
    CHECK(range_of(a, s, n) == slice(s, n));
  }
  // One frame's worth read, not the stream: the footer, the index, that frame.
  uint64_t read = 0;
  CHECK(range_of(a, 60000, 100, &read) == slice(60000, 100));
  CHECK(read < a.size() / 3);
  CHECK_THROWS_WITH(range_of(a, 100001, 1), Contains("past the end"));

  // Archives concatenated, with and without indexes: walked header by header where no
  // index says where the frames are.
  const auto single = compress(t.data(), 30000, frames_of(0));
  const auto mixed = cat(cat(single, a), single);
  const auto whole = cat(cat(slice(0, 30000), t), slice(0, 30000));
  for (auto [s, n] : std::vector<std::pair<uint64_t, uint64_t>>{{29990, 20}, {60000, 1000}, {129990, 20}, {150000, 20000}}) {
    INFO("range " << s << ":" << n);
    const uint64_t end = std::min<uint64_t>(s + n, whole.size());
    CHECK(range_of(mixed, s, n) == std::vector<uint8_t>(whole.begin() + long(s), whole.begin() + long(end)));
  }
}

TEST_CASE("frames: parts compressed apart and joined are the stream one run writes", "[frames]") {
  const auto t = test::corpus("kjv-pentateuch.txt", 70000);
  const CompressOptions o = frames_of(10000);
  const auto one = compress(t.data(), t.size(), o);
  for (unsigned n : {1u, 2u, 3u, 7u}) {
    INFO(n << " parts");
    std::vector<std::vector<uint8_t>> parts;
    uint64_t next = 0;
    for (unsigned k = 1; k <= n; ++k) {
      const ByteRange r = part_range(t.size(), o.frame_size, k, n);
      CHECK(r.start == next);  // the parts tile the input, in whole frames
      CHECK(r.start % o.frame_size == 0);
      next = r.start + r.length;
      parts.push_back(compress(t.data() + r.start, size_t(r.length), o));
      CHECK(unpack(parts.back()) == std::vector<uint8_t>(t.begin() + long(r.start), t.begin() + long(next)));
    }
    CHECK(next == t.size());
    std::vector<std::pair<ReadAtFn, uint64_t>> in;
    for (const auto& p : parts)
      in.emplace_back([&p](uint64_t at, uint8_t* buf, size_t k) { std::copy(p.begin() + long(at), p.begin() + long(at + k), buf); },
                      p.size());
    std::vector<uint8_t> joined;
    streams_join(in, [&](const uint8_t* p, size_t k) { joined.insert(joined.end(), p, p + k); });
    CHECK(joined == one);
  }
  CHECK_THROWS_WITH(part_range(t.size(), 10000, 1, 8), Contains("7 frame(s)"));
  CHECK_THROWS_WITH(part_range(t.size(), 10000, 0, 2), Contains("1 <= K <= N"));
}
