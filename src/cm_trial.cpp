#include "cm_trial.h"

#include <algorithm>

#include "cm_bit_coders.h"
#include "model/cm/cm_config.h"
#include "x86_filter.h"

namespace shz {

CmTrial cm_trial_start(const uint8_t* data, size_t n, int level, bool x86, size_t lanes) {
  CmTrial t;
  if (x86)
    x86_filter_encode(data, n, t.buf);
  else
    t.buf.assign(data, data + n);
  t.lanes = std::clamp<size_t>(lanes, 1, std::max<size_t>(n, 1));
  t.level = level;
  t.paths.assign(8 * n, 0);
  return t;
}

void cm_trial_model(CmTrial& trial, size_t lane, Predictor& p) {
  const size_t lane_size = trial.lane_size();
  const size_t first = lane * lane_size, last = std::min(trial.buf.size(), first + lane_size);
  uint32_t pmf[256], cum[257];
  const size_t slot = 0;
  p.reset(slot);
  for (size_t q = first; q < last; ++q) {
    p.predict(&slot, 1, pmf);
    cm::pmf_cumulative(pmf, cum);
    cm::model_bits_path(cum, trial.buf[q], &trial.paths[8 * q]);
    if (q + 1 < last) p.update(&slot, 1, &trial.buf[q]);
  }
}

size_t cm_trial_cost(const CmTrial& trial, bool with_model) {
  const size_t n = trial.buf.size(), lane_size = trial.lane_size();
  if (n == 0) return 0;
  std::vector<uint8_t> buf = trial.buf;  // the model writes the bytes it codes back into it
  cm::CmModel cm;
  cm.reset(cm::cm_config_for(trial.level, n), buf.data(), n, lane_size);
  std::vector<uint8_t> out;
  RangeEncoder enc(out);
  EncodeBit bits(enc);
  size_t at_half = 0;
  for (size_t t = 0; t < lane_size; ++t) {
    if (t == lane_size / 2) at_half = out.size();
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
  return out.size() - at_half;
}

}  // namespace shz
