// The long-range match model of the context-mixing model (docs/FORMAT.md, "Context mixing:
// matches"): a finder remembers, by a hash of the last `min_len` bytes of a lane, where those
// bytes last ended in the block (any lane), and while the bytes since agree it expects the
// byte that followed there. Two finders (6 and 16 bytes) see short and long repeats; the
// mixer learns by the match's length how far to trust each expected bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shz::cm {

// A lane's current match with one finder: the position of the byte it expects, and its
// length (0: none).
struct LaneMatch {
  uint32_t ptr = 0, len = 0;
};

class MatchFinder {
 public:
  static constexpr uint32_t kMaxLength = 65535;
  static constexpr uint32_t kMaxVerify = 48;  // a new match's length is counted back this far at most

  // min_len 0 turns the finder off; its table has 2^bits entries.
  void reset(int min_len, int bits);
  bool on() const { return min_len_ > 0; }
  // Learns byte b at block position pos, the lane's byte number t, its lane starting at
  // lane_start (lanes of lane_size bytes): the match follows on or ends; a lane without one
  // looks for the latest earlier occurrence of its last min_len bytes, checked byte by
  // byte within its lane and the candidate's; then the table remembers this one.
  void learn(LaneMatch& m, const uint8_t* buf, size_t pos, size_t t, size_t lane_size, uint8_t b);

 private:
  std::vector<uint32_t> table_;  // hash of min_len bytes -> 1 + the position just after them
  int min_len_ = 0, bits_ = 0;
};

// The bucket of a match length for the mixer's selector and the StateMap: 0 (none), then
// 1..15 growing about logarithmically past 8.
int match_length_bucket(uint32_t len);

}  // namespace shz::cm
