// The LZMA2 segment method (format 3, docs/FORMAT.md "Payload"): a fallback for segments
// the model codes badly (source code or binaries for a text model). A raw LZMA2 stream,
// no .xz container, with a dictionary size every decoder derives from the segment length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

// The dictionary an LZMA2 segment of `length` bytes is coded and decoded with:
// min(max(length, 4 KiB), 8 MiB). Bounds a decoder's memory whatever the segment size.
uint32_t lzma_segment_dict(uint64_t length);

// Codes data[0..size) into `out` when the result is shorter than `limit` bytes; returns
// false (out unspecified) when it is not. Deterministic for a given liblzma.
bool lzma_segment_encode(const uint8_t* data, size_t size, size_t limit, std::vector<uint8_t>& out);

// Decodes payload[0..n) into exactly `size` bytes; false when the payload is not one
// complete LZMA2 stream of exactly that many bytes (corrupt data).
bool lzma_segment_decode(const uint8_t* payload, size_t n, size_t size, std::vector<uint8_t>& out);

}  // namespace shz
