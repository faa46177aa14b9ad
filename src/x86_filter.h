// x86 branch conversion (BCJ): the 32-bit displacements of CALL (E8) and JMP (E9)
// instructions rewritten as absolute addresses, so the same target called from many places
// is the same four bytes everywhere and the context models see the repeats. The filter is
// liblzma's (xz's x86 BCJ filter, start offset 0); since liblzma 5.4 only runs filters
// ahead of LZMA1/LZMA2, the filtered bytes are recovered by undoing a fast LZMA2 pass
// (see x86_filter.cpp). The transform depends on the bytes alone: every liblzma gives the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

// Whether data looks like x86 machine code: enough CALL/JMP opcodes whose displacement
// reaches less than 16 MiB either way (top byte 00 or FF), as compiled code has and text has not.
bool x86_filter_looks_useful(const uint8_t* data, size_t size);

// The filtered (encode) or restored (decode) bytes of data[0..size), same length, into out.
// Throws std::runtime_error only when liblzma fails (out of memory).
void x86_filter_encode(const uint8_t* data, size_t size, std::vector<uint8_t>& out);
void x86_filter_decode(const uint8_t* data, size_t size, std::vector<uint8_t>& out);

}  // namespace shz
