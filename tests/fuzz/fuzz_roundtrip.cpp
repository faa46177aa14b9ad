// libFuzzer target: whatever the input, compress then decompress gives it back, for segment
// sizes from 16 bytes to 4 KiB, with and without the match model, the mixing stage and
// LZMA2, on 1 or 3 threads, or by context mixing (format 6) at every level, in one lane or
// four (order2: the match model, the context mixing, the block choice and the coder are
// model-agnostic, and order2 is fast enough under the sanitizers). The first two bytes pick
// the options.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "shz/shz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  shz::CompressOptions c;
  c.model = "order2";
  c.segment_size = uint64_t(16) << (data[0] % 9);  // 16 B .. 4 KiB
  c.match_model = data[1] & 1;
  c.lzma_fallback = data[1] & 2;
  c.threads = (data[1] & 4) ? 3 : 1;
  c.mix_stage = data[1] & 16;
  if (data[1] & 32) {
    c.level = 1 + (data[0] / 9) % 9;
    c.lane_size = (data[1] & 64) ? c.segment_size / 4 : 0;
  }
  const std::vector<uint8_t> archive = shz::compress(data + 2, size - 2, c);
  shz::DecompressOptions d;
  d.threads = (data[1] & 8) ? 3 : 1;
  const std::vector<uint8_t> back = shz::decompress(archive.data(), archive.size(), d);
  if (back != std::vector<uint8_t>(data + 2, data + size)) std::abort();  // a lossless round trip failed
  return 0;
}
