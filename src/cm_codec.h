// Coding format 6 and 7's context-mixing blocks ("cm" and "cm+model" segments, docs/FORMAT.md):
// each block's bytes through a CmModel (model/cm), whose inputs include, for "cm+model",
// the archive's model's pmf for every byte.
//
// A block's lanes advance in lock-step, byte t of every lane, then t + 1. Its lanes may be
// shared among several threads, each stepping the model for its own lanes as one batch on
// its own predictor; the context mixing itself visits the lanes in their fixed order, the
// threads taking turns (a ticket passed from one to the next), so the thread count changes
// no bit.
//
// A payload starts with a 6-byte preamble (level, flags, lane size) and then holds the
// range coder's output for every bit of the block, in lane-interleaved order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "segment_codec.h"
#include "shz/model.h"
#include "shz/predictor.h"

namespace shz {

constexpr size_t kCmPreamble = 6;
constexpr uint8_t kCmFlagX86 = 1;   // the block's bytes went through the x86 filter first
// The CM revision that coded a block (docs/FORMAT.md, "Revisions"): bit 1 is set in every
// block of formats 7 to 10, bit 2 in formats 8 to 10, bit 3 in formats 9 and 10, bit 4 in
// format 10; revision 1 + the bits.
constexpr uint8_t kCmFlagRev2 = 2;
constexpr uint8_t kCmFlagRev3 = 4;
constexpr uint8_t kCmFlagRev4 = 8;
constexpr uint8_t kCmFlagRev5 = 16;
constexpr uint8_t kCmFlagRevs = kCmFlagRev2 | kCmFlagRev3 | kCmFlagRev4 | kCmFlagRev5;
// The most lanes a block may have: bounds the model slots (memory) a decoder gives a block.
constexpr size_t kCmMaxLanes = 256;

struct CmEncodeJob {
  const uint8_t* data = nullptr;  // the block's original bytes
  size_t size = 0;
  int level = 6;                  // 1..9 (cm_config_for)
  bool model = false;             // the model's pmfs are an input (method cm+model)
  bool x86 = false;               // filter the bytes first
  size_t lane_size = 0;           // 0: one lane; else at least size / kCmMaxLanes
  size_t limit = SIZE_MAX;        // give up once the payload reaches this many bytes
  // Give up (as at the limit) once this is set: a coding begun before it was known to be wanted.
  const std::atomic<bool>* cancel = nullptr;
  std::vector<uint8_t> payload;   // out: preamble + coded bits
  bool gave_up = false;           // out
};

struct CmDecodeJob {
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  size_t size = 0;           // original bytes
  bool model = false;        // method cm+model
  unsigned version = 10;     // the archive's format version: the blocks' CM revision is version - 5
  std::vector<uint8_t> out;  // out: the original bytes
  bool corrupt = false;      // out: the payload was inconsistent
};

// The lanes of a block of `size` bytes cut into lanes of lane_size (0: one lane).
size_t cm_lane_count(size_t size, size_t lane_size);

// How many of `blocks` blocks without the model to code side by side on `threads` threads
// when each needs `memory_each` bytes (cm_memory): at least one, and as many as fit in 1 GiB,
// so that peak memory does not grow with the core count (a 64 MiB block at -9 needs 430 MiB).
unsigned cm_side_by_side(unsigned threads, size_t blocks, uint64_t memory_each);

// Encodes one block with p.size() threads (the calling one and p.size() - 1 more), thread g
// stepping the model, when job.model, on p[g] for its share of the lanes (contiguous, in
// order; p[g] begun with at least that many slots). Without the model, p holds one null.
// At most as many threads as lanes take part.
void cm_block_encode(const std::vector<Predictor*>& p, CmEncodeJob& job, ProgressCounter* progress);

// Decodes one block, as cm_block_encode coded it, with any number of threads.
void cm_block_decode(const std::vector<Predictor*>& p, CmDecodeJob& job, ProgressCounter* progress);

// The predictors of the threads that share blocks' lanes: one per thread, made (or remade,
// bigger) as a block needs it, kept for the next block.
class CmPredictors {
 public:
  CmPredictors(unsigned threads, const EngineTuning& tuning) : tuning_(tuning), models_(threads), slots_(threads, 0) {}
  // One predictor per thread that takes part in a block of `lanes` lanes (at most one per
  // lane), each begun with at least its share of them, made with the context's tuning.
  std::vector<Predictor*> for_block(const LoadedModel& model, size_t lanes);

 private:
  EngineTuning tuning_;
  std::vector<std::unique_ptr<Predictor>> models_;
  std::vector<size_t> slots_;
};

// The lanes of a payload's block of `size` bytes (0 when its preamble is invalid).
size_t cm_payload_lanes(const uint8_t* payload, size_t payload_size, size_t size);

// Lane g's share of `lanes` among `groups` threads: [first, last).
inline size_t cm_group_first(size_t lanes, size_t groups, size_t g) { return lanes * g / groups; }

}  // namespace shz
