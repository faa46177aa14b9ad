// Range coder driven by integer frequency tables (byte-oriented, carry-propagating).
//
// READ ME FIRST (the invariants are in coder/RANGE_CODING.md, the proofs there too):
//  * The coder never sees a probability, only integers: for each symbol the model gives
//    `start` (cumulative frequency of the symbols below it), `freq` (>= 1) and the total,
//    which must be 2^total_bits with 1 <= total_bits <= kMaxTotalBits. Encoder and decoder
//    must be handed exactly the same integers or the stream desynchronises.
//  * State: `low` is a 57-bit number (56 bits + one carry bit) held in a uint64_t; `range`
//    stays in [2^48, 2^56) after every normalisation. With total <= 2^24 the quotient
//    r = range >> total_bits is >= 2^24, so truncating the range to r * total wastes less
//    than 2^-24 of it: the overhead is far below 0.1% even for near-certain symbols.
//  * A carry out of `low` can ripple into bytes already produced. As in LZMA, we hold back
//    one byte (`cache_`) plus a run of 0xFF bytes (`pending_ff_`) until the carry is known.
//  * The first byte written is always 0 (the initial cache); the decoder reads it like any other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz {

constexpr int kMaxTotalBits = 24;

class RangeEncoder {
 public:
  explicit RangeEncoder(std::vector<uint8_t>& out) : out_(out) {}

  // Codes one symbol occupying [start, start + freq) out of 2^total_bits.
  // Preconditions: freq >= 1, start + freq <= 2^total_bits, 1 <= total_bits <= kMaxTotalBits.
  void encode(uint32_t start, uint32_t freq, int total_bits) {
    const uint64_t r = range_ >> total_bits;
    low_ += r * start;
    range_ = r * freq;
    while (range_ < kBottom) {
      range_ <<= 8;
      shift_low();
    }
  }

  // Writes the bytes that pin `low` down. Call once, after the last symbol.
  void finish() {
    for (int i = 0; i < 8; ++i) shift_low();
  }

 private:
  static constexpr uint64_t kTop = uint64_t(1) << 56;
  static constexpr uint64_t kBottom = uint64_t(1) << 48;

  // Moves the top byte of the 56-bit `low` out, resolving a pending carry if there is one.
  void shift_low() {
    const bool carry = (low_ >> 56) != 0;
    if (carry || (low_ >> 48) != 0xFF) {
      const uint8_t c = carry ? 1 : 0;
      if (have_cache_) out_.push_back(uint8_t(cache_ + c));
      for (; pending_ff_ > 0; --pending_ff_) out_.push_back(uint8_t(0xFF + c));
      cache_ = uint8_t(low_ >> 48);
      have_cache_ = true;
    } else {
      ++pending_ff_;  // 0xFF may still become 0x00 with a carry: hold it back.
    }
    low_ = (low_ & (kBottom - 1)) << 8;
  }

  std::vector<uint8_t>& out_;
  uint64_t low_ = 0;
  uint64_t range_ = kTop - 1;
  uint8_t cache_ = 0;
  bool have_cache_ = true;  // the initial cache is a real 0 byte (see READ ME FIRST)
  uint64_t pending_ff_ = 0;
};

class RangeDecoder {
 public:
  // Decodes from [data, data + size). Reading past the end yields zero bytes and is
  // counted; a valid stream never reads more than its own length.
  RangeDecoder(const uint8_t* data, size_t size) : p_(data), end_(data + size) {
    for (int i = 0; i < 8; ++i) code_ = (code_ << 8) | next_byte();
  }

  // Returns the cumulative value the next symbol's interval contains, in [0, 2^total_bits).
  // A corrupt stream can point past the table; the value is clamped so the caller's
  // symbol search stays in bounds (the segment checksum reports the corruption).
  uint32_t peek(int total_bits) {
    r_ = range_ >> total_bits;
    const uint64_t v = code_ / r_;
    const uint64_t top = (uint64_t(1) << total_bits) - 1;
    return uint32_t(v > top ? top : v);
  }

  // Decodes a binary decision coded as [0, p1) for 1 and [p1, 2^total_bits) for 0
  // (0 < p1 < 2^total_bits): the same as peek(total_bits) < p1 followed by the matching
  // consume(), without peek's division (floor(code / r) < p1 exactly when code < r * p1).
  int decode_bit(uint32_t p1, int total_bits) {
    r_ = range_ >> total_bits;
    if (code_ < r_ * p1) {
      consume(0, p1);
      return 1;
    }
    consume(p1, (uint32_t(1) << total_bits) - p1);
    return 0;
  }

  // Consumes the symbol [start, start + freq) found from peek()'s value.
  void consume(uint32_t start, uint32_t freq) {
    code_ -= r_ * start;
    range_ = r_ * freq;
    if (code_ >= range_) {  // only possible in a corrupt stream; keep state sane
      code_ = range_ - 1;
      corrupt_ = true;
    }
    while (range_ < kBottom) {
      code_ = (code_ << 8) | next_byte();
      range_ <<= 8;
    }
  }

  // Bytes requested beyond the end of the input (0 for a valid stream).
  uint64_t overrun() const { return overrun_; }
  // True when the stream was found inconsistent (a bit error in the payload).
  bool corrupt() const { return corrupt_; }
  // After the last symbol: true when the input ended exactly where the encoder's finish()
  // put its end. The encoder flushes `low` itself, so a valid stream leaves code == 0 with
  // every byte consumed; any altered byte, even in the flush, breaks one of the two.
  bool finished_cleanly() const { return code_ == 0 && overrun_ == 0 && p_ == end_ && !corrupt_; }

 private:
  static constexpr uint64_t kTop = uint64_t(1) << 56;
  static constexpr uint64_t kBottom = uint64_t(1) << 48;

  uint8_t next_byte() {
    if (p_ < end_) return *p_++;
    ++overrun_;
    return 0;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t code_ = 0;
  uint64_t range_ = kTop - 1;
  uint64_t r_ = 0;
  uint64_t overrun_ = 0;
  bool corrupt_ = false;
};

}  // namespace shz
