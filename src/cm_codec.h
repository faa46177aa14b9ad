// Coding format 6's context-mixing blocks ("cm" and "cm+model" segments, docs/FORMAT.md):
// each block's bytes through a CmModel (model/cm), whose inputs include, for "cm+model",
// the archive's model's pmf for every byte. Several blocks advance in lock-step so that the
// model steps them as one batch; each block has its own CmModel, so the grouping changes
// no bit.
//
// A payload starts with a 6-byte preamble (level, flags, lane size) and then holds the
// range coder's output for every bit of the block, in lane-interleaved order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "segment_codec.h"
#include "shz/predictor.h"

namespace shz {

constexpr size_t kCmPreamble = 6;
constexpr uint8_t kCmFlagX86 = 1;  // the block's bytes went through the x86 filter first
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
  std::vector<uint8_t> payload;   // out: preamble + coded bits
  bool gave_up = false;           // out
};

struct CmDecodeJob {
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  size_t size = 0;           // original bytes
  bool model = false;        // method cm+model
  std::vector<uint8_t> out;  // out: the original bytes
  bool corrupt = false;      // out: the payload was inconsistent
};

// Encodes jobs[0..n). When some job has `model`, p must be non-null and begun with at least
// as many slots as those jobs have lanes. CM-only jobs run one after another.
void cm_blocks_encode(Predictor* p, CmEncodeJob* const* jobs, size_t n, ProgressCounter* progress);

// Decodes jobs[0..n), as cm_blocks_encode coded them.
void cm_blocks_decode(Predictor* p, CmDecodeJob* const* jobs, size_t n, ProgressCounter* progress);

// The lanes of a payload's block of `size` bytes (0 when its preamble is invalid): the model
// slots a cm+model block needs.
size_t cm_payload_lanes(const uint8_t* payload, size_t payload_size, size_t size);

}  // namespace shz
