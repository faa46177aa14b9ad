// model_bits(): a model's bits per byte from a real archive (what `shz eval` and the Python
// module's eval report).
#include <algorithm>

#include "shz/shz.h"

namespace shz {

ModelBits model_bits(const uint8_t* data, size_t size, CompressOptions opt) {
  opt.level = 0;  // the model's own bits: no context mixing, LZMA2 or match model
  opt.lzma_fallback = false;
  opt.match_model = false;
  opt.frame_size = std::max<uint64_t>(size, 1);  // one frame: every byte under one header
  const std::vector<uint8_t> archive = compress(data, size, opt);
  const ArchiveInfo info = archive_read_info(archive.data(), archive.size());
  ModelBits b;
  b.bytes = size;
  b.payload_bytes = info.payload_size();
  b.archive_bytes = archive.size();
  b.segment_size = info.segment_size;
  b.model = info.model.name;
  return b;
}

}  // namespace shz
