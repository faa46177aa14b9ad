// Bad archives: each gets its own clear error, never a crash, hang or huge allocation.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "format.h"
#include "lzma_segment.h"
#include "shz/shz.h"
#include "test_util.h"
#include "util/bytes.h"
#include "util/hash.h"

using namespace shz;
using Catch::Contains;

namespace {

// Offsets in a header whose model name is "order2" (docs/FORMAT.md); entries of versions 3 and 4.
constexpr size_t kVersionAt = 4, kFlagsAt = 6, kSourceAt = 8, kNameLenAt = 9, kNameAt = 10;
constexpr size_t kModelHashAt = 16, kOrigAt = 24, kSegAt = 32, kCountAt = 40, kTableAt = 56;
constexpr size_t kEntry = 25, kMethodAt = 24;  // a table entry's size, its method byte

std::vector<uint8_t> sample_archive(size_t n = 3000, uint64_t seg = 1024, const char* corpus = "kjv-pentateuch.txt") {
  auto text = test::corpus(corpus, n);
  CompressOptions o = test::order2_options();
  o.segment_size = seg;
  o.threads = 1;
  return compress(text.data(), text.size(), o);
}

size_t header_size(const std::vector<uint8_t>& a) { return kTableAt + kEntry * get_le64(&a[kCountAt]) + 8; }

// Recomputes the header checksum after a deliberate edit, so deeper checks are reached.
void reseal(std::vector<uint8_t>& a, size_t hsize) {
  std::vector<uint8_t> h;
  put_be64(h, hash_bytes(a.data(), hsize - 8));
  std::copy(h.begin(), h.end(), a.begin() + long(hsize - 8));
}

void set_le64(std::vector<uint8_t>& a, size_t at, uint64_t v) {
  std::vector<uint8_t> b;
  put_le64(b, v);
  std::copy(b.begin(), b.end(), a.begin() + long(at));
}

std::string decode_error(const std::vector<uint8_t>& a, ErrorCode want = ErrorCode::kInput) {
  try {
    decompress(a.data(), a.size(), DecompressOptions{});
  } catch (const Error& e) {
    CHECK(int(e.code()) == int(want));
    return e.what();
  }
  FAIL("decoded without error");
  return "";
}

}  // namespace

TEST_CASE("bad input: empty and foreign files", "[bad]") {
  CHECK_THAT(decode_error({}), Contains("not a shz archive (empty input)"));
  const std::string text = "Hello, this is plain text and not an archive.";
  CHECK_THAT(decode_error(std::vector<uint8_t>(text.begin(), text.end())), Contains("not a shz archive"));
  const std::vector<uint8_t> zstd_frame = {0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x00, 0x01, 0x00, 0x00};
  CHECK_THAT(decode_error(zstd_frame), Contains("not a shz archive"));
  CHECK_THAT(decode_error({0x89, 'S', 'H'}), Contains("not a shz archive"));
}

TEST_CASE("bad input: every truncation is reported with its offset", "[bad]") {
  const auto a = sample_archive();
  for (size_t n = 4; n < a.size(); ++n) {
    const std::string e = decode_error(std::vector<uint8_t>(a.begin(), a.begin() + long(n)));
    if (e.find("truncated at byte " + std::to_string(n)) == std::string::npos) FAIL("cut at " << n << ": " << e);
  }
}

// Flips every bit of `a` in turn; returns how many flips decoded without an error (each of
// which must have given exactly `original`).
size_t flips_undetected(const std::vector<uint8_t>& a, const std::vector<uint8_t>& original) {
  size_t quiet = 0;
  for (size_t bit = 0; bit < 8 * a.size(); ++bit) {
    auto b = a;
    b[bit / 8] ^= uint8_t(1u << (bit % 8));
    try {
      const auto out = decompress(b.data(), b.size(), DecompressOptions{});
      if (out != original) FAIL("flip of bit " << bit << " decoded to other bytes without an error");
      ++quiet;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInput && e.code() != ErrorCode::kModel) FAIL("flip of bit " << bit << ": " << e.what());
    }
  }
  return quiet;
}

TEST_CASE("bad input: every single-bit flip is detected", "[bad][heavy]") {
  // Model-coded segments, with the mixing stage, with the match model alone and with
  // neither: the range coder has no slack, so every flip is an error.
  CompressOptions o = test::order2_options();
  o.segment_size = 512;
  o.threads = 1;
  o.lzma_fallback = false;
  const auto text = test::corpus("kjv-pentateuch.txt", 1500);
  for (unsigned version : {5u, 4u, 3u}) {
    INFO("format " << version);
    o.match_model = version >= 4;
    o.mix_stage = version >= 5;
    const auto a = compress(text.data(), text.size(), o);
    REQUIRE(archive_read_info(a.data(), a.size()).version == version);
    CHECK(flips_undetected(a, text) == 0);
  }
}

TEST_CASE("bad input: a bit flip never decodes to other bytes", "[bad][heavy]") {
  // C source: LZMA2 segments beside model-coded ones. An LZMA2 stream has some slack (a
  // flip of its properties byte from lc=3 to lc=2 can decode a short stream to the same
  // bytes), so a flip may pass unnoticed, but only when the output is still the original:
  // the segment and content hashes see to that.
  const auto src = test::corpus("zstd-1.5.4-zstd.h", 3000);
  const auto a = sample_archive(3000, 1500, "zstd-1.5.4-zstd.h");
  const ArchiveInfo info = archive_read_info(a.data(), a.size());
  REQUIRE(info.segments.size() == 2);
  CHECK((info.segments[0].method == SegmentMethod::kLzma || info.segments[1].method == SegmentMethod::kLzma));
  CHECK(flips_undetected(a, src) <= 8);
}

TEST_CASE("bad input: each header problem has its own message", "[bad]") {
  const auto a = sample_archive();
  const size_t hs = header_size(a);
  // A field's own message only where the header checksum matched: the same change without
  // resealing is damage, and is reported as such (not as an archive from a newer shz).
  SECTION("version") {
    auto b = a;
    b[kVersionAt] = uint8_t(kFormatVersion + 1);  // the first version this shz does not read
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    CHECK_THAT(decode_error(b), !Contains("newer"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unsupported format version " + std::to_string(kFormatVersion + 1)) &&
                                    Contains("made by a newer shz?"));
  }
  SECTION("flags") {
    auto b = a;
    b[kFlagsAt] = 2;
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unsupported header flags 0x0002"));
    b = a;
    b[kFlagsAt] = 1;  // "embedded model" with a built-in model: 8 bytes more header
    CHECK_THAT(decode_error(b), Contains("corrupt header") && !Contains("newer"));
    b.insert(b.begin() + long(kCountAt + 16), 8, 0);
    set_le64(b, kCountAt + 16, 100);
    reseal(b, hs + 8);
    CHECK_THAT(decode_error(b), Contains("a built-in model cannot be embedded"));
  }
  SECTION("model source") {
    auto b = a;
    b[kSourceAt] = 9;
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unknown model source 9"));
  }
  SECTION("model name length") {
    auto b = a;
    b[kNameLenAt] = 0;  // the fields after the name move: the checksum is not where it was
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch") || Contains("corrupt header"));
    b[kNameLenAt] = 70;
    CHECK_THAT(decode_error(b), Contains("corrupt header"));
  }
  SECTION("model name not printable") {
    auto b = a;
    b[kNameAt] = 0x07;
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("model name is not printable ASCII"));
  }
  SECTION("header checksum") {
    auto b = a;
    b[kModelHashAt] ^= 1;
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
  }
  SECTION("unknown model") {
    auto b = a;
    b[kNameAt] = 'X';
    reseal(b, hs);
    CHECK_THAT(decode_error(b, ErrorCode::kModel), Contains("unknown model 'Xrder2'"));
  }
  SECTION("other revision of a model") {
    auto b = a;
    b[kModelHashAt] ^= 0x40;
    reseal(b, hs);
    CHECK_THAT(decode_error(b, ErrorCode::kModel), Contains("archive needs model 'order2'"));
  }
  SECTION("model file not available") {
    auto b = a;
    b[kSourceAt] = 1;
    reseal(b, hs);
    CHECK_THAT(decode_error(b, ErrorCode::kModel), Contains("needs model file 'order2'"));
  }
  SECTION("segment size zero or over the limit") {
    auto b = a;
    set_le64(b, kSegAt, 0);
    CHECK_THAT(decode_error(b), Contains("segment size 0 outside"));
    set_le64(b, kSegAt, kMaxSegmentSize + 1);
    CHECK_THAT(decode_error(b), Contains("outside"));
  }
  SECTION("segment count inconsistent with sizes") {
    auto b = a;
    set_le64(b, kCountAt, 2);
    CHECK_THAT(decode_error(b), Contains("2 segments cannot hold 3000 bytes"));
  }
  SECTION("a segment's coded size is impossible") {
    auto b = a;
    set_le64(b, kTableAt + 8, 3);
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("segment 0 has impossible coded size 3"));
    // Format 2: a coded payload is shorter than its segment (equal means stored).
    set_le64(b, kTableAt + 8, 1025);
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("segment 0 has impossible coded size 1025"));
    // Each method has its own bounds: stored means exactly the segment's length.
    set_le64(b, kTableAt + 8, 1000);
    b[kTableAt + kMethodAt] = uint8_t(SegmentMethod::kStored);
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("impossible coded size 1000 for method stored"));
    b[kTableAt + kMethodAt] = uint8_t(SegmentMethod::kLzma);
    set_le64(b, kTableAt + 8, 1024);
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("impossible coded size 1024 for method lzma"));
    set_le64(b, kTableAt + 8, 0);
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("impossible coded size 0 for method lzma"));
  }
  SECTION("an unknown segment method") {
    auto b = a;
    REQUIRE(b[kVersionAt] == 5);
    b[kTableAt + kEntry + kMethodAt] = 5;
    CHECK_THAT(decode_error(b), Contains("header checksum mismatch"));
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unsupported method 5 in segment 1"));
    // model+match+mix (4) is format 5's, model+match (3) format 4's: older versions cannot
    // hold them.
    b = a;
    b[kVersionAt] = 4;
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unsupported method 4 in segment 0"));
    b[kTableAt + kMethodAt] = uint8_t(SegmentMethod::kModelMatch);
    b[kVersionAt] = 3;
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("unsupported method 3 in segment 0"));
  }
  SECTION("a mixing-stage payload read without the mixing stage or the match model") {
    REQUIRE(a[kTableAt + kMethodAt] == uint8_t(SegmentMethod::kModelMix));
    for (SegmentMethod m : {SegmentMethod::kModelMatch, SegmentMethod::kModel}) {
      auto b = a;
      b[kTableAt + kMethodAt] = uint8_t(m);
      reseal(b, hs);
      CHECK_THAT(decode_error(b), Contains("segment 0"));
    }
  }
  SECTION("a stored segment whose bytes were altered") {
    // A one-segment archive whose coded payload is padded to 1024 bytes and declared
    // stored: the payload is taken as the original, and the segment's hash refuses it.
    auto b = sample_archive(1024, 1024);
    const size_t bh = header_size(b);
    b.resize(bh + 1024, 0);
    set_le64(b, kTableAt + 8, 1024);
    b[kTableAt + kMethodAt] = uint8_t(SegmentMethod::kStored);
    reseal(b, bh);
    CHECK_THAT(decode_error(b), Contains("checksum mismatch in segment 0"));
  }
  SECTION("an LZMA2 payload altered, cut short or taken for another method") {
    // C source at 1500-byte segments: LZMA2 wins some of them over order2.
    auto c = sample_archive(6000, 1500, "zstd-1.5.4-zstd.h");
    const size_t ch = header_size(c);
    size_t at = ch, k = 0;  // the first LZMA2 segment: index k, payload at `at`
    while (k < 4 && c[kTableAt + kEntry * k + kMethodAt] != uint8_t(SegmentMethod::kLzma))
      at += get_le64(&c[kTableAt + kEntry * k++ + 8]);
    REQUIRE(k < 4);
    const size_t n = get_le64(&c[kTableAt + kEntry * k + 8]);
    const std::string seg = "segment " + std::to_string(k);
    auto d = c;
    d[at + n / 2] ^= 0x20;
    CHECK_THAT(decode_error(d), Contains(seg));
    d = c;  // one byte less: the stream ends before its end marker
    d.erase(d.begin() + long(at + n - 1));
    set_le64(d, kTableAt + kEntry * k + 8, n - 1);
    reseal(d, ch);
    CHECK_THAT(decode_error(d), Contains("corrupt data in " + seg));
    d = c;  // the same bytes read as the model's coding
    d[kTableAt + kEntry * k + kMethodAt] = uint8_t(SegmentMethod::kModel);
    reseal(d, ch);
    CHECK_THAT(decode_error(d), Contains(seg));
  }
  SECTION("payload bytes altered") {
    auto b = a;
    b[hs + 20] ^= 0x10;
    CHECK_THAT(decode_error(b), Contains("segment 0"));
  }
  SECTION("trailing data") {
    auto b = a;
    b.push_back(0);
    CHECK_THAT(decode_error(b), Contains("trailing data after the archive at byte " + std::to_string(a.size())));
  }
  SECTION("content checksum") {
    auto b = a;
    b[48] ^= 1;  // content hash field
    reseal(b, hs);
    CHECK_THAT(decode_error(b), Contains("content checksum mismatch"));
  }
}

TEST_CASE("bad input: forged huge sizes fail fast without big allocations", "[bad]") {
  // A 1 GiB segment claimed by a ~100-byte file: the coded-size check, then truncation,
  // must stop it long before anything near 1 GiB is allocated or decoded.
  auto a = sample_archive(100, 1024);
  const size_t hs = header_size(a);
  set_le64(a, kOrigAt, kMaxSegmentSize);
  set_le64(a, kSegAt, kMaxSegmentSize);
  set_le64(a, kTableAt, kMaxSegmentSize);
  set_le64(a, kTableAt + 8, kMaxSegmentSize - 1);
  reseal(a, hs);
  CHECK_THAT(decode_error(a), Contains("truncated at byte"));
  // A forged count of 2^40 one-byte segments: the table is read as it arrives.
  auto b = sample_archive(100, 1024);
  set_le64(b, kOrigAt, uint64_t(1) << 40);
  set_le64(b, kSegAt, 1);
  set_le64(b, kCountAt, uint64_t(1) << 40);
  CHECK_THAT(decode_error(b), Contains("corrupt header: segment 0 claims"));
}

TEST_CASE("bad input: archive_read_info reports the same problems", "[bad]") {
  const auto a = sample_archive();
  auto info_of = [](const std::vector<uint8_t>& v) { return archive_read_info(v.data(), v.size()); };
  CHECK_NOTHROW(info_of(a));
  CHECK_THROWS_WITH(info_of(std::vector<uint8_t>(a.begin(), a.end() - 1)), Contains("truncated at byte"));
  auto b = a;
  b.push_back(1);
  CHECK_THROWS_WITH(info_of(b), Contains("trailing data"));
  CHECK_THROWS_WITH(info_of({}), Contains("not a shz archive"));
}

TEST_CASE("bad input: the LZMA2 decoder refuses garbage without crashing", "[bad]") {
  // Random payloads, with and without history: decoding either fails or yields exactly the
  // segment's length (the segment hash then decides). Run under ASan in CI.
  const auto history = test::corpus("zstd-1.5.4-zstd.h", 5000);
  size_t accepted = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const auto payload = test::random_bytes(1 + seed * 7 % 900, seed);
    const size_t size = 1 + seed * 13 % 3000, h = seed % 2 ? history.size() : 0;
    std::vector<uint8_t> out;
    if (lzma_segment_decode(history.data(), h, payload.data(), payload.size(), size, out)) {
      CHECK(out.size() == size);
      ++accepted;
    }
  }
  CHECK(accepted < 3);
  // A real stream decodes only with its own length and history.
  std::vector<uint8_t> packed, out;
  const auto text = test::corpus("kjv-pentateuch.txt", 4000);
  REQUIRE(lzma_segment_encode(history.data(), history.size(), text.data(), text.size(), text.size(), packed));
  CHECK(lzma_segment_decode(history.data(), history.size(), packed.data(), packed.size(), text.size(), out));
  CHECK(out == text);
  CHECK_FALSE(lzma_segment_decode(history.data(), history.size(), packed.data(), packed.size(), text.size() - 1, out));
  CHECK_FALSE(lzma_segment_decode(history.data(), history.size(), packed.data(), packed.size() - 1, text.size(), out));
}
