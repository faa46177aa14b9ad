// The mixing stage (model/stages/mix_stage.cpp): it decodes what it encodes under any valid pmf, it
// learns a segment from its own bytes when the pmf knows nothing, it costs little when the
// pmf is already right, and archives made with it are the same on any thread count.
#include <catch2/catch.hpp>

#include "coder/pmf_coding.h"
#include "model/stages/mix_stage.h"
#include "shz/shz.h"
#include "test_util.h"

using namespace shz;

namespace {

// Codes text through the mixing stage, pmf t from make(t, pmf), and decodes it again.
// Returns the payload; `decoded` gets what came back.
template <class MakePmf>
std::vector<uint8_t> mix_round_trip(const std::vector<uint8_t>& text, MakePmf make, std::vector<uint8_t>& decoded) {
  std::vector<uint8_t> payload;
  std::vector<uint32_t> pmfs(256 * text.size());
  for (size_t t = 0; t < text.size(); ++t) make(t, &pmfs[256 * t]);
  MixStage enc_stage, dec_stage;
  enc_stage.reset(text.size());
  RangeEncoder enc(payload);
  for (size_t t = 0; t < text.size(); ++t) enc_stage.encode(enc, &pmfs[256 * t], text.data(), t);
  enc.finish();
  dec_stage.reset(text.size());
  RangeDecoder dec(payload.data(), payload.size());
  decoded.clear();
  for (size_t t = 0; t < text.size(); ++t) decoded.push_back(dec_stage.decode(dec, &pmfs[256 * t], decoded.data(), t));
  CHECK(dec.finished_cleanly());
  return payload;
}

}  // namespace

TEST_CASE("mixing stage: decodes what it encodes under any valid pmf", "[mix]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 4000);
  for (int bits : {9, 12, 16, 24}) {  // pmf_make's random shape needs 2^bits >= 512
    for (int shape = 0; shape < 4; ++shape) {
      INFO("bits " << bits << " shape " << shape);
      test::Rng rng(11);
      std::vector<uint8_t> back;
      // Shape 2 puts all but 255 on the wrong byte every time: the worst a pmf can do.
      const auto payload = mix_round_trip(text, [&](size_t t, uint32_t* f) { test::pmf_make(f, bits, shape, text[t], rng); }, back);
      CHECK(back == text);
      // Whatever the pmf, no bit costs more than 16 bits (p >= 1/65536).
      CHECK(payload.size() <= 2 * 8 * text.size() + 8);
    }
  }
}

TEST_CASE("mixing stage: learns a text from its own bytes, and trusts a good pmf", "[mix]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 30000);
  std::vector<uint8_t> back;
  test::Rng rng(3);
  // A flat pmf says 8 bits per byte; the counters on the last 1-6 bytes must do far better.
  const auto flat = mix_round_trip(text, [&](size_t, uint32_t* f) { test::pmf_make(f, 16, 0, 0, rng); }, back);
  CHECK(back == text);
  CHECK(flat.size() * 8 < 3 * text.size());  // under 3 bits per byte
  // A pmf with 65281/65536 on the right byte costs 8 * 0.0056 bits a byte coded directly;
  // the mix must stay close to that (it starts from the pmf and keeps trusting it).
  const auto sure = mix_round_trip(text, [&](size_t t, uint32_t* f) { test::pmf_make(f, 16, 1, text[t], rng); }, back);
  CHECK(back == text);
  std::vector<uint8_t> direct;
  {
    RangeEncoder enc(direct);
    uint32_t f[256];
    for (size_t t = 0; t < text.size(); ++t) {
      test::pmf_make(f, 16, 1, text[t], rng);
      pmf_encode(enc, f, 16, text[t]);
    }
    enc.finish();
  }
  INFO("direct " << direct.size() << ", mixed " << sure.size());
  CHECK(sure.size() < direct.size() + direct.size() / 4 + 16);
}

TEST_CASE("mixing stage: its own method, smaller than without it, same bytes on any thread count", "[mix][roundtrip]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 40000);
  CompressOptions o = test::order2_options();
  o.segment_size = 16384;
  o.lzma_fallback = false;
  o.threads = 1;
  const auto with = compress(text.data(), text.size(), o);
  o.threads = 2;
  CHECK(compress(text.data(), text.size(), o) == with);
  o.mix_stage = false;
  const auto without = compress(text.data(), text.size(), o);
  const ArchiveInfo wi = archive_read_info(with.data(), with.size());
  const ArchiveInfo ni = archive_read_info(without.data(), without.size());
  CHECK(wi.version == 5);
  CHECK(ni.version == 4);
  REQUIRE(wi.segments.size() == ni.segments.size());
  for (size_t i = 0; i < wi.segments.size(); ++i) {
    INFO("segment " << i);
    CHECK(wi.segments[i].method == SegmentMethod::kModelMix);
    CHECK(ni.segments[i].method == SegmentMethod::kModelMatch);
    CHECK(wi.segments[i].coded_size < ni.segments[i].coded_size);
  }
  DecompressOptions d;
  for (unsigned threads : {1u, 2u}) {
    d.threads = threads;
    CHECK(decompress(with.data(), with.size(), d) == text);
  }
  // The stage needs the match model: without it, plain model segments (format 3).
  o.mix_stage = true;
  o.match_model = false;
  const auto plain = compress(text.data(), text.size(), o);
  CHECK(archive_read_info(plain.data(), plain.size()).version == 3);
}
