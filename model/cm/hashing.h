// The hashes of the context-mixing model (docs/FORMAT.md, "Context mixing: hashes"): 32-bit,
// integer only, the same on every machine.
#pragma once

#include <cstdint>

namespace shz::cm {

constexpr uint32_t kPhi = 0x9E3779B1u;  // 2^32 / golden ratio

// MurmurHash3's 32-bit finaliser: every input bit moves about half of the output bits, so
// both a bucket's index (top bits) and its check (low bits) are well spread.
constexpr uint32_t fmix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

// A context of kind `kind` (each context its own number, so that equal values of two
// contexts do not meet) and value v of up to 64 bits, or two 32-bit values a and b.
constexpr uint32_t hash_ctx(uint32_t kind, uint64_t v) {
  return fmix(uint32_t(v) * kPhi + fmix(uint32_t(v >> 32) + kind * 0x632BE5ABu));
}
constexpr uint32_t hash_ctx(uint32_t kind, uint32_t a, uint32_t b) {
  return fmix(fmix(a + kind * 0x632BE5ABu) + b * kPhi);
}

// The bucket of a context with hash h for nibble `nib` of the byte: 0 for the first, 1 + the
// first nibble's value for the second.
constexpr uint32_t bucket_hash(uint32_t h, uint32_t nib) { return nib == 0 ? h : fmix(h + nib * kPhi); }

}  // namespace shz::cm
