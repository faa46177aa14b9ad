// Coding symbols with pmfs the caller supplies (the Python module's Encoder and Decoder):
// integer frequencies summing to 2^k (k <= kMaxTotalBits) over any alphabet up to 2^16,
// and the rule that turns float probabilities into such frequencies. The range coder is
// shz's own (range_coder.h); a stream is its bytes, nothing else.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coder/range_coder.h"
#include "shz/shz.h"

namespace shz {

constexpr size_t kMaxUserAlphabet = size_t(1) << 16;

// log2 of a frequency table's total, which must be a power of two in 2^1..2^24 with the
// alphabet in 1..2^16; throws Error(kUsage) naming what is wrong.
inline int user_pmf_bits(const uint32_t* f, size_t n) {
  if (n == 0 || n > kMaxUserAlphabet) throw Error(ErrorCode::kUsage, "alphabet size " + std::to_string(n) + " outside 1..65536");
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += f[i];
  int bits = 0;
  while ((uint64_t(1) << bits) < total) ++bits;
  if (total < 2 || (uint64_t(1) << bits) != total || bits > kMaxTotalBits)
    throw Error(ErrorCode::kUsage, "frequencies sum to " + std::to_string(total) + ", not a power of two in 2..2^24");
  return bits;
}

// Probabilities p[0..n) (finite, >= 0, not all 0) to frequencies summing to 2^bits, each at
// least 1 (so every symbol stays codable): f[i] = 1 + floor(p[i] / s * (2^bits - n)) in IEEE
// double arithmetic, s the sum of p in index order; what is left goes to the first largest
// p (and, should rounding overshoot, is taken from it). Deterministic on every IEEE-754
// machine: no step depends on the order of anything but the index.
inline void pmf_quantize(const double* p, size_t n, int bits, uint32_t* f) {
  if (bits < 1 || bits > kMaxTotalBits) throw Error(ErrorCode::kUsage, "bits must be 1..24");
  const uint64_t total = uint64_t(1) << bits;
  if (n == 0 || n > kMaxUserAlphabet || n > total)
    throw Error(ErrorCode::kUsage, "alphabet size " + std::to_string(n) + " outside 1..min(65536, 2^bits)");
  double s = 0;
  size_t top = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(p[i]) || p[i] < 0) throw Error(ErrorCode::kUsage, "probabilities must be finite and >= 0");
    s += p[i];
    if (p[i] > p[top]) top = i;
  }
  if (!(s > 0) || !std::isfinite(s)) throw Error(ErrorCode::kUsage, "probabilities sum to 0");
  const double spare = double(total - n);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    f[i] = 1 + uint32_t(std::floor(p[i] / s * spare));
    sum += f[i];
  }
  if (sum <= total) f[top] += uint32_t(total - sum);
  for (size_t i = 0; sum > total; i = (i + 1) % n)  // rounding overshoot: at most a few
    if (f[i] > 1) --f[i], --sum;
}

class UserEncoder {
 public:
  UserEncoder() : enc_(out_) {}
  UserEncoder(const UserEncoder&) = delete;
  UserEncoder(UserEncoder&& o) = delete;
  void encode(int64_t symbol, const uint32_t* f, size_t n) {
    if (done_) throw Error(ErrorCode::kUsage, "the encoder was finished");
    const int bits = user_pmf_bits(f, n);
    if (symbol < 0 || uint64_t(symbol) >= n || f[symbol] == 0)
      throw Error(ErrorCode::kUsage, "symbol " + std::to_string(symbol) + " has no probability in its pmf");
    uint32_t start = 0;
    for (int64_t i = 0; i < symbol; ++i) start += f[i];
    enc_.encode(start, f[symbol], bits);
    bits_ += double(bits) - std::log2(double(f[symbol]));
  }
  std::vector<uint8_t> finish() {
    if (!done_) enc_.finish();
    done_ = true;
    return out_;
  }
  double bits() const { return bits_; }

 private:
  std::vector<uint8_t> out_;
  RangeEncoder enc_;
  double bits_ = 0;
  bool done_ = false;
};

class UserDecoder {
 public:
  explicit UserDecoder(std::vector<uint8_t> data) : data_(std::move(data)), dec_(data_.data(), data_.size()) {}
  UserDecoder(UserDecoder&& o) noexcept : data_(std::move(o.data_)), dec_(data_.data(), data_.size()) {}
  int64_t decode(const uint32_t* f, size_t n) {
    const int bits = user_pmf_bits(f, n);
    const uint32_t v = dec_.peek(bits);
    uint32_t start = 0;
    size_t s = 0;
    while (start + f[s] <= v) start += f[s++];  // v < 2^bits: some symbol holds it
    dec_.consume(start, f[s]);
    if (dec_.corrupt() || dec_.overrun() > 8) throw Error(ErrorCode::kInput, "the coded stream is corrupt or too short");
    return int64_t(s);
  }
  bool finished_cleanly() const { return dec_.finished_cleanly(); }

 private:
  std::vector<uint8_t> data_;
  RangeDecoder dec_;
};

}  // namespace shz
