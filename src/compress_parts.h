// What both ways of compressing share (compress.cpp: formats 3 to 5; compress_cm.cpp:
// formats 6-7): the LZMA2 alternative for a segment, the header's start, and the archive's
// assembly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "shz/shz.h"

namespace shz {

// LZMA2 for the segment seg[0..n) of `input`, primed with the input before it, when
// shorter than the segment and than `limit` bytes: into `out`, returning true. `extreme`:
// xz's -e search (smaller, slower; the same decoder).
bool lzma_try(const uint8_t* input, const uint8_t* seg, size_t n, std::vector<uint8_t>& out, size_t limit = SIZE_MAX,
              bool extreme = false);

// The header fields known before any segment is coded.
ArchiveInfo archive_info_start(const uint8_t* data, size_t size, uint64_t segment_size, const CompressOptions& opt,
                               const LoadedModel& model);

// The whole archive: info's version, the header, the model when embedded, the payloads (in
// segment order; consumed). An input of up to 8 MiB some of whose segments did not go to
// the model becomes one LZMA2 segment when that is smaller (and no segment size was given).
std::vector<uint8_t> archive_finish(ArchiveInfo& info, const uint8_t* data, size_t size, const CompressOptions& opt,
                                    const LoadedModel& model, std::vector<std::vector<uint8_t>>& payloads);

// One archive frame of data[0..size) (compress.cpp): compress() of an input up to the
// frame size, and each frame of a longer one.
std::vector<uint8_t> compress_frame(const uint8_t* data, size_t size, const CompressOptions& opt);

// Formats 6-7 (compress_cm.cpp): compress_frame() when opt.level > 0.
std::vector<uint8_t> compress_cm(const uint8_t* data, size_t size, const CompressOptions& opt,
                                 const std::shared_ptr<const LoadedModel>& model);

// The block (segment) size formats 6-7 use at `level` for an input of `size` bytes, and the
// lane size for a block of `block` bytes (0: one lane).
uint64_t cm_block_size(int level, uint64_t size);
size_t cm_lane_size(int level, size_t block);

}  // namespace shz
