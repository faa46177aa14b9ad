#include "match_finder.h"

#include "hashing.h"

namespace shz::cm {

void MatchFinder::reset(int min_len, int bits) {
  min_len_ = min_len;
  bits_ = bits;
  table_.assign(min_len ? size_t(1) << bits : 0, 0);
}

void MatchFinder::learn(LaneMatch& m, const uint8_t* buf, size_t pos, size_t t, size_t lane_size, uint8_t b) {
  if (!on()) return;
  if (m.len > 0) {
    if (buf[m.ptr] == b && m.len < kMaxLength) {
      ++m.len;
      ++m.ptr;
    } else {
      m.len = 0;
    }
  }
  if (t + 1 < size_t(min_len_)) return;
  uint32_t h = uint32_t(min_len_) * kPhi;
  for (int i = 0; i < min_len_; ++i) h = (h ^ buf[pos - size_t(i)]) * kPhi;
  uint32_t& slot = table_[fmix(h) >> (32 - bits_)];
  if (m.len == 0 && slot != 0) {
    const size_t cand = slot;  // the position after the earlier occurrence
    const size_t cand_lane_start = (cand - 1) / lane_size * lane_size;
    uint32_t n = 0;
    while (n < kMaxVerify && n <= t && cand - 1 >= cand_lane_start + n && buf[cand - 1 - n] == buf[pos - n]) ++n;
    if (n >= uint32_t(min_len_)) {
      m.len = n;
      m.ptr = uint32_t(cand);
    }
  }
  slot = uint32_t(pos + 1);
}

int match_length_bucket(uint32_t len) {
  if (len < 8) return int(len);
  if (len < 16) return 8 + int((len - 8) >> 2);
  if (len < 32) return 10 + int((len - 16) >> 3);
  if (len < 64) return 12;
  if (len < 256) return 13;
  if (len < 1024) return 14;
  return 15;
}

}  // namespace shz::cm
