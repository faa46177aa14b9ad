// What a context-mixing block uses: which contexts, how much memory, which refinements. A
// config is a pure function of the archive's CM level and the block's length (cm_config_for),
// so the decoder rebuilds exactly the encoder's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace shz::cm {

// The contexts a block may model (each one bit-history table entry per decision).
enum Ctx : uint32_t {
  kOrder0 = 1u << 0,     // the bits of this byte only (direct)
  kOrder1 = 1u << 1,     // the previous byte (direct)
  kOrder2 = 1u << 2,     // the last 2 bytes (hashed, as all below)
  kOrder3 = 1u << 3,
  kOrder4 = 1u << 4,
  kOrder5 = 1u << 5,
  kOrder6 = 1u << 6,
  kOrder8 = 1u << 7,
  kWord = 1u << 8,       // the word being written (letters, case folded), or the byte before it
  kWordPair = 1u << 9,   // that word and the one before it
  kSparse = 1u << 10,    // skip contexts: bytes 2-3 back; byte 1 and 3 back; byte 4 back
  kColumn = 1u << 11,    // the byte above (same column, previous line) with the column / previous byte
  kIndirect = 1u << 12,  // what followed the last occurrences of the last 1 and 2 bytes
  kRecord = 1u << 13,    // fixed-length records: the byte one record back, with the previous byte
  kWordText = 1u << 14,  // the word before with the previous byte and the word being written
  kWordSkip = 1u << 15,  // the word being written and the one two back; the two words before it
  kSparse2 = 1u << 16,   // byte 2 back; bytes 1 and 4 back; the last three's high nibbles; the record column
  kRecord2D = 1u << 17,  // the bytes above-left, above and above-right one record back (revision 2)
  kMarkup = 1u << 18,    // the markup tag last opened, whether inside it, the last two bytes (revision 3)
};

// Revision 5's bitmap contexts (cm_model.cpp) at the levels with kRecord: each one's table
// has 2^kImageBits[i] StateMap entries of 4 bytes.
constexpr int kImageContexts = 7;
constexpr int kImageBits[kImageContexts] = {12, 15, 15, 21, 16, 20, 14};

// The CM revision new blocks are coded with.
constexpr int kCmRevision = 5;

struct CmConfig {
  uint32_t contexts = 0;   // Ctx bits
  int table_bits = 16;     // 2^table_bits buckets of 16 bytes for the hashed contexts
  int match_bits = 16;     // 2^match_bits entries in each match finder's table
  int match_min[2] = {6, 16};  // the finders' context lengths (0: finder off)
  bool apm_order2 = true;  // a second APM, by the last two bytes
  int apm_bits = 16;       // 2^apm_bits rows in each APM (16: the first APM indexed directly)
  int mixer_shift = 12;    // mixers' learning rate 2^-shift (Q12 error times Q8 input, in Q16)
  int counter_limit = 1023;  // StateMap update limit (slowest rate 1/(limit + 1.5))
  int revision = kCmRevision;  // 1: format 6's blocks; 2: format 7's (a sixth mixer, the model's APM, R3);
                               // 3: format 8's (one-sided inputs, the markup context, the final mixer by c1's class);
                               // 4: format 9's (larger bucket tables at levels 4-7);
                               // 5: format 10's (bitmap contexts at levels 4-9)
  uint32_t experiment = 0;   // development switches (tools/cm_tune --set exp=N); 0 in archives
};

// The level's config for a block of `size` bytes: tables grow with the block up to the
// level's cap, so a small input neither allocates nor clears a large table. Levels 1..9.
// `revision` r is format 5 + r's CM (docs/FORMAT.md, "Revisions").
CmConfig cm_config_for(int level, uint64_t size, int revision = kCmRevision);

// Bytes of memory a block of `size` bytes needs at `level` (tables and history; the model
// excluded), for reports.
uint64_t cm_memory(int level, uint64_t size);

}  // namespace shz::cm
