// Float SHA-RNN weights -> a shz model file (docs/MODEL_FORMAT.md, "Quantisation"): int8
// weights per output row, fixed-point multipliers from calibrated activation ranges, the
// attention scales folded into LayerNorm and gate. No LibTorch here: shz-train extracts the
// float tensors, this turns them into integers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sharnn_model.h"

namespace shz::sharnn {

struct FloatLinear {
  int rows = 0, cols = 0;
  std::vector<float> w;  // [rows][cols]
  std::vector<float> b;  // [rows] (empty: zero)
};

struct FloatLayerNorm {
  std::vector<float> gamma, beta;
};

struct FloatLayer {
  FloatLayerNorm ln_start;
  FloatLinear w_ih, w_hh;  // gates i, f, g, o (PyTorch order); b_ih and b_hh
  FloatLayerNorm ln_mem, ln_mid, ln_q;
  FloatLinear q;
  std::vector<float> qk_scale;    // sigma(qs) * sigma(ks) / sqrt(d), per element
  std::vector<float> value_gate;  // the collapsed over-parameterised value gate
  FloatLayerNorm ln_ff, ln_xff;
  FloatLinear boom;
};

struct FloatModel {
  HyperParams hp;
  std::vector<float> embed;     // [256][d], tied
  std::vector<float> out_bias;  // [256]
  std::vector<FloatLayer> layers;
};

// Largest |value| at each quantisation point, from calibration text; keys as shz-train's
// Calibration: "layers.L.lstm.in", "layers.L.attn.mem", "layers.L.attn.q_in", "layers.L.attn.qf",
// "layers.L.boom.in", "head.in".
using ActivationRanges = std::map<std::string, double>;

struct QuantizeReport {
  std::vector<std::string> notes;  // clamps and other things worth a line in the log
};

// Returns the model file. Throws shz::Error(kModel) when a range is missing or a multiplier
// cannot be represented.
std::vector<uint8_t> quantize_model(const FloatModel& fm, const ActivationRanges& ranges, const std::string& name,
                                    const std::map<std::string, std::string>& extra_metadata,
                                    QuantizeReport* report = nullptr);

}  // namespace shz::sharnn
