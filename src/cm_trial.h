// The encoder's trial of whether the model pays on a block: a stretch of the block coded by
// the context mixing with the model's probabilities and without them. Only the encoder runs
// it (the archive records the verdict as the block's method), so it may change freely.
//
// Its steps may run on different threads: the lanes' model probabilities are independent of
// each other and of the context mixing (the encoder knows every byte), so each lane's model
// run is a task of its own, and the two codings follow once they are done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "shz/predictor.h"

namespace shz {

struct CmTrial {
  std::vector<uint8_t> buf;     // the stretch's bytes, filtered as the block is
  size_t lanes = 1;             // coded as this many lanes of equal length (the last shorter)
  int level = 6;
  std::vector<uint16_t> paths;  // 8 per byte: the model's probability of a 1 along its bits

  size_t lane_size() const { return lanes <= 1 ? buf.size() : (buf.size() + lanes - 1) / lanes; }
};

// A trial of data[0, n) (filtered first when x86) cut into `lanes` lanes.
CmTrial cm_trial_start(const uint8_t* data, size_t n, int level, bool x86, size_t lanes);

// Runs the model (p, begun with a slot) over one lane, recording its probabilities.
void cm_trial_model(CmTrial& trial, size_t lane, Predictor& p);

// What the second half of every lane costs in coded bytes, the lanes coded in lock-step as a
// block's are: with the model's probabilities (every lane's cm_trial_model done) or without.
// The first halves warm the statistics, so the cost is that of a block under way.
size_t cm_trial_cost(const CmTrial& trial, bool with_model);

}  // namespace shz
