// A quantised SHA-RNN model as the integer engine runs it, and its model file
// (docs/MODEL_FORMAT.md): which tensors exist, their dtypes and shapes, and validation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/safetensors.h"

namespace shz::sharnn {

struct HyperParams {
  int d_model = 0;               // model width d
  int n_layers = 0;
  std::vector<int> attn_layers;  // indices of the layers with an attention head
  int window = 0;                // attention span W, current position included
  int boom_dim = 0;              // Boom hidden size, a multiple of d
  bool has_attn(int layer) const;

  // What one step of one stream costs, whatever runs it (benchmarks report against these):
  // bytes of int8 weights read (shared by a batch; one multiply-add each) ...
  uint64_t weight_bytes() const;
  // ... bytes of attention memory read once over `filled` positions (the scores and the mix
  // each read it: one multiply-add per byte each) ...
  uint64_t attention_bytes(uint64_t filled) const;
  // ... and multiply-adds at a full window.
  uint64_t macs_per_byte() const;
};

// An int8 matrix [rows][cols] with its per-row requantisation (Q8 out = acc*m/2^24 + b).
struct QLinear {
  int rows = 0, cols = 0;
  std::vector<int8_t> w;
  std::vector<int32_t> m, b;
  std::vector<int32_t> row_sum;  // sum of each row's weights (derived, for unsigned-input kernels)
};

struct QLayerNorm {
  std::vector<int32_t> gamma;  // Q12
  std::vector<int32_t> beta;   // Q8
};

struct Layer {
  QLayerNorm ln_start;
  int32_t lstm_in_m = 0;  // Q8 -> int8 multiplier of the LSTM input
  QLinear w_ih, w_hh;     // [4d][d], gates in order i, f, g, o
  // Attention (only when the layer has it).
  QLayerNorm ln_mem, ln_mid, ln_q;  // ln_q has sigma(qs)*sigma(ks)/sqrt(d) folded in
  int32_t mem_m = 0;                // Q8 -> int8 multiplier of the memory
  int32_t q_in_m = 0;               // Q8 -> int8 multiplier of the query projection's input
  QLinear w_q;                      // [d][d]
  int32_t attn_shift = 0;           // score >> attn_shift = Q8 logit
  std::vector<int32_t> gate;        // value gate, Q24 multiplier per element
  // Boom.
  QLayerNorm ln_ff, ln_xff;
  int32_t boom_in_m = 0;
  QLinear w_boom;  // [boom_dim][d]
};

struct Model {
  std::string name;        // recorded in archives
  HyperParams hp;
  std::map<std::string, std::string> metadata;
  std::vector<int8_t> embed;  // [256][d], tied with the output layer
  std::vector<Layer> layers;
  int32_t head_in_m = 0;
  QLinear head;  // [256][d]: weights are `embed`, m and b its own
  uint64_t parameter_count() const;
};

// One tensor the model file must hold.
struct TensorSpec {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
};

// Every tensor a model with these hyperparameters has, in file order.
std::vector<TensorSpec> model_tensor_specs(const HyperParams& hp);

// Reads hyperparameters from metadata; throws Error(kModel) naming a bad or missing key.
HyperParams model_hparams_from_metadata(const std::map<std::string, std::string>& meta, const std::string& file);

// Metadata for a model (format, version, engine revision, hyperparameters, name, extras).
std::map<std::string, std::string> model_metadata(const std::string& name, const HyperParams& hp,
                                                  const std::map<std::string, std::string>& extra);

// Validates a parsed file against the spec and builds the model. Throws Error(kModel).
Model model_from_safetensors(const SafeTensors& st, const std::string& file);

}  // namespace shz::sharnn
