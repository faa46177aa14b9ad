// The golden archives pin the format, the order2 model and the built-in SHA-RNN models.
// genesis-1-4.txt.shz (format 3, every segment coded by order2), genesis-1-4.match.shz
// (format 4, order2 refined by the match model) and genesis-1-4.mix.shz (format 5, then
// the mixing stage) must keep decoding, and re-encoding their content must give the same bytes; the older genesis-1-4.v2.shz and .v1.shz (the same
// payloads) must keep decoding; zstd-h-12k.shz pins the LZMA2 segment method (decode only:
// another liblzma may code the same bytes differently, which the format allows);
// genesis-1-4.MODEL.shz pin each built-in SHA-RNN model; genesis-1-4.cm*.shz and
// fax-gsdoc.cm.shz pin format 10's context mixing (levels 1, 6 and 9, lanes, the default
// model, the bitmap contexts), genesis-1-4.cm*.v9.shz to .v6.shz formats 9 to 6 (decode only). If this fails after a deliberate
// format or model change, bump the version/revision, update docs/FORMAT.md and regenerate
// with tests/golden/regenerate.sh in the same commit (keeping the old archive as a
// decode-only golden while the decoder reads its version).
#include <catch2/catch.hpp>

#include "cm_codec.h"
#include "shz/shz.h"
#include "test_util.h"

using namespace shz;

namespace {

const std::string kDir = std::string(SHZ_SOURCE_DIR) + "/tests/golden/";

}  // namespace

TEST_CASE("golden archive decodes and re-encodes byte for byte", "[golden]") {
  const auto original = test::read_file(kDir + "genesis-1-4.txt");
  const auto golden = test::read_file(kDir + "genesis-1-4.txt.shz");
  REQUIRE(archive_read_info(golden.data(), golden.size()).version == 3);
  REQUIRE(decompress(golden.data(), golden.size(), DecompressOptions{}) == original);
  CompressOptions o = test::order2_options();
  o.segment_size = 4096;  // as regenerate.sh writes it
  o.lzma_fallback = false;
  o.match_model = false;
  CHECK(compress(original.data(), original.size(), o) == golden);
}

// A golden archive of `version` whose segments are all `method`: it decodes, and its
// content re-encodes to it byte for byte (order2, 4096-byte segments, no LZMA2, mix as given).
static void golden_check(const std::string& file, unsigned version, SegmentMethod method, bool mix) {
  INFO(file);
  const auto original = test::read_file(kDir + "genesis-1-4.txt");
  const auto golden = test::read_file(kDir + file);
  const ArchiveInfo info = archive_read_info(golden.data(), golden.size());
  REQUIRE(info.version == version);
  for (const SegmentInfo& s : info.segments) CHECK(s.method == method);
  REQUIRE(decompress(golden.data(), golden.size(), DecompressOptions{}) == original);
  CompressOptions o = test::order2_options();
  o.segment_size = 4096;  // as regenerate.sh writes it
  o.lzma_fallback = false;
  o.mix_stage = mix;
  CHECK(compress(original.data(), original.size(), o) == golden);
}

TEST_CASE("golden archives of the match model and the mixing stage decode and re-encode byte for byte", "[golden]") {
  golden_check("genesis-1-4.match.shz", 4, SegmentMethod::kModelMatch, false);
  golden_check("genesis-1-4.mix.shz", 5, SegmentMethod::kModelMix, true);
}

// Format 10: context mixing (the CM's revision 5) at levels 6 (four lanes) and 1 with order2's
// pmfs as the model input, at level 9 (where the encoder finds that order2's pmfs do not pay
// on this text, so its block is `cm`: the CM with no model input), the default SHA-RNN model
// at level 6, and a bitmap at level 6 (as regenerate.sh writes them).
TEST_CASE("golden archives of context mixing decode and re-encode byte for byte", "[golden][cm]") {
  const struct {
    const char* source;
    const char* file;
    const char* model;
    int level;
    uint64_t lane_size;
    SegmentMethod method;
  } cases[] = {{"genesis-1-4.txt", "genesis-1-4.cm.shz", "order2", 6, 3000, SegmentMethod::kCmModel},
               {"genesis-1-4.txt", "genesis-1-4.cm1.shz", "order2", 1, 0, SegmentMethod::kCmModel},
               {"genesis-1-4.txt", "genesis-1-4.cm9.shz", "order2", 9, 0, SegmentMethod::kCm},
               {"genesis-1-4.txt", "genesis-1-4.cm-default.shz", kDefaultModelName, 6, 0, SegmentMethod::kCmModel},
               {"fax-gsdoc.raw", "fax-gsdoc.cm.shz", "order2", 6, 0, SegmentMethod::kCm}};
  for (const auto& c : cases) {
    INFO(c.file);
    const auto original = test::read_file(kDir + c.source);
    const auto golden = test::read_file(kDir + c.file);
    const ArchiveInfo info = archive_read_info(golden.data(), golden.size());
    REQUIRE(info.version == 10);
    for (const SegmentInfo& s : info.segments) CHECK(s.method == c.method);
    REQUIRE(decompress(golden.data(), golden.size(), DecompressOptions{}) == original);
    CompressOptions o = test::order2_options();
    o.model = c.model;
    o.level = c.level;
    o.lane_size = c.lane_size;
    o.lzma_fallback = false;
    CHECK(compress(original.data(), original.size(), o) == golden);
  }
}

// Formats 6 to 9 (the CM's revisions 1 to 4), as the same commands wrote them before
// formats 7 to 10: decode only, so the older revisions stay pinned while encoders write
// revision 5. Their blocks' flags name their revision (a flag that disagrees with the
// version is corruption, not another revision). The level-9 archives of formats 8 and 9
// hold a `cm` block (order2's pmfs did not pay there), the others `cm+model` blocks.
// (Revision 4 differs from 3 only on blocks over 512 KiB, which these are not: test_cm pins
// its configs.)
TEST_CASE("golden archives of formats 6 to 9 (CM revisions 1 to 4) still decode", "[golden][cm]") {
  const auto original = test::read_file(kDir + "genesis-1-4.txt");
  for (unsigned version : {6u, 7u, 8u, 9u})
    for (const char* name : {"cm", "cm1", "cm9", "cm-default"}) {
      INFO(name << " version " << version);
      const auto old = test::read_file(kDir + "genesis-1-4." + name + ".v" + std::to_string(version) + ".shz");
      const ArchiveInfo info = archive_read_info(old.data(), old.size());
      REQUIRE(info.version == version);
      const bool plain = version >= 8 && std::string(name) == "cm9";
      for (const SegmentInfo& s : info.segments)
        CHECK(s.method == (plain ? SegmentMethod::kCm : SegmentMethod::kCmModel));
      CHECK(decompress(old.data(), old.size(), DecompressOptions{}) == original);
      const uint8_t flags = old[info.header_size + 1];
      CHECK(((flags & kCmFlagRev2) != 0) == (version >= 7));
      CHECK(((flags & kCmFlagRev3) != 0) == (version >= 8));
      CHECK(((flags & kCmFlagRev4) != 0) == (version >= 9));
      CHECK((flags & kCmFlagRev5) == 0);
    }
}

TEST_CASE("golden archives of format versions 1 and 2 still decode", "[golden]") {
  const auto original = test::read_file(kDir + "genesis-1-4.txt");
  for (unsigned v : {1u, 2u}) {
    INFO("version " << v);
    const auto old = test::read_file(kDir + "genesis-1-4.v" + std::to_string(v) + ".shz");
    REQUIRE(archive_read_info(old.data(), old.size()).version == v);
    CHECK(decompress(old.data(), old.size(), DecompressOptions{}) == original);
  }
}

TEST_CASE("golden archive with LZMA2 segments decodes", "[golden]") {
  const auto golden = test::read_file(kDir + "zstd-h-12k.shz");
  const ArchiveInfo info = archive_read_info(golden.data(), golden.size());
  size_t lzma = 0;
  for (const SegmentInfo& s : info.segments) lzma += s.method == SegmentMethod::kLzma;
  CHECK(lzma > 0);
  CHECK(decompress(golden.data(), golden.size(), DecompressOptions{}) == test::corpus("zstd-1.5.4-zstd.h", 12000));
}

// Every built-in SHA-RNN model keeps decoding its archives with no model file, and encodes
// them again byte for byte when selected by name: this pins the integer engine's arithmetic
// and keeps archives of older default models readable after the default changes.
static void check_builtin_golden(const std::string& name) {
  INFO(name);
  const auto original = test::read_file(kDir + "genesis-1-4.txt");
  const auto golden = test::read_file(kDir + "genesis-1-4." + name + ".shz");
  const ArchiveInfo info = archive_read_info(golden.data(), golden.size());
  REQUIRE(info.model.name == name);
  REQUIRE(!info.model_embedded);
  REQUIRE(decompress(golden.data(), golden.size(), DecompressOptions{}) == original);
  CompressOptions o = test::order2_options();
  o.model = name;
  o.segment_size = 4096;  // as regenerate.sh writes it
  o.lzma_fallback = false;
  o.mix_stage = false;
  CHECK(compress(original.data(), original.size(), o) == golden);
}

TEST_CASE("golden archives of the default SHA-RNN model (shz-small-v5) decode and re-encode byte for byte", "[golden]") {
  check_builtin_golden("shz-small-v5");
}

// The earlier models share v5's shape, so the sanitizer build, where each costs a minute,
// leaves them to the Release build ([heavy]: tests/CMakeLists.txt).
TEST_CASE("golden archives of the earlier built-in SHA-RNN models decode and re-encode byte for byte", "[golden][heavy]") {
  for (const std::string name : {"shz-small-v1", "shz-small-v2", "shz-small-v3", "shz-small-v4"})
    check_builtin_golden(name);
}
