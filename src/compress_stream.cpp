// compress() of a stream: the input in frames of opt.frame_size bytes, each a complete
// archive written as soon as it is coded, then a seek index when there was more than one
// (docs/FORMAT.md, "Streams of frames"). Memory is bounded by the frame, not the input.
#include <algorithm>
#include <vector>

#include "compress_parts.h"
#include "format.h"
#include "seek_index.h"
#include "shz/shz.h"

namespace shz {
namespace {

// Reads up to `n` bytes into `buf` (resized to what came), growing it only as bytes arrive,
// so a small input never costs a whole frame's memory.
void read_frame(const ReadFn& in, uint64_t n, std::vector<uint8_t>& buf) {
  constexpr uint64_t kStep = uint64_t(1) << 20;
  buf.clear();
  while (buf.size() < n) {
    const size_t old = buf.size();
    const size_t want = size_t(std::min<uint64_t>(kStep, n - old));
    buf.resize(old + want);
    size_t got = 0;
    while (got < want) {
      const size_t k = in(buf.data() + old + got, want - got);
      if (k == 0) break;
      got += k;
    }
    buf.resize(old + got);
    if (got < want) return;  // the end of input
  }
}

}  // namespace

void compress(const ReadFn& in, const WriteFn& out, const CompressOptions& opt) {
  const uint64_t frame = opt.frame_size ? opt.frame_size : kDefaultFrameSize;
  std::vector<FrameEntry> frames;
  std::vector<uint8_t> data;
  uint64_t before = 0;
  for (;;) {
    read_frame(in, frame, data);
    if (data.empty() && !frames.empty()) break;
    CompressOptions fo = opt;
    if (opt.progress)
      fo.progress = [&](const Progress& p) {
        opt.progress(Progress{before + p.bytes_in, p.bytes_coded, before + p.bytes_finished, before + p.total});
      };
    const std::vector<uint8_t> a = compress_frame(data.data(), data.size(), fo);
    out(a.data(), a.size());
    if (opt.frame_done) {  // the header says it all: no need to walk the payloads again
      size_t pos = 0;
      const ReadFn bytes = [&](uint8_t* buf, size_t n) {
        const size_t k = std::min(n, a.size() - pos);
        std::copy(a.begin() + long(pos), a.begin() + long(pos + k), buf);
        pos += k;
        return k;
      };
      ArchiveReader r(bytes);
      opt.frame_done(header_parse(r));
    }
    frames.push_back(FrameEntry{data.size(), a.size()});
    before += data.size();
    if (data.size() < frame) break;
  }
  if (frames.size() > 1) {
    const std::vector<uint8_t> index = seek_index_serialize(frames);
    out(index.data(), index.size());
  }
}

std::vector<uint8_t> compress(const uint8_t* data, size_t size, const CompressOptions& opt) {
  const uint64_t frame = opt.frame_size ? opt.frame_size : kDefaultFrameSize;
  if (size <= frame && !opt.frame_done) return compress_frame(data, size, opt);
  size_t pos = 0;
  std::vector<uint8_t> result;
  compress([&](uint8_t* buf, size_t n) {
    const size_t k = std::min(n, size - pos);
    std::copy(data + pos, data + pos + k, buf);
    pos += k;
    return k;
  }, [&](const uint8_t* p, size_t n) { result.insert(result.end(), p, p + n); }, opt);
  return result;
}

}  // namespace shz
