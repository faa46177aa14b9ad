#include "cm_trial.h"

#include <algorithm>
#include <cstdio>

#include "cm_bit_coders.h"
#include "model/cm/cm_config.h"
#include "x86_filter.h"

namespace shz {

size_t CmTrial::lane_length(size_t lane) const {
  const size_t first = lane * lane_size();
  return first < buf.size() ? std::min(lane_size(), buf.size() - first) : 0;
}

CmTrial cm_trial_start(const uint8_t* data, size_t n, int level, bool x86, size_t lanes) {
  CmTrial t;
  if (x86)
    x86_filter_encode(data, n, t.buf);
  else
    t.buf.assign(data, data + n);
  t.lanes = std::clamp<size_t>(lanes, 1, std::max<size_t>(n, 1));
  t.level = level;
  t.paths.assign(8 * n, 0);
  t.modelled.assign(t.lanes, 0);
  return t;
}

CmTrial cm_trial_of_block(const uint8_t* block, size_t size, int level, bool x86) {
  const size_t at = cm_trial_at(size);
  return cm_trial_start(block + at, std::min(size - at, kCmTrial), level, x86, kCmTrialLanes);
}

void cm_trial_model(CmTrial& trial, size_t lane, Predictor& p, size_t to) {
  const size_t first = lane * trial.lane_size(), length = trial.lane_length(lane);
  const size_t from = trial.modelled[lane];
  to = std::min(to, length);
  uint32_t pmf[256], cum[257];
  const size_t slot = 0;
  if (from == 0) p.reset(slot);
  for (size_t q = first + from; q < first + to; ++q) {
    // The previous byte is learnt only now, when its successor is wanted: so a run that
    // stops after byte q - 1 continues here as one that had not stopped.
    if (q > first) p.update(&slot, 1, &trial.buf[q - 1]);
    p.predict(&slot, 1, pmf);
    cm::pmf_cumulative(pmf, cum);
    cm::model_bits_path(cum, trial.buf[q], &trial.paths[8 * q]);
  }
  trial.modelled[lane] = std::max(from, to);
}

CmTrialCost cm_trial_cost(const CmTrial& trial, bool with_model) {
  const size_t n = trial.buf.size(), lane_size = trial.lane_size();
  CmTrialCost cost;
  if (n == 0) return cost;
  std::vector<uint8_t> buf = trial.buf;  // the model writes the bytes it codes back into it
  cm::CmModel cm;
  cm.reset(cm::cm_config_for(trial.level, n), buf.data(), n, lane_size);
  std::vector<uint8_t> out;
  RangeEncoder enc(out);
  EncodeBit bits(enc);
  size_t at_half = 0, at_warm = 0;
  for (size_t t = 0; t < lane_size; ++t) {
    if (t == lane_size / 2) at_half = out.size();
    if (t == kCmProbeWarm) at_warm = out.size();
    if (t == kCmProbe) cost.probe = out.size() - at_warm;
    for (size_t l = 0; l < cm.lanes(); ++l) {
      const size_t q = l * lane_size + t;
      if (q >= n) continue;  // the last lane is shorter
      cm::ModelBits mb;
      if (with_model) mb.path = &trial.paths[8 * q];
      bits.byte = trial.buf[q];
      cm.code(l, mb, bits);
    }
  }
  enc.finish();
  cost.second_halves = out.size() - at_half;
  return cost;
}

size_t cm_trial_probe_model_cost(const CmTrial& trial) {
  std::vector<uint8_t> out;
  RangeEncoder enc(out);
  EncodeBit bits(enc);
  for (size_t l = 0; l < trial.lanes; ++l) {
    const size_t first = l * trial.lane_size(), last = first + std::min(trial.lane_length(l), kCmProbe);
    for (size_t q = first + kCmProbeWarm; q < last; ++q) {
      bits.byte = trial.buf[q];
      for (int bit = 7; bit >= 0; --bit) bits.code(trial.paths[8 * q + 7 - bit], bit);
    }
  }
  enc.finish();
  return out.size();
}

bool cm_trial_looks_binary(const CmTrial& trial) {
  size_t control = 0;
  for (uint8_t c : trial.buf) control += (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7F;
  return control * 16 > trial.buf.size();
}

bool cm_probe_rules_out(size_t model_alone, size_t cm_alone, std::string& why) {
  // The model is left out when alone it costs more than kOutAbove / 16 times the context
  // mixing alone, the latter still cold (docs/RESULTS.md, "The model's probe").
  constexpr size_t kOutAbove = 32;
  const bool out = model_alone * 16 > cm_alone * kOutAbove;
  char buf[200];
  std::snprintf(buf, sizeof buf, "model probe: %zu bytes alone, context mixing %zu (%.2fx; over %.2fx leaves it out)",
                model_alone, cm_alone, cm_alone ? double(model_alone) / double(cm_alone) : 0.0, kOutAbove / 16.0);
  why = buf;
  return out;
}

bool cm_trial_model_pays(size_t with, size_t without, std::string& why) {
  const bool pays = with * 25 < without * 23;
  char buf[160];
  std::snprintf(buf, sizeof buf, "model trial: %zu bytes with it, %zu without (%.1f%% saved; 8%% needed): %s", with,
                without, without ? 100.0 * (double(without) - double(with)) / double(without) : 0.0,
                pays ? "kept" : "left out");
  why = buf;
  return pays;
}

}  // namespace shz
