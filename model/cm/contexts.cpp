#include "contexts.h"

#include <algorithm>

#include "hashing.h"

namespace shz::cm {
namespace {

struct KindCount {
  Ctx flag;
  int count;  // contexts it adds
};
constexpr KindCount kKinds[] = {
    {kOrder0, 1},   {kOrder1, 1},   {kOrder2, 1}, {kOrder3, 1}, {kOrder4, 1},   {kOrder5, 1},
    {kOrder6, 1},   {kOrder8, 1},   {kWord, 1},   {kWordPair, 1}, {kSparse, 3}, {kColumn, 2},
    {kIndirect, 2}, {kRecord, 2},   {kWordText, 1}, {kWordSkip, 2}, {kSparse2, 4}, {kRecord2D, 1}, {kMarkup, 1},
};

}  // namespace

std::vector<Ctx> context_kinds(uint32_t contexts) {
  std::vector<Ctx> kinds;
  for (const KindCount& k : kKinds)
    if (contexts & k.flag)
      for (int i = 0; i < k.count; ++i) kinds.push_back(k.flag);
  return kinds;
}

void LaneHistory::learn(uint8_t b) {
  // Markup: '<' opens a tag, whose name (letters, digits, '/') is hashed until the first
  // other byte; '>' closes it.
  if (b == '<') {
    in_tag = true;
    tag_name = 1;
  } else if (tag_name && (word_char(b) || b == '/' || (b >= '0' && b <= '9'))) {
    tag_name = (tag_name ^ b) * kPhi + 1;
  } else if (tag_name) {
    tag = tag_name;
    tag_name = 0;
  }
  if (b == '>') {
    if (tag_name) tag = tag_name;
    in_tag = false;
    tag_name = 0;
  }
  // Words: letters extend the current word; anything else ends it.
  if (const uint32_t w = word_char(b)) {
    word0 = (word0 ^ w) * kPhi + 1;
  } else if (word0) {
    word2 = word1;
    word1 = word0;
    word0 = 0;
  }
  // Lines.
  if (b == '\n') {
    prev_line = line;
    prev_len = t + 1 - line;
    has_prev_line = true;
    line = t + 1;
  }
  // Records: a byte value seen at four equal distances suggests a record of that length;
  // a candidate seen more than 16 times (before the other candidate replaced it) becomes
  // the record length.
  const uint32_t now = uint32_t(t + 1);
  const uint32_t r = now - cpos[0][b];
  if (cpos[3][b] && r > 1 && r == cpos[0][b] - cpos[1][b] && r == cpos[1][b] - cpos[2][b] &&
      r == cpos[2][b] - cpos[3][b]) {
    if (r == rlen1) {
      ++rcount1;
    } else if (r == rlen2) {
      ++rcount2;
    } else if (rcount1 > rcount2) {
      rlen2 = r;
      rcount2 = 1;
    } else {
      rlen1 = r;
      rcount1 = 1;
    }
    if (rcount1 > 16 && rlen != rlen1) {
      rlen = rlen1;
      rcount1 = rcount2 = 0;
    }
    if (rcount2 > 16 && rlen != rlen2) {
      rlen = rlen2;
      rcount1 = rcount2 = 0;
    }
  }
  if (b != 0 && b != 255 && cpos[1][b] && r >= 8 && r == cpos[0][b] - cpos[1][b]) {
    if (r == icand) {
      icount = std::min<uint32_t>(icount + 1, 32);
    } else if (icount <= 1) {
      icand = r;
      icount = 1;
    } else {
      --icount;
    }
    if (icount > 8) ilen = icand;
  }
  cpos[3][b] = cpos[2][b];
  cpos[2][b] = cpos[1][b];
  cpos[1][b] = cpos[0][b];
  cpos[0][b] = now;
  hist = hist << 8 | b;
  ++t;
}

void context_hashes(const LaneHistory& l, const uint8_t* lane, const Indirect& ind, const std::vector<Ctx>& kinds,
                    size_t from, uint32_t* h) {
  const uint64_t h8 = l.hist;
  const uint32_t c1 = l.c1(), c2 = l.c2();
  const uint32_t col = uint32_t(std::min<size_t>(l.t - l.line, 255));
  uint32_t above = 0;
  if (l.has_prev_line && l.t - l.line < l.prev_len) above = lane[l.prev_line + (l.t - l.line)];
  uint32_t r1 = 0, r2 = 0;
  if (l.rlen && l.t >= l.rlen) r1 = lane[l.t - l.rlen];
  if (l.rlen && l.t >= 2 * l.rlen) r2 = lane[l.t - 2 * l.rlen];
  int sparse = 0, column = 0, indirect = 0, record = 0, skip = 0, sparse2 = 0;
  const uint32_t c3 = uint32_t(h8 >> 16 & 255), c4 = uint32_t(h8 >> 24 & 255);
  const uint32_t rcol = l.rlen ? uint32_t(l.t % l.rlen) : 0;
  for (size_t k = from; k < kinds.size(); ++k) {
    uint32_t v = 0;
    switch (kinds[k]) {
      case kOrder2: v = hash_ctx(2, h8 & 0xFFFF); break;
      case kOrder3: v = hash_ctx(3, h8 & 0xFFFFFF); break;
      case kOrder4: v = hash_ctx(4, h8 & 0xFFFFFFFF); break;
      case kOrder5: v = hash_ctx(5, h8 & 0xFFFFFFFFFF); break;
      case kOrder6: v = hash_ctx(6, h8 & 0xFFFFFFFFFFFF); break;
      case kOrder8: v = hash_ctx(8, h8); break;
      case kWord: v = l.word0 ? hash_ctx(9, l.word0, 0) : hash_ctx(9, 0, c1 + 1); break;
      case kWordPair: v = hash_ctx(10, l.word0, l.word1); break;
      case kWordText: v = hash_ctx(11, l.word1 + l.word2 * kPhi, c1); break;
      case kWordSkip:
        v = skip == 0 ? hash_ctx(21, l.word0, l.word2) : hash_ctx(22, l.word1, l.word2 + c1 * kPhi);
        ++skip;
        break;
      case kSparse:
        if (sparse == 0) v = hash_ctx(12, uint32_t(h8 >> 8 & 0xFFFF), 0);
        if (sparse == 1) v = hash_ctx(13, uint32_t(h8 & 0xFF) | uint32_t(h8 >> 8 & 0xFF00), 0);
        if (sparse == 2) v = hash_ctx(14, uint32_t(h8 >> 24 & 0xFF), uint32_t(h8 >> 32 & 0xFF));
        ++sparse;
        break;
      case kColumn:
        v = column == 0 ? hash_ctx(15, above, col) : hash_ctx(16, above, c1);
        ++column;
        break;
      case kIndirect:
        v = indirect == 0 ? hash_ctx(17, c1, ind.after1[c1]) : hash_ctx(18, c2 << 8 | c1, ind.after2[c2 << 8 | c1]);
        ++indirect;
        break;
      case kRecord:
        v = record == 0 ? hash_ctx(19, r1 << 8 | c1, l.rlen) : hash_ctx(20, r1 << 8 | r2, l.rlen);
        ++record;
        break;
      case kSparse2:
        if (sparse2 == 0) v = hash_ctx(23, c2, 0);
        if (sparse2 == 1) v = hash_ctx(24, c1 | c4 << 8, 0);
        if (sparse2 == 2) v = hash_ctx(25, (c1 & 0xF0) | (c2 & 0xF0) << 8 | (c3 & 0xF0) << 16, 0);
        if (sparse2 == 3) v = hash_ctx(26, rcol, l.rlen + (c1 << 24));
        ++sparse2;
        break;
      case kRecord2D: {
        uint32_t al = 0, ar = 0;
        if (l.rlen && l.t >= l.rlen + 1) al = lane[l.t - l.rlen - 1];
        if (l.rlen && l.t >= l.rlen) ar = lane[l.t - l.rlen + 1];
        v = hash_ctx(27, al | r1 << 8 | ar << 16, l.rlen);
        break;
      }
      case kMarkup: v = hash_ctx(28, l.tag, c1 | uint32_t(l.in_tag) << 8 | c2 << 9); break;
      default: break;
    }
    h[k] = v;
  }
}

}  // namespace shz::cm
