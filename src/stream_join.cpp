// Cluster compression: an input's parts as runs of whole frames, and the parts' streams
// joined into one (docs/FORMAT.md, "Streams of frames").
#include <algorithm>
#include <string>
#include <vector>

#include "seek_index.h"
#include "shz/shz.h"

namespace shz {

ByteRange part_range(uint64_t size, uint64_t frame_size, unsigned k, unsigned n) {
  const uint64_t frame = frame_size ? frame_size : kDefaultFrameSize;
  const uint64_t frames = std::max<uint64_t>(1, (size + frame - 1) / frame);
  if (n == 0 || k == 0 || k > n)
    throw Error(ErrorCode::kUsage, "part " + std::to_string(k) + " of " + std::to_string(n) + ": expected 1 <= K <= N");
  if (n > frames)
    throw Error(ErrorCode::kUsage, "the input makes " + std::to_string(frames) + " frame(s) of " + std::to_string(frame) +
                                       " bytes, fewer than " + std::to_string(n) + " parts (use a smaller frame size)");
  // Frames [first, last) of this part: as even a split as whole frames allow.
  const uint64_t first = frames * (k - 1) / n, last = frames * k / n;
  const uint64_t start = first * frame;
  return ByteRange{start, std::min(size, last * frame) - start};
}

void streams_join(const std::vector<std::pair<ReadAtFn, uint64_t>>& parts, const WriteFn& out) {
  std::vector<FrameEntry> frames;
  std::vector<uint8_t> buf(size_t(1) << 20);
  for (size_t p = 0; p < parts.size(); ++p) {
    const ReadAtFn& in = parts[p].first;
    const uint64_t size = parts[p].second;
    uint64_t pos = 0;
    const StreamInfo info = stream_read_info([&](uint8_t* b, size_t n) {
      const size_t k = size_t(std::min<uint64_t>(n, size - pos));
      if (k) in(pos, b, k);
      pos += k;
      return k;
    });
    for (size_t f = 0; f < info.frames.size(); ++f) {
      const uint64_t at = info.frame_offsets[f], n = info.frames[f].archive_size();
      for (uint64_t done = 0; done < n;) {
        const size_t k = size_t(std::min<uint64_t>(buf.size(), n - done));
        in(at + done, buf.data(), k);
        out(buf.data(), k);
        done += k;
      }
      frames.push_back(FrameEntry{info.frames[f].original_size, n});
    }
  }
  if (frames.empty()) throw Error(ErrorCode::kUsage, "nothing to join");
  if (frames.size() > 1) {
    const std::vector<uint8_t> index = seek_index_serialize(frames);
    out(index.data(), index.size());
  }
}

}  // namespace shz
