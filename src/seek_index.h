// The seek-index frame that ends a stream of several archive frames (docs/FORMAT.md,
// "Streams of frames"): each frame's original and coded length, so a reader holding the
// end of the stream finds the frames a byte range needs without reading the others.
#pragma once

#include <cstdint>
#include <vector>

#include "format.h"

namespace shz {

constexpr uint8_t kIndexMagic[4] = {0x89, 'S', 'H', 'I'};
constexpr uint8_t kIndexFooterMagic[4] = {'S', 'H', 'I', 0x89};
constexpr unsigned kIndexVersion = 1;
// Fixed bytes of an index frame (magic, version, flags, count, checksum, size, footer
// magic); each frame adds 16.
constexpr uint64_t kIndexFixed = 36;
constexpr uint64_t kIndexEntry = 16;
// The footer read from a stream's end: index size (8) and footer magic (4).
constexpr uint64_t kIndexFooter = 12;

struct FrameEntry {
  uint64_t original_size = 0;  // bytes the frame decodes to
  uint64_t frame_size = 0;     // bytes of the archive frame
  bool operator==(const FrameEntry& o) const { return original_size == o.original_size && frame_size == o.frame_size; }
  bool operator!=(const FrameEntry& o) const { return !(*this == o); }
};

std::vector<uint8_t> seek_index_serialize(const std::vector<FrameEntry>& frames);

// Parses an index frame at `r` (magic included). Throws Error(kInput) naming the problem.
std::vector<FrameEntry> seek_index_parse(ArchiveReader& r);

// From a stream's last kIndexFooter bytes: the size of the index frame they end, or 0 when
// they are no index footer.
uint64_t seek_index_size_from_footer(const uint8_t footer[kIndexFooter]);

}  // namespace shz
