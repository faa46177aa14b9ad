#include "format.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/bytes.h"
#include "util/hash.h"

namespace shz {
namespace {

constexpr uint8_t kSourceBuiltin = 0;
constexpr uint8_t kSourceFile = 1;

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::kInput, what); }

// The method of a table entry `e` (of `version`); throws for what the version cannot hold.
SegmentMethod entry_method(unsigned version, const uint8_t* e, const SegmentInfo& s, uint64_t i) {
  if (version == 1) return SegmentMethod::kModel;
  if (version == 2) return s.coded_size == s.original_size ? SegmentMethod::kStored : SegmentMethod::kModel;
  const uint8_t newest = uint8_t(version >= 6   ? SegmentMethod::kCmModel
                                 : version >= 5 ? SegmentMethod::kModelMix
                                 : version >= 4 ? SegmentMethod::kModelMatch
                                                : SegmentMethod::kLzma);
  if (e[24] > newest)
    corrupt("unsupported method " + std::to_string(e[24]) + " in segment " + std::to_string(i) +
            " (made by a newer shz?)");
  return SegmentMethod(e[24]);
}

// Whether a coded length is possible for the entry's method (docs/FORMAT.md): version 1
// coded every byte in at most kMaxTotalBits = 24 bits, plus the 8-byte flush; from version
// 2 on, only a stored payload is as long as its segment.
bool coded_size_valid(unsigned version, const SegmentInfo& s) {
  switch (s.method) {
    case SegmentMethod::kStored: return s.coded_size == s.original_size;
    case SegmentMethod::kLzma: return s.coded_size >= 1 && s.coded_size < s.original_size;
    case SegmentMethod::kCm:
    case SegmentMethod::kCmModel:
      // The preamble, the flush, and at least 1 byte per 4096 coded (no bit costs less
      // than log2(65536/65504) bits): bounds the block a decoder allocates by its payload.
      return s.coded_size >= kCmMinCoded + s.original_size / 4096 && s.coded_size < s.original_size;
    case SegmentMethod::kModel:
    case SegmentMethod::kModelMatch:
    case SegmentMethod::kModelMix: break;
  }
  const uint64_t most = version >= 2 ? s.original_size - 1 : 3 * s.original_size + 8;
  return s.coded_size >= 8 && s.coded_size <= most;
}

}  // namespace

const char* segment_method_name(SegmentMethod m) {
  switch (m) {
    case SegmentMethod::kModel: return "model";
    case SegmentMethod::kStored: return "stored";
    case SegmentMethod::kLzma: return "lzma";
    case SegmentMethod::kModelMatch: return "model+match";
    case SegmentMethod::kModelMix: return "model+match+mix";
    case SegmentMethod::kCm: return "cm";
    case SegmentMethod::kCmModel: return "cm+model";
  }
  return "?";
}

unsigned format_version_for(const std::vector<SegmentInfo>& segments) {
  unsigned v = 3;
  for (const SegmentInfo& s : segments) {
    if (s.method == SegmentMethod::kCm || s.method == SegmentMethod::kCmModel) v = std::max(v, 6u);
    if (s.method == SegmentMethod::kModelMix) v = std::max(v, 5u);
    if (s.method == SegmentMethod::kModelMatch) v = std::max(v, 4u);
  }
  return v;
}

uint64_t ArchiveInfo::payload_size() const {
  uint64_t n = 0;
  for (const SegmentInfo& s : segments) n += s.coded_size;
  return n;
}

std::vector<uint8_t> header_serialize(const ArchiveInfo& info) {
  std::vector<uint8_t> h(kMagic, kMagic + 4);
  put_le16(h, uint16_t(info.version));
  put_le16(h, info.model_embedded ? kFlagEmbeddedModel : 0);
  h.push_back(info.model_is_builtin ? kSourceBuiltin : kSourceFile);
  h.push_back(uint8_t(info.model.name.size()));
  h.insert(h.end(), info.model.name.begin(), info.model.name.end());
  put_be64(h, info.model.hash);
  put_le64(h, info.original_size);
  put_le64(h, info.segment_size);
  put_le64(h, info.segments.size());
  put_be64(h, info.content_hash);
  if (info.model_embedded) put_le64(h, info.model_size);
  for (const SegmentInfo& s : info.segments) {
    put_le64(h, s.original_size);
    put_le64(h, s.coded_size);
    put_be64(h, s.hash);
    h.push_back(uint8_t(s.method));
  }
  put_be64(h, hash_bytes(h.data(), h.size()));
  return h;
}

size_t ArchiveReader::read_some(uint8_t* buf, size_t n) {
  size_t got = 0;
  if (n > 0 && peeked_ >= 0) {
    buf[got++] = uint8_t(peeked_);
    peeked_ = -1;
  }
  while (got < n) {
    const size_t k = in_(buf + got, n - got);
    if (k == 0) break;
    got += k;
  }
  offset_ += got;
  return got;
}

void ArchiveReader::read_exact(uint8_t* buf, size_t n) {
  if (read_some(buf, n) != n) corrupt("truncated at byte " + std::to_string(offset_));
}

bool ArchiveReader::at_end() {
  if (peeked_ >= 0) return false;
  uint8_t b;
  if (in_(&b, 1) == 0) return true;
  peeked_ = b;
  return false;
}

ArchiveInfo header_parse(ArchiveReader& r) {
  std::vector<uint8_t> h(10);  // every header byte read, for the header checksum
  const size_t got = r.read_some(h.data(), 4);
  if (got == 0) corrupt("not a shz archive (empty input)");
  if (got < 4 || std::memcmp(h.data(), kMagic, 4) != 0) corrupt("not a shz archive (bad magic number)");
  r.read_exact(h.data() + 4, 2);  // the version first: later fields may differ in other versions

  ArchiveInfo info;
  info.version = get_le16(h.data() + 4);
  if (info.version < kOldestFormatVersion || info.version > kFormatVersion)
    corrupt("unsupported format version " + std::to_string(info.version) + " (this shz reads versions " +
            std::to_string(kOldestFormatVersion) + " to " + std::to_string(kFormatVersion) + ")");
  r.read_exact(h.data() + 6, 4);
  const uint16_t flags = get_le16(h.data() + 6);
  if (flags & ~kFlagEmbeddedModel)
    corrupt("unsupported header flags 0x" + hex(flags, 4) + " (made by a newer shz?)");
  info.model_embedded = (flags & kFlagEmbeddedModel) != 0;
  const uint8_t source = h[8];
  if (source != kSourceBuiltin && source != kSourceFile)
    corrupt("corrupt header: unknown model source " + std::to_string(source));
  info.model_is_builtin = source == kSourceBuiltin;
  if (info.model_embedded && info.model_is_builtin) corrupt("corrupt header: a built-in model cannot be embedded");
  const size_t name_len = h[9];
  if (name_len == 0 || name_len > kMaxModelName)
    corrupt("corrupt header: model name length " + std::to_string(name_len) + " outside 1.." +
            std::to_string(kMaxModelName));

  const size_t fixed = name_len + 5 * 8;
  h.resize(10 + fixed);
  r.read_exact(h.data() + 10, fixed);
  const uint8_t* p = h.data() + 10;
  info.model.name.assign(reinterpret_cast<const char*>(p), name_len);
  for (char c : info.model.name)
    if (c < 0x21 || c > 0x7e) corrupt("corrupt header: model name is not printable ASCII");
  p += name_len;
  info.model.hash = get_be64(p);
  info.original_size = get_le64(p + 8);
  info.segment_size = get_le64(p + 16);
  const uint64_t count = get_le64(p + 24);
  info.content_hash = get_be64(p + 32);
  if (info.model_embedded) {
    uint8_t ms[8];
    r.read_exact(ms, 8);
    h.insert(h.end(), ms, ms + 8);
    info.model_size = get_le64(ms);
    if (info.model_size == 0 || info.model_size > kMaxEmbeddedModel)
      corrupt("corrupt header: embedded model size " + std::to_string(info.model_size) + " outside 1..2^32");
  }

  if (info.segment_size == 0 || info.segment_size > kMaxSegmentSize)
    corrupt("corrupt header: segment size " + std::to_string(info.segment_size) + " outside 1.." +
            std::to_string(kMaxSegmentSize));
  const uint64_t expect = info.original_size / info.segment_size + (info.original_size % info.segment_size != 0);
  if (count != expect)
    corrupt("corrupt header: " + std::to_string(count) + " segments cannot hold " +
            std::to_string(info.original_size) + " bytes in segments of " + std::to_string(info.segment_size));

  // The table grows only as its bytes arrive: a forged count cannot force a big allocation.
  uint8_t e[segment_entry_size(kFormatVersion)];  // the largest entry
  const size_t entry = segment_entry_size(info.version);
  for (uint64_t i = 0; i < count; ++i) {
    r.read_exact(e, entry);
    h.insert(h.end(), e, e + entry);
    SegmentInfo s{get_le64(e), get_le64(e + 8), get_be64(e + 16)};
    const uint64_t want = i + 1 < count ? info.segment_size : info.original_size - info.segment_size * i;
    if (s.original_size != want)
      corrupt("corrupt header: segment " + std::to_string(i) + " claims " + std::to_string(s.original_size) +
              " bytes, expected " + std::to_string(want));
    s.method = entry_method(info.version, e, s, i);
    if (!coded_size_valid(info.version, s))
      corrupt("corrupt header: segment " + std::to_string(i) + " has impossible coded size " +
              std::to_string(s.coded_size) + " for method " + segment_method_name(s.method));
    info.segments.push_back(s);
  }
  uint8_t stored[8];
  r.read_exact(stored, 8);
  if (get_be64(stored) != hash_bytes(h.data(), h.size())) corrupt("header checksum mismatch (corrupt header)");
  info.header_size = r.offset();
  return info;
}

}  // namespace shz
