// Decoding one archive frame (decompress.cpp), for the stream-level code (stream_decode.cpp)
// that walks frames, checks seek indexes and picks the frames a byte range needs.
#pragma once

#include <cstdint>

#include "format.h"
#include "shz/shz.h"

namespace shz {

// Decodes the frame whose header `info` was just parsed from `r`, writing its bytes to
// `out`, each segment only after its checksum matched; `before` original bytes came before
// it in the stream (for progress).
void frame_decode(ArchiveReader& r, const ArchiveInfo& info, const WriteFn& out, const DecompressOptions& opt,
                  uint64_t before);

// Reads (and discards) what follows a frame's header: its embedded model and payloads.
void frame_skip(ArchiveReader& r, const ArchiveInfo& info);

}  // namespace shz
