// The encoder's trial of whether the model pays on a block: a stretch of the block coded by
// the context mixing with the model's probabilities and without them. Only the encoder runs
// it (the archive records the verdict as the block's method), so it may change freely.
//
// It runs in two stages so that a block the model is hopeless on costs little model time:
// the probe (the model over the first kCmProbe bytes of each lane) is weighed against the
// context mixing alone over the same bytes; only a block the probe does not rule out runs
// the model over the rest of its lanes for the full trial.
//
// Its steps may run on different threads: the lanes' model probabilities are independent of
// each other and of the context mixing (the encoder knows every byte), so each lane's model
// run is a task of its own, and the codings follow once they are done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shz/predictor.h"

namespace shz {

// The trial's stretch: kCmTrial bytes from a third of the way in (where there is room: a
// file's start is often unlike the rest), in kCmTrialLanes lanes that each run the model on
// a thread of their own. Blocks under kCmTrialMin bytes have no trial (they are coded both
// ways: the trial would cost as much model time as the block).
constexpr size_t kCmTrial = 64 << 10;
constexpr size_t kCmTrialLanes = 2;
constexpr size_t kCmTrialMin = 3 * kCmTrial;
// The probe: the first kCmProbe bytes of each lane; its cost counts from kCmProbeWarm on,
// once the model has seen a window of context.
constexpr size_t kCmProbe = 6 << 10;
constexpr size_t kCmProbeWarm = 1 << 10;

// Where a block of `size` bytes has its trial.
inline size_t cm_trial_at(size_t size) { return size >= kCmTrialMin ? size / 3 : 0; }

struct CmTrial {
  std::vector<uint8_t> buf;     // the stretch's bytes, filtered as the block is
  size_t lanes = 1;             // coded as this many lanes of equal length (the last shorter)
  int level = 6;
  std::vector<uint16_t> paths;  // 8 per byte: the model's probability of a 1 along its bits
  std::vector<size_t> modelled;  // per lane: bytes from its start the model has run over

  size_t lane_size() const { return lanes <= 1 ? buf.size() : (buf.size() + lanes - 1) / lanes; }
  size_t lane_length(size_t lane) const;
};

// A trial of data[0, n) (filtered first when x86) cut into `lanes` lanes.
CmTrial cm_trial_start(const uint8_t* data, size_t n, int level, bool x86, size_t lanes);
// The trial of a block of `size` bytes (at least kCmTrialMin): kCmTrial bytes from
// cm_trial_at(size), in kCmTrialLanes lanes.
CmTrial cm_trial_of_block(const uint8_t* block, size_t size, int level, bool x86);

// Runs the model over lane `lane` up to `to` bytes from the lane's start (at most its
// length), recording its probabilities. `p` is the lane's own predictor, begun with one
// slot; calls continue where the last one stopped (the first resets the slot).
void cm_trial_model(CmTrial& trial, size_t lane, Predictor& p, size_t to);

// What coding the trial costs, in coded bytes: the lanes coded in lock-step as a block's
// are, with the model's probabilities (every lane's model run complete) or without.
struct CmTrialCost {
  size_t second_halves = 0;  // the second half of every lane: the first halves warm the
                             // statistics, so this is the cost of a block under way
  size_t probe = 0;          // bytes kCmProbeWarm..kCmProbe of every lane
};
CmTrialCost cm_trial_cost(const CmTrial& trial, bool with_model);

// The model alone over the probe's bytes (kCmProbeWarm..kCmProbe of every lane), in coded
// bytes; the probe's model runs must be done.
size_t cm_trial_probe_model_cost(const CmTrial& trial);

// Whether the trial's bytes look binary (more than one in 16 a control character other
// than tab, newline, form feed and carriage return): where the model seldom pays, so the
// encoder may code a block without it while the probe runs. A hint for scheduling only.
bool cm_trial_looks_binary(const CmTrial& trial);

// The probe's verdict: whether the model, alone, costs so much more than the context mixing
// alone on the probe's bytes that mixing it in cannot pay; `why` says what it found.
bool cm_probe_rules_out(size_t model_alone, size_t cm_alone, std::string& why);

// The full trial's verdict: the model is kept when it saves 8% of the trial's cost (about
// 3% of a whole file: it costs ten times the time of the rest); `why` says what it found.
bool cm_trial_model_pays(size_t with, size_t without, std::string& why);

}  // namespace shz
