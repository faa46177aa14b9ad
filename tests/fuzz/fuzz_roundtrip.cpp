// libFuzzer target: whatever the input, compress then decompress gives it back, for segment
// sizes from 16 bytes to 4 KiB, with and without the match model, the mixing stage and
// LZMA2, on 1 or 3 threads, or by context mixing (format 10) at every level, in one lane or
// four, with order2 or a tiny random SHA-RNN (32 wide, a window of 8: the engine's paths,
// cheap under the sanitizers), in one frame or in several. The first two bytes pick the
// options.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/sharnn/random_model.h"
#include "shz/shz.h"

namespace {

// A tiny SHA-RNN model file, written once per process.
const std::string& tiny_model() {
  static const std::string path = [] {
    shz::sharnn::RandomModelSpec spec;
    spec.hp.d_model = 32;
    spec.hp.n_layers = 2;
    spec.hp.attn_layers = {1};
    spec.hp.window = 8;
    spec.hp.boom_dim = 64;
    spec.seed = 9;
    spec.name = "fuzz-tiny";
    const std::vector<uint8_t> bytes = shz::sharnn::random_model_file(spec);
    char name[] = "/tmp/shz-fuzz-model-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0 || write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size())) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  shz::CompressOptions c;
  c.level = 0;  // the formats before context mixing unless byte 1 says otherwise
  c.model = (data[1] & 128) ? tiny_model() : "order2";
  c.segment_size = uint64_t(16) << (data[0] % 9);  // 16 B .. 4 KiB
  c.match_model = data[1] & 1;
  c.lzma_fallback = data[1] & 2;
  c.threads = (data[1] & 4) ? 3 : 1;
  c.mix_stage = data[1] & 16;
  if (data[1] & 32) {
    c.level = 1 + (data[0] / 9) % 9;
    c.lane_size = (data[1] & 64) ? c.segment_size / 4 : 0;
  }
  if (data[0] >= 162) c.frame_size = 3 * c.segment_size + 1;  // a stream of frames
  const std::vector<uint8_t> archive = shz::compress(data + 2, size - 2, c);
  shz::DecompressOptions d;
  d.model = c.model == "order2" ? "" : c.model;
  d.threads = (data[1] & 8) ? 3 : 1;
  const std::vector<uint8_t> back = shz::decompress(archive.data(), archive.size(), d);
  if (back != std::vector<uint8_t>(data + 2, data + size)) std::abort();  // a lossless round trip failed
  return 0;
}
