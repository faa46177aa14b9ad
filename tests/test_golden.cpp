// The golden archive pins format version 1 and the order2 model: it must keep decoding,
// and re-encoding its content must give the same bytes. If this fails after a deliberate
// format or model change, bump the version/revision, update docs/FORMAT.md and regenerate
// with tests/golden/regenerate.sh in the same commit.
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
