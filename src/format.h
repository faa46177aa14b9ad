// The .shz container's header and segment table (docs/FORMAT.md is the normative spec).
#pragma once

#include <cstdint>
#include <vector>

#include "shz/shz.h"

namespace shz {

constexpr uint8_t kMagic[4] = {0x89, 'S', 'H', 'Z'};
constexpr unsigned kFormatVersion = 10;    // the newest the encoder writes (format_version_for)
constexpr unsigned kOldestFormatVersion = 1;  // the decoder reads kOldestFormatVersion..kFormatVersion
constexpr size_t kMaxModelName = 64;
// Segment table entry: 24 bytes in versions 1 and 2; version 3 adds the method byte.
constexpr size_t segment_entry_size(unsigned version) { return version >= 3 ? 25 : 24; }
constexpr uint16_t kFlagEmbeddedModel = 1;           // flags bit 0
constexpr uint64_t kMaxEmbeddedModel = uint64_t(1) << 32;
// The shortest cm / cm+model payload: its 6-byte preamble and the coder's 8-byte flush.
constexpr uint64_t kCmMinCoded = 14;

// The version an archive with these segments is written in: the oldest that holds every
// method used (3; 4 with model+match segments; 5 with model+match+mix; 10 with cm or
// cm+model, whose blocks this encoder codes by the CM's revision 5; 6 to 9 held
// revisions 1 to 4), so older shz still read what they can.
unsigned format_version_for(const std::vector<SegmentInfo>& segments);

// Serialises info's header, segment table and header checksum (everything before the
// payloads). info.header_size is ignored; info.version (3 to 5) is written as it is. Precondition: info is consistent (as parsed).
std::vector<uint8_t> header_serialize(const ArchiveInfo& info);

// Tracks the byte offset while pulling from a ReadFn, so errors can name where input ended.
class ArchiveReader {
 public:
  explicit ArchiveReader(const ReadFn& in) : in_(in) {}
  // Fills buf[0..n) or throws Error(kInput, "truncated at byte X").
  void read_exact(uint8_t* buf, size_t n);
  // Reads up to n bytes; returns how many (less only at end of input).
  size_t read_some(uint8_t* buf, size_t n);
  // True when the input has no more bytes.
  bool at_end();
  // The next 4 bytes (fewer at the end of input) without consuming them: what kind of
  // frame follows. Returns how many there were.
  size_t peek4(uint8_t out[4]);
  uint64_t offset() const { return offset_; }

 private:
  const ReadFn& in_;
  uint64_t offset_ = 0;
  uint8_t ahead_[4] = {};  // bytes read ahead by at_end() and peek4(), not yet consumed
  size_t ahead_n_ = 0;
};

// Parses and validates a header and segment table; leaves `r` at the first payload byte.
// Throws Error(kInput) naming the first problem found. Never allocates more than the
// bytes actually read justify.
ArchiveInfo header_parse(ArchiveReader& r);

}  // namespace shz
