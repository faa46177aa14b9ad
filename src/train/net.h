// The SHA-RNN in float (LibTorch) with exactly the data flow of the integer engine
// (docs/MODEL_FORMAT.md, "The computation"), so a trained network exports without change.
// Only the shz-train tool includes this header: the coding path never sees LibTorch.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace shz::train {

struct NetConfig {
  int d_model = 256;
  int n_layers = 2;
  std::vector<int> attn_layers{1};
  int window = 1024;  // positions attended, the current one included
  int boom_dim = 1024;
  double dropout = 0.05;
  bool has_attn(int l) const;
};

// Recurrent state of B streams between chunks (detached): LSTM h and c, and each attention
// layer's memory of the last window-1 entries LN_mem(y) (empty at a segment start).
struct NetState {
  std::vector<torch::Tensor> h, c, mem;
  void reset() { h.clear(); c.clear(); mem.clear(); }
};

// Largest |value| seen per quantisation point, for calibrating the export.
using Calibration = std::map<std::string, double>;

struct ShaRnnLayerImpl : torch::nn::Module {
  ShaRnnLayerImpl(const NetConfig& cfg, bool attn);
  torch::nn::LayerNorm ln_start{nullptr}, ln_mem{nullptr}, ln_mid{nullptr}, ln_q{nullptr}, ln_ff{nullptr},
      ln_xff{nullptr};
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear q{nullptr}, vq{nullptr}, boom{nullptr};
  torch::Tensor qs, ks, vs;  // sigmoid-gated scales of query, key and value (Merity 2019)
  bool attn;
  // The value gate: the over-parameterised sigma(vs) through vq, collapsed to one vector.
  torch::Tensor value_gate();
};
TORCH_MODULE(ShaRnnLayer);

class ShaRnnNetImpl : public torch::nn::Module {
 public:
  explicit ShaRnnNetImpl(const NetConfig& cfg);
  // in: [B, T] int64 bytes fed (a segment starts with byte 0); returns logits [B, T, 256] of
  // the byte after each. `st` is read and replaced by the detached end state.
  torch::Tensor forward(const torch::Tensor& in, NetState& st, Calibration* calib = nullptr);
  const NetConfig& config() const { return cfg_; }

  torch::Tensor embed;     // [256, d], tied with the output layer
  torch::Tensor out_bias;  // [256]
  std::vector<ShaRnnLayer> layers;

 private:
  torch::Tensor attention(ShaRnnLayer& L, const torch::Tensor& y, torch::Tensor& mem, Calibration* calib,
                          const std::string& prefix);
  NetConfig cfg_;
};
TORCH_MODULE(ShaRnnNet);

}  // namespace shz::train
