// The LZMA2 segment method (format 3, docs/FORMAT.md "Payload"): a fallback for segments
// the model codes badly (source code or binaries, for a text model). A raw LZMA2 stream, no
// .xz container, primed with up to 1 MiB of the original bytes before the segment (LZMA's
// preset dictionary), so its matches reach back across segment boundaries as whole-file xz
// does; the dictionary size every decoder derives from the lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

// The most original bytes before a segment that prime its LZMA2 dictionary.
constexpr uint64_t kLzmaHistory = uint64_t(1) << 20;

// How many bytes before a segment starting at `offset` prime it: min(offset, 1 MiB).
inline uint64_t lzma_segment_history(uint64_t offset) { return offset < kLzmaHistory ? offset : kLzmaHistory; }

// The dictionary of an LZMA2 segment of `length` bytes primed with `history` bytes:
// min(max(history + length, 4 KiB), 8 MiB). Bounds a decoder's memory whatever the segment size.
uint32_t lzma_segment_dict(uint64_t history, uint64_t length);

// Codes data[0..size), primed with history[0..history_size), into `out` when the result is
// shorter than `limit` bytes; returns false (out unspecified) when it is not. `extreme`
// searches harder (xz's -e: about 1% smaller on source code, several times slower; the
// decoder is the same). Deterministic for a given liblzma.
bool lzma_segment_encode(const uint8_t* history, size_t history_size, const uint8_t* data, size_t size, size_t limit,
                         std::vector<uint8_t>& out, bool extreme = false);

// Decodes payload[0..n), primed with the same history, into exactly `size` bytes; false when
// the payload is not one complete LZMA2 stream of exactly that many bytes (corrupt data).
bool lzma_segment_decode(const uint8_t* history, size_t history_size, const uint8_t* payload, size_t n, size_t size,
                         std::vector<uint8_t>& out);

}  // namespace shz
