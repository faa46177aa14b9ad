// Formats 6-7, context mixing (model/cm, src/cm_codec.cpp, src/compress_cm.cpp): blocks decode
// to what was coded at every level, with and without the model, in one lane or several;
// archives do not depend on threads; the model and the x86 filter are used where they pay
// and the methods say so; damage is reported, never a crash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "cm_codec.h"
#include "cm_trial.h"
#include "format.h"
#include "model/cm/cm_model.h"
#include "model/cm/cost_coder.h"
#include "model/cm/mixer.h"
#include "model/cm/mixer_bank.h"
#include "shz/model.h"
#include "shz/shz.h"
#include "engine_fixture.h"
#include "test_util.h"

using namespace shz;

namespace {

CompressOptions cm_options(int level, const std::string& model = "order2") {
  CompressOptions o = test::order2_options();
  o.model = model;
  o.level = level;
  o.lzma_fallback = false;  // every block must be context mixing (or stored)
  return o;
}

size_t count_method(const ArchiveInfo& info, SegmentMethod m) {
  return size_t(std::count_if(info.segments.begin(), info.segments.end(),
                              [m](const SegmentInfo& s) { return s.method == m; }));
}

// A real x86-64 library every Debian system has (the C library), cut to n bytes.
std::vector<uint8_t> machine_code(size_t n) {
  std::vector<uint8_t> d = test::read_file("/usr/lib/x86_64-linux-gnu/libc.so.6");
  d.erase(d.begin(), d.begin() + long(std::min<size_t>(d.size(), 0x30000)));  // past the headers, into .text
  d.resize(std::min(d.size(), n));
  return d;
}

}  // namespace

TEST_CASE("cm: every level round-trips text, with the model's pmfs as an input", "[cm][roundtrip]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 60000);
  for (int level = 1; level <= kMaxLevel; ++level) {
    INFO("level " << level);
    const auto archive = compress(text.data(), text.size(), cm_options(level));
    const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
    CHECK(info.version == 10);
    CHECK(count_method(info, SegmentMethod::kCmModel) == info.segments.size());
    CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == text);
    // The whole text's statistics in one block: far below what order2 alone gets per segment.
    CHECK(archive.size() * 8 < text.size() * 2);
  }
}

TEST_CASE("cm: sizes from empty to several blocks, in one lane or several", "[cm][roundtrip]") {
  const auto text = test::corpus("zstd-1.5.4-zstd.h");
  for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(100), size_t(5000), size_t(70001)}) {
    for (uint64_t lane : {uint64_t(0), uint64_t(1), uint64_t(777), uint64_t(4096)}) {
      if (lane && n > lane * kCmMaxLanes) continue;  // too many lanes: a usage error (below)
      INFO("bytes " << n << ", lane " << lane);
      std::vector<uint8_t> in(text.begin(), text.begin() + long(n));
      CompressOptions o = cm_options(kDefaultLevel);
      o.lane_size = lane;
      o.segment_size = 30000;  // several blocks from 30,001 bytes
      const auto archive = compress(in.data(), in.size(), o);
      CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == in);
    }
  }
}

TEST_CASE("cm: more lanes than a decoder allows is a usage error", "[cm][bad]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 3000);
  CompressOptions o = cm_options(kDefaultLevel);
  o.lane_size = 1;
  try {
    compress(text.data(), text.size(), o);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUsage);
  }
}

TEST_CASE("cm: the archive is the same on any thread count; so is what decodes", "[cm][determinism]") {
  const auto text = test::corpus("jargon-4.4.7.txt", 400000);
  CompressOptions o = cm_options(kDefaultLevel);
  o.lzma_fallback = true;
  o.model_trial = false;  // the model in every lane, whether it pays or not
  o.threads = 1;
  const auto one = compress(text.data(), text.size(), o);
  const ArchiveInfo info = archive_read_info(one.data(), one.size());
  REQUIRE(info.segments.size() == 1);
  // Four lanes, which two or three threads share unevenly (1 + 1 + 2 with three).
  REQUIRE(cm_payload_lanes(one.data() + info.header_size, size_t(info.segments[0].coded_size), text.size()) == 4);
  for (unsigned threads : {2u, 3u, 5u}) {
    o.threads = threads;
    CHECK(compress(text.data(), text.size(), o) == one);
    DecompressOptions d;
    d.threads = threads;
    CHECK(decompress(one.data(), one.size(), d) == text);
  }
}

TEST_CASE("cm: machine code goes through the x86 filter, text does not", "[cm][x86]") {
  const auto code = machine_code(200000);
  const auto text = test::corpus("kjv-pentateuch.txt", 200000);
  CompressOptions o = cm_options(kDefaultLevel);
  o.segment_size = code.size();  // one block
  for (const auto* in : {&code, &text}) {
    const auto archive = compress(in->data(), in->size(), o);
    const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
    REQUIRE(info.segments.size() == 1);
    REQUIRE(count_method(info, SegmentMethod::kStored) == 0);
    const uint8_t flags = archive[info.header_size + 1];  // the block's preamble
    CHECK(((flags & kCmFlagX86) != 0) == (in == &code));
    CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == *in);
  }
}

TEST_CASE("cm: a block the model does not help is coded without it", "[cm]") {
  // The C library's machine code under the order2 model: its pmfs carry nothing context
  // mixing does not learn better, so the trial leaves the model out (method cm).
  const auto code = machine_code(300000);
  CompressOptions o = cm_options(kDefaultLevel);
  const auto archive = compress(code.data(), code.size(), o);
  const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
  CHECK(count_method(info, SegmentMethod::kCm) == info.segments.size());
  CHECK(!archive_needs_model(info));
  // Without the model, lanes would only cost: one lane.
  CHECK(cm_payload_lanes(archive.data() + info.header_size, size_t(info.segments[0].coded_size),
                         size_t(info.segments[0].original_size)) == 1);
  CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == code);
  // One binary block on two threads is coded without the model while its probe runs. With
  // order2 the probe leaves the model in (its cost alone is 1.4 times the context mixing's)
  // and the full trial leaves it out: the coding begun beside the probe is stopped and the
  // block coded again. The same archive as on one thread, where the probe runs first.
  std::string notes;
  o.note = [&](const std::string& n) { notes += n + "\n"; };
  o.threads = 2;
  CHECK(compress(code.data(), code.size(), o) == archive);
  CHECK(notes.find("model trial: ") != std::string::npos);
  CHECK(notes.find("while the probe ran") == std::string::npos);
  // With random weights the probe leaves the model out, and the coding begun beside it is
  // kept (the note says so): again the archive one thread writes.
  o.model = test::write_temp(test::small_model_bytes(), "probe.shzm");
  o.threads = 1;
  notes.clear();
  const auto alone = compress(code.data(), code.size(), o);
  CHECK(notes.find("model probe: ") != std::string::npos);
  CHECK(notes.find("while the probe ran") == std::string::npos);
  o.threads = 2;
  notes.clear();
  CHECK(compress(code.data(), code.size(), o) == alone);
  CHECK(notes.find("left out (coded without the model while the probe ran)") != std::string::npos);
  CHECK(decompress(alone.data(), alone.size(), DecompressOptions{}) == code);
  std::remove(o.model.c_str());
}

TEST_CASE("cm: a coding told to stop gives up", "[cm]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 50000);
  std::atomic<bool> stop{true};
  CmEncodeJob j;
  j.data = text.data();
  j.size = text.size();
  j.cancel = &stop;
  cm_block_encode({nullptr}, j, nullptr);
  CHECK(j.gave_up);
  stop = false;
  cm_block_encode({nullptr}, j, nullptr);
  CHECK_FALSE(j.gave_up);
  CHECK(j.payload.size() < text.size() / 2);
}

TEST_CASE("cm: a small block is coded with the model and without, and keeps the smaller", "[cm][heavy]") {
  // Under 192 KiB there is no trial: both codings are made. Machine code under order2 keeps
  // the coding without the model (in one lane); the default SHA-RNN on English prose keeps
  // the model. The notes say which was chosen and why.
  const auto code = machine_code(100000);
  const auto text = test::corpus("kjv-pentateuch.txt", 40000);  // the model steps it three times
  struct Case {
    const std::vector<uint8_t>* in;
    std::string model;
    SegmentMethod want;
  } cases[] = {{&code, "order2", SegmentMethod::kCm}, {&text, "default", SegmentMethod::kCmModel}};
  for (const Case& c : cases) {
    INFO(c.model);
    CompressOptions o = cm_options(kDefaultLevel);
    o.model = c.model;
    std::vector<std::string> notes;
    o.note = [&](const std::string& n) { notes.push_back(n); };
    const auto archive = compress(c.in->data(), c.in->size(), o);
    const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
    REQUIRE(info.segments.size() == 1);
    CHECK(info.segments[0].method == c.want);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("coded both ways") != std::string::npos);
    CHECK(notes[0].find(c.want == SegmentMethod::kCm ? ": without" : ": with") != std::string::npos);
    if (c.want == SegmentMethod::kCm)
      CHECK(cm_payload_lanes(archive.data() + info.header_size, size_t(info.segments[0].coded_size),
                             size_t(info.segments[0].original_size)) == 1);
    CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == *c.in);
  }
}

TEST_CASE("cm: damaged payloads are reported as corrupt, never decoded wrongly", "[cm][bad]") {
  const auto text = test::corpus("kjv-pentateuch.txt", 20000);  // one block, as long ones
  const auto archive = compress(text.data(), text.size(), cm_options(kDefaultLevel));
  const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
  test::Rng rng(7);
  // Every byte of the preamble, then bytes throughout the coded bits.
  std::vector<size_t> at;
  for (size_t i = 0; i < kCmPreamble; ++i) at.push_back(info.header_size + i);
  for (int k = 0; k < 40; ++k) at.push_back(info.header_size + kCmPreamble + rng.below(uint32_t(info.payload_size() - kCmPreamble)));
  for (size_t pos : at) {
    INFO("byte " << pos);
    auto bad = archive;
    bad[pos] ^= uint8_t(1 + rng.below(255));
    try {
      const auto out = decompress(bad.data(), bad.size(), DecompressOptions{});
      CHECK(out == text);  // only if the change could not matter (never, in practice)
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInput);
    }
  }
}

TEST_CASE("cm: a block's CM revision must match the archive's format version", "[cm][bad]") {
  // Format 10 blocks set the revision 2 to 5 flags, format 9 blocks the first three, format 8
  // the first two, format 7 only the first, format 6 none (docs/FORMAT.md): flags that
  // disagree with the version are corruption, never a block decoded by another revision.
  const auto text = test::corpus("kjv-pentateuch.txt", 20000);
  const auto archive = compress(text.data(), text.size(), cm_options(kDefaultLevel));
  const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
  REQUIRE(info.version == 10);
  const uint8_t flags = archive[info.header_size + 1];
  REQUIRE((flags & kCmFlagRevs) == kCmFlagRevs);
  for (uint8_t drop : {kCmFlagRev2, kCmFlagRev3, kCmFlagRev4, kCmFlagRev5, uint8_t(kCmFlagRev2 | kCmFlagRev3),
                       uint8_t(kCmFlagRev3 | kCmFlagRev4), uint8_t(kCmFlagRev4 | kCmFlagRev5),
                       uint8_t(kCmFlagRev2 | kCmFlagRev5), uint8_t(kCmFlagRev2 | kCmFlagRev3 | kCmFlagRev4), kCmFlagRevs}) {
    INFO("flags without " << int(drop));
    auto bad = archive;
    bad[info.header_size + 1] = uint8_t(flags & ~drop);
    try {
      decompress(bad.data(), bad.size(), DecompressOptions{});
      FAIL("a format 10 block with other revision flags decoded");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInput);
      CHECK(std::string(e.what()).find("corrupt") != std::string::npos);
    }
  }
}

TEST_CASE("cm: the bucket table's size per level and revision is the spec's", "[cm][config]") {
  // docs/FORMAT.md, "Configuration": 2^bits(8L, 12, cap) buckets; revision 4 raised the cap
  // of levels 4-7 to 2^24. A decoder of an older block must size its table as its encoder did.
  const uint64_t mb = 1 << 20;
  const struct {
    int level;
    uint64_t size;
    int rev3, rev4;
  } cases[] = {{1, 100 * mb, 20, 20}, {3, 100 * mb, 21, 21}, {4, 100 * mb, 22, 24}, {6, 100 * mb, 22, 24},
               {6, mb, 22, 23},      {6, mb / 2, 22, 22},   {6, 1000, 13, 13},     {7, 3 * mb, 23, 24},
               {9, 100 * mb, 24, 24}};
  for (const auto& c : cases) {
    INFO("level " << c.level << ", " << c.size << " bytes");
    CHECK(cm::cm_config_for(c.level, c.size, 3).table_bits == c.rev3);
    CHECK(cm::cm_config_for(c.level, c.size, 4).table_bits == c.rev4);
    CHECK(cm::cm_config_for(c.level, c.size, 5).table_bits == c.rev4);  // revision 5 kept 4's tables
    CHECK(cm::cm_config_for(c.level, c.size).table_bits == c.rev4);
  }
}

TEST_CASE("cm: the model's bit probabilities follow from its pmf alone", "[cm]") {
  // ModelBits::p1 from cumulative sums (the decoder's view) equals the path the encoder
  // takes along the byte it knows, for every byte and pmf shape.
  test::Rng rng(5);
  uint32_t f[256], cum[257];
  uint16_t path[8];
  for (int shape = 0; shape < 4; ++shape)
    for (int b = 0; b < 256; b += 17) {
      test::pmf_make(f, 16, shape, uint8_t(b), rng);
      cm::pmf_cumulative(f, cum);
      cm::model_bits_path(cum, uint8_t(b), path);
      cm::ModelBits mb;
      mb.cum = cum;
      uint32_t c0 = 1;
      for (int bit = 7; bit >= 0; --bit) {
        const uint32_t p = mb.p1(bit, c0);
        CHECK(p == path[7 - bit]);
        CHECK(p >= 1);
        CHECK(p <= 65535);
        c0 = c0 << 1 | uint32_t(b >> bit & 1);
      }
    }
}

namespace {

// The bank's bodies compiled for each instruction set the mixers' clones use, to compare them
// on one machine (the program itself runs only the clone its CPU picks).
using BankDot = void (*)(const int32_t*, int32_t* const*, int, int32_t*);
using BankTrain = void (*)(const int32_t*, int32_t* const*, int, const int32_t*, const int*);
SHZ_CHECKED_ONCE_ATTR void bank_dot_default(const int32_t* x, int32_t* const* w, int n, int32_t* s) {
  cm::bank::dot(x, w, n, s);
}
SHZ_CHECKED_ONCE_ATTR void bank_train_default(const int32_t* x, int32_t* const* w, int n, const int32_t* e,
                                              const int* sh) {
  cm::bank::train(x, w, n, e, sh);
}
#if defined(__x86_64__)
__attribute__((target("avx2"))) SHZ_CHECKED_ONCE_ATTR void bank_dot_avx2(const int32_t* x, int32_t* const* w, int n,
                                                                          int32_t* s) {
  cm::bank::dot(x, w, n, s);
}
__attribute__((target("avx2"))) SHZ_CHECKED_ONCE_ATTR void bank_train_avx2(const int32_t* x, int32_t* const* w, int n,
                                                                            const int32_t* e, const int* sh) {
  cm::bank::train(x, w, n, e, sh);
}
__attribute__((target("avx512f"))) SHZ_CHECKED_ONCE_ATTR void bank_dot_avx512(const int32_t* x, int32_t* const* w,
                                                                               int n, int32_t* s) {
  cm::bank::dot(x, w, n, s);
}
__attribute__((target("avx512f"))) SHZ_CHECKED_ONCE_ATTR void bank_train_avx512(const int32_t* x, int32_t* const* w,
                                                                                 int n, const int32_t* e,
                                                                                 const int* sh) {
  cm::bank::train(x, w, n, e, sh);
}
#endif

}  // namespace

TEST_CASE("cm: the first layer's bank of mixers computes what each mixer alone does", "[cm]") {
  // The bank (explicit vectors), at each instruction set this CPU has, against mixer_dot and
  // mixer_train (plain loops) and a scalar reference, at the bounds the mixer's proof allows:
  // inputs |x| < 2^12, weights within ±2^19, errors |e| <= 2^12, every padded length up to
  // 256. Sets this CPU lacks are reported as skipped.
  struct Level {
    const char* name;
    bool have;
    BankDot dot;
    BankTrain train;
  };
  std::vector<Level> levels = {{"default", true, bank_dot_default, bank_train_default},
                               {"the program's clone", true, cm::mixer_dot_bank, cm::mixer_train_bank}};
#if defined(__x86_64__)
  levels.push_back({"avx2", __builtin_cpu_supports("avx2") != 0, bank_dot_avx2, bank_train_avx2});
  levels.push_back({"avx512f", __builtin_cpu_supports("avx512f") != 0, bank_dot_avx512, bank_train_avx512});
#endif
  int ran = 0;
  for (const Level& lv : levels) {
    if (!lv.have) {
      WARN("bank of mixers at " << lv.name << ": skipped, this CPU lacks it");
      continue;
    }
    ++ran;
    INFO("instruction set: " << lv.name);
    test::Rng rng(11);
    auto in = [&](int32_t bound) { return int32_t(rng.below(uint32_t(2 * bound + 1))) - bound; };
    for (int n = 0; n <= cm::Mixer::kMaxInputs; n += 8) {
      std::vector<int32_t> x(size_t(n) + 8), w[cm::kBank], single[cm::kBank];
      for (int i = 0; i < n; ++i) x[size_t(i)] = rng.below(4) == 0 ? 0 : in((1 << 12) - 1);
      int32_t* wp[cm::kBank];
      int32_t e[cm::kBank];
      int shift[cm::kBank];
      for (int k = 0; k < cm::kBank; ++k) {
        w[k].resize(size_t(n) + 8);
        // Some weights at the clamp's edges, so training clamps in both directions.
        for (int i = 0; i < n; ++i)
          w[k][size_t(i)] =
              rng.below(8) == 0 ? (rng.below(2) ? 1 : -1) * cm::Mixer::kMaxWeight : in(cm::Mixer::kMaxWeight);
        single[k] = w[k];
        wp[k] = w[k].data();
        e[k] = in(1 << 12);
        shift[k] = 8 + int(rng.below(8));
      }
      int32_t sums[cm::kBank];
      lv.dot(x.data(), wp, n, sums);
      lv.train(x.data(), wp, n, e, shift);
      for (int k = 0; k < cm::kBank; ++k) {
        int64_t ref = 0;
        for (int i = 0; i < n; ++i) ref += (int64_t(x[size_t(i)]) * single[k][size_t(i)]) >> 8;  // floor
        CHECK(sums[k] == ref);
        CHECK(cm::mixer_dot(x.data(), single[k].data(), n) == ref);
        cm::mixer_train(x.data(), single[k].data(), n, e[k], shift[k]);
        CHECK(w[k] == single[k]);
      }
    }
  }
  CHECK(ran >= 2);
}

TEST_CASE("cm: the model's trial is the same whichever thread runs which lane", "[cm][trial]") {
  // The encoder runs each trial lane's model as a task of its own: the lanes' probabilities
  // and so the verdict must not depend on the order or the threads. The default model
  // helps on prose (cost with it below cost without), and a one-lane trial is one lane.
  const auto text = test::corpus("kjv-pentateuch.txt", 16384);
  const auto model = default_model();
  REQUIRE(model);
  CmTrial a = cm_trial_start(text.data(), text.size(), kDefaultLevel, false, 2);
  CmTrial b = a;
  {
    // As the encoder runs it: the probe, then the rest of each lane, each lane's model its
    // own, the lanes on two threads.
    auto p1 = model->make(), p0 = model->make();
    p1->begin(1);
    p0->begin(1);
    std::thread t1([&] {
      cm_trial_model(a, 1, *p1, kCmProbe);
      cm_trial_model(a, 1, *p1, SIZE_MAX);
    });
    cm_trial_model(a, 0, *p0, kCmProbe);
    cm_trial_model(a, 0, *p0, SIZE_MAX);
    t1.join();
  }
  CHECK(a.modelled == std::vector<size_t>{8192, 8192});
  auto p = model->make();
  p->begin(1);
  cm_trial_model(b, 1, *p, SIZE_MAX);  // the other order, one predictor, each lane in one run
  cm_trial_model(b, 0, *p, SIZE_MAX);
  CHECK(a.paths == b.paths);
  CHECK(a.lane_size() == 8192);
  const CmTrialCost with = cm_trial_cost(a, true), without = cm_trial_cost(a, false);
  CHECK(with.second_halves == cm_trial_cost(b, true).second_halves);
  CHECK(with.second_halves < without.second_halves);
  CHECK(without.second_halves > 0);
  // The probe: on the prose it was trained for, the model alone is within a small factor of
  // the context mixing (cold on 2 x 5 KiB) and is not ruled out.
  const size_t alone = cm_trial_probe_model_cost(a);
  CHECK(alone > 0);
  CHECK(without.probe > 0);
  CHECK(without.probe < without.second_halves * 2);
  std::string why;
  CHECK_FALSE(cm_probe_rules_out(alone, without.probe, why));
  CHECK(why.find("model probe") != std::string::npos);
  CHECK(cm_trial_start(text.data(), text.size(), kDefaultLevel, false, 1).lane_size() == text.size());
}

namespace {

// The cost (bytes, the sum of -log2 p) of coding `in` through CmModel in one lane at `level`
// by CM revision `revision`, with no model input.
double cm_cost(const std::vector<uint8_t>& in, int level, int revision) {
  cm::CostCoder cost;
  std::vector<uint8_t> buf(in.size());
  cm::CmModel m;
  m.reset(cm::cm_config_for(level, in.size(), revision), buf.data(), buf.size(), buf.size());
  for (uint8_t b : in) {
    cost.byte = b;
    REQUIRE(m.code(0, cm::ModelBits{}, cost) == b);
  }
  return cost.bits / 8;
}

}  // namespace

TEST_CASE("cm: revision 5 codes a bitmap by its pixels and leaves text as it was", "[cm][image]") {
  // tests/golden/fax-gsdoc.raw: 160 rows of 211 bytes, a page of Ghostscript's colour
  // management manual rendered at fax resolution (tests/golden/regenerate.sh says how). The
  // record contexts find its rows; the bitmap contexts see the pixels above and to the left.
  const auto page = test::read_file(std::string(SHZ_SOURCE_DIR) + "/tests/golden/fax-gsdoc.raw");
  REQUIRE(page.size() == 160 * 211);
  const double rev4 = cm_cost(page, 6, 4), rev5 = cm_cost(page, 6, 5);
  INFO("revision 4: " << rev4 << " bytes, revision 5: " << rev5);
  CHECK(rev5 < 0.6 * rev4);
  // Levels 1-3 have no record contexts and no bitmap contexts: revision 5 is revision 4 there.
  CHECK(cm_cost(page, 3, 5) == cm_cost(page, 3, 4));
  // On text the pixel contexts lose to order 2, so the lane is not judged a bitmap: their
  // inputs alone change the cost by a hair.
  const auto text = test::corpus("kjv-pentateuch.txt", 60000);
  const double t4 = cm_cost(text, 6, 4), t5 = cm_cost(text, 6, 5);
  INFO("text: revision 4: " << t4 << " bytes, revision 5: " << t5);
  CHECK(t5 < t4 * 1.002);
  // And the archive round-trips at every level with the bitmap contexts.
  for (int level : {4, 6, 9}) {
    INFO("level " << level);
    const auto archive = compress(page.data(), page.size(), cm_options(level));
    CHECK(archive.size() * 100 < page.size() * 10);
    CHECK(decompress(archive.data(), archive.size(), DecompressOptions{}) == page);
  }
}
