#include "bit_history.h"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace shz::cm {
namespace {

// The larger count's bound for a smaller count of 0..5 (none past 5).
constexpr int kCap[6] = {47, 23, 13, 8, 6, 5};

struct Counts {
  int n0, n1, last;  // last: 0, 1, or 2 when not recorded
  bool operator<(const Counts& o) const { return std::tie(n0, n1, last) < std::tie(o.n0, o.n1, o.last); }
};

// The last bit is told apart only while both counts are small and nonzero: there it says
// most (a context that alternated, or just turned); beyond, the counts say enough.
bool records_last(int n0, int n1) { return n0 >= 1 && n1 >= 1 && n0 + n1 <= 7; }

Counts successor(Counts s, int y) {
  int& same = y ? s.n1 : s.n0;
  int& other = y ? s.n0 : s.n1;
  ++same;
  if (other > 2) other = other / 2 + 1;
  // Into bounds: the smaller count at most 5, and it caps the larger.
  int& lo = s.n0 <= s.n1 ? s.n0 : s.n1;
  int& hi = s.n0 <= s.n1 ? s.n1 : s.n0;
  lo = std::min(lo, 5);
  hi = std::min(hi, kCap[lo]);
  s.last = records_last(s.n0, s.n1) ? y : 2;
  return s;
}

BitHistoryTable build() {
  BitHistoryTable t{};
  std::map<Counts, int> index;
  std::vector<Counts> states;
  auto add = [&](Counts c) {
    auto it = index.find(c);
    if (it != index.end()) return it->second;
    const int i = int(states.size());
    index.emplace(c, i);
    states.push_back(c);
    return i;
  };
  add(Counts{0, 0, 2});
  // Breadth first from "nothing seen", bit 0 before bit 1: a fixed numbering.
  for (size_t i = 0; i < states.size(); ++i)
    for (int y = 0; y < 2; ++y) {
      const int j = add(successor(states[i], y));
      if (j > 255) throw std::logic_error("bit history: more than 256 states");
      t.next[i][y] = uint8_t(j);
    }
  t.count = int(states.size());
  for (int i = 0; i < t.count; ++i) {
    t.n0[i] = uint8_t(states[i].n0);
    t.n1[i] = uint8_t(states[i].n1);
    t.last[i] = uint8_t(states[i].last);
    t.total[i] = uint8_t(std::min(states[i].n0 + states[i].n1, 255));
  }
  return t;
}

}  // namespace

const BitHistoryTable& bit_history() {
  static const BitHistoryTable t = build();
  return t;
}

}  // namespace shz::cm
