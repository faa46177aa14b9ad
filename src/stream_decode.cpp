// Streams of frames (docs/FORMAT.md, "Streams of frames"): decoding every frame in order,
// describing them, and decoding only the frames a byte range needs.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "format.h"
#include "frame_decode.h"
#include "seek_index.h"
#include "shz/shz.h"

namespace shz {
namespace {

// What follows a frame: another archive frame, a seek index, the end, or bytes that are
// none of these.
enum class Next { kEnd, kArchive, kIndex };
Next next_frame(ArchiveReader& r) {
  uint8_t m[4];
  const size_t n = r.peek4(m);
  if (n == 0) return Next::kEnd;
  if (n == 4 && std::memcmp(m, kMagic, 4) == 0) return Next::kArchive;
  if (n == 4 && std::memcmp(m, kIndexMagic, 4) == 0) return Next::kIndex;
  throw Error(ErrorCode::kInput, "trailing data after the archive at byte " + std::to_string(r.offset()));
}

// Walks a stream frame by frame: `frame` is called with each archive frame's header and
// offset, `r` at its first payload byte, and must consume the rest of the frame. Each seek
// index is checked against the frames since the one before it.
void stream_walk(ArchiveReader& r, const std::function<void(const ArchiveInfo&, uint64_t)>& frame) {
  std::vector<FrameEntry> since_index;
  for (bool first = true;; first = false) {
    const Next next = first ? Next::kArchive : next_frame(r);
    if (next == Next::kEnd) return;
    const uint64_t at = r.offset();
    if (next == Next::kIndex) {
      // An index describes the frames just before it (an archive without an index may
      // come before those, as `cat` puts it there).
      const std::vector<FrameEntry> index = seek_index_parse(r);
      if (index.size() > since_index.size() || !std::equal(index.begin(), index.end(), since_index.end() - long(index.size())))
        throw Error(ErrorCode::kInput, "the seek index at byte " + std::to_string(at) +
                                           " does not match the frames before it (corrupt index)");
      since_index.clear();
      continue;
    }
    const ArchiveInfo info = header_parse(r);
    frame(info, at);
    since_index.push_back(FrameEntry{info.original_size, r.offset() - at});
  }
}

}  // namespace

void decompress(const ReadFn& in, const WriteFn& out, const DecompressOptions& opt) {
  ArchiveReader r(in);
  uint64_t before = 0;
  stream_walk(r, [&](const ArchiveInfo& info, uint64_t) {
    frame_decode(r, info, out, opt, before);
    before += info.original_size;
  });
}

StreamInfo stream_read_info(const ReadFn& in) {
  ArchiveReader r(in);
  StreamInfo s;
  stream_walk(r, [&](const ArchiveInfo& info, uint64_t at) {
    frame_skip(r, info);
    s.frames.push_back(info);
    s.frame_offsets.push_back(at);
  });
  s.stream_size = r.offset();
  return s;
}

uint64_t StreamInfo::original_size() const {
  uint64_t n = 0;
  for (const ArchiveInfo& f : frames) n += f.original_size;
  return n;
}

uint64_t StreamInfo::index_size() const {
  uint64_t n = stream_size;
  for (const ArchiveInfo& f : frames) n -= f.archive_size();
  return n;
}


namespace {

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::kInput, what); }

// A ReadFn over in[from, to).
ReadFn range_reader(const ReadAtFn& in, uint64_t from, uint64_t to) {
  return [&in, pos = from, to](uint8_t* buf, size_t n) mutable {
    const size_t k = size_t(std::min<uint64_t>(n, to - pos));
    if (k) in(pos, buf, k);
    pos += k;
    return k;
  };
}

struct FrameSpan {
  uint64_t offset = 0, size = 0;  // where the archive frame lies in the stream
  uint64_t original_size = 0;
};

// The archive frames of a stream of `size` bytes. Seek indexes are read from the end, one
// group of frames at a time, while the bytes before a group end with another index; what
// lies before (archives concatenated without one) is walked header by header.
std::vector<FrameSpan> stream_frames(const ReadAtFn& in, uint64_t size) {
  std::vector<FrameSpan> tail;  // from the end, last frame first
  uint64_t end = size;
  while (end >= kIndexFixed + kIndexEntry) {
    uint8_t footer[kIndexFooter];
    in(end - kIndexFooter, footer, kIndexFooter);
    const uint64_t index_size = seek_index_size_from_footer(footer);
    if (index_size == 0 || index_size > end) break;
    const ReadFn rf = range_reader(in, end - index_size, end);
    ArchiveReader r(rf);
    const std::vector<FrameEntry> frames = seek_index_parse(r);
    uint64_t at = end - index_size;
    for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
      if (f->frame_size > at) corrupt("corrupt seek index: its frames reach before the stream's start");
      at -= f->frame_size;
      tail.push_back(FrameSpan{at, f->frame_size, f->original_size});
    }
    end = at;
  }
  std::vector<FrameSpan> spans;
  for (uint64_t at = 0; at < end;) {
    const ReadFn rf = range_reader(in, at, end);
    ArchiveReader r(rf);
    uint8_t m[4];
    if (r.peek4(m) == 4 && std::memcmp(m, kIndexMagic, 4) == 0) {
      seek_index_parse(r);  // an index whose group was walked here; checked, then passed
      at += r.offset();
      continue;
    }
    const ArchiveInfo info = header_parse(r);
    const uint64_t n = info.archive_size();
    if (n > end - at) corrupt("truncated at byte " + std::to_string(end));
    spans.push_back(FrameSpan{at, n, info.original_size});
    at += n;
  }
  spans.insert(spans.end(), tail.rbegin(), tail.rend());
  return spans;
}

}  // namespace

void decompress_range(const ReadAtFn& in, uint64_t size, uint64_t start, uint64_t length, const WriteFn& out,
                      const DecompressOptions& opt) {
  if (size == 0) corrupt("not a shz archive (empty input)");
  const std::vector<FrameSpan> frames = stream_frames(in, size);
  uint64_t total = 0;
  for (const FrameSpan& f : frames) total += f.original_size;
  if (start > total)
    throw Error(ErrorCode::kUsage, "range starts at byte " + std::to_string(start) + ", past the end of the " +
                                       std::to_string(total) + " bytes the archive holds");
  const uint64_t stop = start + std::min(length, total - start);
  uint64_t first = 0;  // original offset of the frame in hand
  for (const FrameSpan& f : frames) {
    const uint64_t last = first + f.original_size;
    if (last > start && first < stop) {
      const ReadFn rf = range_reader(in, f.offset, f.offset + f.size);
      ArchiveReader r(rf);
      const ArchiveInfo info = header_parse(r);
      if (info.original_size != f.original_size || info.archive_size() != f.size)
        corrupt("the seek index does not match the frame at byte " + std::to_string(f.offset) + " (corrupt index)");
      uint64_t pos = first;  // original offset of the next byte the frame writes
      frame_decode(r, info, [&](const uint8_t* p, size_t n) {
        const uint64_t a = std::max(pos, start), b = std::min(pos + n, stop);
        if (a < b) out(p + (a - pos), size_t(b - a));
        pos += n;
      }, opt, first);
    }
    first = last;
    if (first >= stop) break;
  }
}

}  // namespace shz
