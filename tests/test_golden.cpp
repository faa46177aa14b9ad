// The golden archives pin the format and the order2 model. genesis-1-4.txt.shz (format 2)
// must keep decoding, and re-encoding its content must give the same bytes; the older
// genesis-1-4.v1.shz (format 1, the same payload) must keep decoding. If this fails after a
// deliberate format or model change, bump the version/revision, update docs/FORMAT.md and
// regenerate with tests/golden/regenerate.sh in the same commit (keeping the old archive as a
// decode-only golden while the decoder reads its version).
#include <catch2/catch.hpp>

#include "shz/shz.h"
#include "test_util.h"

using namespace shz;

TEST_CASE("golden archive decodes and re-encodes byte for byte", "[golden]") {
  const std::string dir = std::string(SHZ_SOURCE_DIR) + "/tests/golden/";
  const auto original = test::read_file(dir + "genesis-1-4.txt");
  const auto golden = test::read_file(dir + "genesis-1-4.txt.shz");
  REQUIRE(decompress(golden.data(), golden.size(), DecompressOptions{}) == original);
  CompressOptions o;
  o.segment_size = 4096;  // as regenerate.sh writes it
  CHECK(compress(original.data(), original.size(), o) == golden);
}

TEST_CASE("golden archive of format version 1 still decodes", "[golden]") {
  const std::string dir = std::string(SHZ_SOURCE_DIR) + "/tests/golden/";
  const auto original = test::read_file(dir + "genesis-1-4.txt");
  const auto v1 = test::read_file(dir + "genesis-1-4.v1.shz");
  REQUIRE(archive_read_info(v1.data(), v1.size()).version == 1);
  CHECK(decompress(v1.data(), v1.size(), DecompressOptions{}) == original);
}
