#include "seek_index.h"

#include <cstring>
#include <string>

#include "util/bytes.h"
#include "util/hash.h"

namespace shz {
namespace {

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::kInput, what); }

}  // namespace

std::vector<uint8_t> seek_index_serialize(const std::vector<FrameEntry>& frames) {
  std::vector<uint8_t> v(kIndexMagic, kIndexMagic + 4);
  put_le16(v, uint16_t(kIndexVersion));
  put_le16(v, 0);
  put_le64(v, frames.size());
  for (const FrameEntry& f : frames) {
    put_le64(v, f.original_size);
    put_le64(v, f.frame_size);
  }
  put_be64(v, hash_bytes(v.data(), v.size()));
  put_le64(v, v.size() + kIndexFooter);
  v.insert(v.end(), kIndexFooterMagic, kIndexFooterMagic + 4);
  return v;
}

std::vector<FrameEntry> seek_index_parse(ArchiveReader& r) {
  std::vector<uint8_t> v(16);
  r.read_exact(v.data(), 16);
  if (std::memcmp(v.data(), kIndexMagic, 4) != 0) corrupt("not a seek index (bad magic number)");
  const uint64_t count = get_le64(v.data() + 8);
  // Grows only as entries arrive, like the segment table.
  std::vector<FrameEntry> frames;
  uint8_t e[kIndexEntry];
  for (uint64_t i = 0; i < count; ++i) {
    r.read_exact(e, kIndexEntry);
    v.insert(v.end(), e, e + kIndexEntry);
    frames.push_back(FrameEntry{get_le64(e), get_le64(e + 8)});
  }
  uint8_t tail[8 + kIndexFooter];
  r.read_exact(tail, sizeof tail);
  if (get_be64(tail) != hash_bytes(v.data(), v.size())) corrupt("seek index checksum mismatch (corrupt index)");
  // Checked only now: a flipped bit is damage, not a newer index.
  if (get_le16(v.data() + 4) != kIndexVersion || get_le16(v.data() + 6) != 0)
    corrupt("unsupported seek index version " + std::to_string(get_le16(v.data() + 4)) + " or flags (made by a newer shz?)");
  if (count == 0) corrupt("corrupt seek index: no frames");
  if (get_le64(tail + 8) != kIndexFixed + kIndexEntry * count || std::memcmp(tail + 16, kIndexFooterMagic, 4) != 0)
    corrupt("corrupt seek index: bad footer");
  return frames;
}

uint64_t seek_index_size_from_footer(const uint8_t footer[kIndexFooter]) {
  if (std::memcmp(footer + 8, kIndexFooterMagic, 4) != 0) return 0;
  const uint64_t size = get_le64(footer);
  if (size < kIndexFixed + kIndexEntry || (size - kIndexFixed) % kIndexEntry != 0) return 0;
  return size;
}

}  // namespace shz
