#include "format.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "model/cm/cm_config.h"
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

static_assert(5 + cm::kCmRevision == kFormatVersion, "the newest format is the newest CM revision's");

unsigned format_version_for(const std::vector<SegmentInfo>& segments) {
  unsigned v = 3;
  for (const SegmentInfo& s : segments) {
    // Context mixing's revision r is format 5 + r (docs/FORMAT.md, "Revisions").
    if (s.method == SegmentMethod::kCm || s.method == SegmentMethod::kCmModel) v = std::max(v, 5u + cm::kCmRevision);
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
  size_t got = std::min(n, ahead_n_);
  std::copy(ahead_, ahead_ + got, buf);
  std::copy(ahead_ + got, ahead_ + ahead_n_, ahead_);
  ahead_n_ -= got;
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
  if (ahead_n_ > 0) return false;
  if (in_(ahead_, 1) == 0) return true;
  ahead_n_ = 1;
  return false;
}

size_t ArchiveReader::peek4(uint8_t out[4]) {
  while (ahead_n_ < 4) {
    const size_t k = in_(ahead_ + ahead_n_, 4 - ahead_n_);
    if (k == 0) break;
    ahead_n_ += k;
  }
  std::copy(ahead_, ahead_ + ahead_n_, out);
  return ahead_n_;
}

ArchiveInfo header_parse(ArchiveReader& r) {
  std::vector<uint8_t> h(10);  // every header byte read, for the header checksum
  const uint64_t start = r.offset();  // where this frame begins in the stream
  const size_t got = r.read_some(h.data(), 4);
  if (got == 0) corrupt("not a shz archive (empty input)");
  if (got < 4 || std::memcmp(h.data(), kMagic, 4) != 0) corrupt("not a shz archive (bad magic number)");

  // The header checksum is checked before what the fields say: a flipped bit in the version
  // or the flags is damage, not an archive from a newer shz. So a field's problem is only
  // noted here and reported once the checksum has matched (or the header ended early). Only
  // the fields that say where the checksum lies (name length, flags bit 0, segment count and
  // the sizes it must agree with) are trusted as read; an unknown version is read in the
  // newest layout.
  std::string problem;
  auto note = [&problem](const std::string& what) {
    if (problem.empty()) problem = what;
  };
  auto read = [&](uint8_t* buf, size_t n) {
    try {
      r.read_exact(buf, n);
    } catch (const Error&) {
      if (!problem.empty()) corrupt(problem);  // cut short: the field's problem says more
      throw;
    }
  };
  read(h.data() + 4, 2);
  ArchiveInfo info;
  info.version = get_le16(h.data() + 4);
  const bool known_version = info.version >= kOldestFormatVersion && info.version <= kFormatVersion;
  if (!known_version)
    note("unsupported format version " + std::to_string(info.version) + " (this shz reads versions " +
         std::to_string(kOldestFormatVersion) + " to " + std::to_string(kFormatVersion) + "; made by a newer shz?)");
  const unsigned layout = known_version ? info.version : kFormatVersion;
  read(h.data() + 6, 4);
  const uint16_t flags = get_le16(h.data() + 6);
  if (flags & ~kFlagEmbeddedModel) note("unsupported header flags 0x" + hex(flags, 4) + " (made by a newer shz?)");
  info.model_embedded = (flags & kFlagEmbeddedModel) != 0;
  const uint8_t source = h[8];
  if (source != kSourceBuiltin && source != kSourceFile)
    note("corrupt header: unknown model source " + std::to_string(source));
  info.model_is_builtin = source == kSourceBuiltin;
  if (info.model_embedded && info.model_is_builtin) note("corrupt header: a built-in model cannot be embedded");
  const size_t name_len = h[9];
  if (name_len == 0 || name_len > kMaxModelName)
    note("corrupt header: model name length " + std::to_string(name_len) + " outside 1.." +
         std::to_string(kMaxModelName));

  const size_t fixed = name_len + 5 * 8;
  h.resize(10 + fixed);
  read(h.data() + 10, fixed);
  const uint8_t* p = h.data() + 10;
  info.model.name.assign(reinterpret_cast<const char*>(p), name_len);
  for (char c : info.model.name)
    if (c < 0x21 || c > 0x7e) {
      note("corrupt header: model name is not printable ASCII");
      break;
    }
  p += name_len;
  info.model.hash = get_be64(p);
  info.original_size = get_le64(p + 8);
  info.segment_size = get_le64(p + 16);
  const uint64_t count = get_le64(p + 24);
  info.content_hash = get_be64(p + 32);
  if (info.model_embedded) {
    uint8_t ms[8];
    read(ms, 8);
    h.insert(h.end(), ms, ms + 8);
    info.model_size = get_le64(ms);
    if (info.model_size == 0 || info.model_size > kMaxEmbeddedModel)
      note("corrupt header: embedded model size " + std::to_string(info.model_size) + " outside 1..2^32");
  }

  // Where the checksum lies depends on these: a problem here is reported at once.
  if (info.segment_size == 0 || info.segment_size > kMaxSegmentSize)
    corrupt("corrupt header: segment size " + std::to_string(info.segment_size) + " outside 1.." +
            std::to_string(kMaxSegmentSize));
  const uint64_t expect = info.original_size / info.segment_size + (info.original_size % info.segment_size != 0);
  if (count != expect)
    corrupt("corrupt header: " + std::to_string(count) + " segments cannot hold " +
            std::to_string(info.original_size) + " bytes in segments of " + std::to_string(info.segment_size));

  // The table grows only as its bytes arrive: a forged count cannot force a big allocation.
  uint8_t e[segment_entry_size(kFormatVersion)];  // the largest entry
  const size_t entry = segment_entry_size(layout);
  for (uint64_t i = 0; i < count; ++i) {
    read(e, entry);
    h.insert(h.end(), e, e + entry);
    SegmentInfo s{get_le64(e), get_le64(e + 8), get_be64(e + 16)};
    const uint64_t want = i + 1 < count ? info.segment_size : info.original_size - info.segment_size * i;
    if (s.original_size != want)
      corrupt("corrupt header: segment " + std::to_string(i) + " claims " + std::to_string(s.original_size) +
              " bytes, expected " + std::to_string(want));
    try {
      s.method = entry_method(layout, e, s, i);
      if (!coded_size_valid(layout, s))
        note("corrupt header: segment " + std::to_string(i) + " has impossible coded size " +
             std::to_string(s.coded_size) + " for method " + segment_method_name(s.method));
    } catch (const Error& err) {
      note(err.what());
    }
    info.segments.push_back(s);
  }
  uint8_t stored[8];
  read(stored, 8);
  if (get_be64(stored) != hash_bytes(h.data(), h.size())) corrupt("header checksum mismatch (corrupt header)");
  if (!problem.empty()) corrupt(problem);
  info.header_size = r.offset() - start;
  return info;
}

}  // namespace shz
