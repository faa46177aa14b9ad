// The contexts of the context-mixing model (docs/FORMAT.md, "Context mixing: contexts"):
// what each lane remembers of its own bytes (the last eight, its words, its lines, the
// length of its records), what all lanes share of the bytes seen after each byte or pair
// (indirect contexts), and the hash of every context the block's config names for the
// lane's next byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cm_config.h"

namespace shz::cm {

constexpr int kMaxContexts = 32;

// A letter for the word contexts: ASCII letters (upper case folded) and every byte >= 128
// (UTF-8 of other scripts); 0 for anything else.
inline uint32_t word_char(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32u;
  if ((c >= 'a' && c <= 'z') || c >= 128) return c;
  return 0;
}

// The two bytes that followed the last occurrences of each byte and of each pair of bytes,
// in any lane: the indirect contexts. Shared, learnt in coding order.
struct Indirect {
  uint16_t after1[256] = {};
  std::vector<uint16_t> after2 = std::vector<uint16_t>(65536, 0);
  void learn(uint32_t c2, uint32_t c1, uint8_t b) {
    after1[c1] = uint16_t(after1[c1] << 8 | b);
    after2[c2 << 8 | c1] = uint16_t(after2[c2 << 8 | c1] << 8 | b);
  }
};

// One lane's own history (bytes before the lane's start count as 0).
struct LaneHistory {
  size_t t = 0;               // bytes coded so far
  uint64_t hist = 0;          // the last 8 bytes, the latest in the low byte
  uint32_t word0 = 0, word1 = 0, word2 = 0;  // hashes of the word being written and the two before (0: none)
  size_t line = 0;            // offset of the current line's first byte
  size_t prev_line = 0, prev_len = 0;  // the previous line's first byte and length
  bool has_prev_line = false;
  // Records: the last four offsets (+1) of each byte value, two candidate lengths with their
  // counts, and the length in use (0: none).
  uint32_t cpos[4][256] = {};
  uint32_t rlen = 0, rlen1 = 0, rcount1 = 0, rlen2 = 0, rcount2 = 0;
  // Bitmap rows (revision 5): a byte other than 0 and 255 seen twice at one distance of at
  // least 8 votes for it; the candidate that keeps a majority (count over 8) is the row
  // length in use (0: none). Quicker than rlen on pages of text, where a stroke's byte
  // recurs one row down but also elsewhere in its row.
  uint32_t ilen = 0, icand = 0, icount = 0;
  // Markup: the hash of the last tag's name (0: none yet), of the name being read (0: none),
  // and whether a '<' was seen with no '>' after it.
  uint32_t tag = 0, tag_name = 0;
  bool in_tag = false;

  uint32_t c1() const { return uint32_t(hist & 255); }
  uint32_t c2() const { return uint32_t(hist >> 8 & 255); }
  // Learns byte b, the lane's byte number t.
  void learn(uint8_t b);
};

// The contexts kinds[0..n) of the config, in the order their inputs reach the mixer: the
// direct ones (order 0, order 1) first. kinds_of(contexts) lists them.
std::vector<Ctx> context_kinds(uint32_t contexts);

// The hashes of contexts kinds[from..n) for the lane's next byte (lane: its bytes so far).
void context_hashes(const LaneHistory& l, const uint8_t* lane, const Indirect& ind, const std::vector<Ctx>& kinds,
                    size_t from, uint32_t* h);

}  // namespace shz::cm
