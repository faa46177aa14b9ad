// The SHA-RNN byte model behind the Predictor interface: B slots stepped as one batch, so
// the large products become matrix-matrix products. A fresh slot starts as if the byte 0
// had just been seen (the model's "start of segment" input, MODEL_FORMAT.md).
#pragma once

#include <memory>
#include <vector>

#include "kernels.h"
#include "sharnn_model.h"
#include "shz/predictor.h"

namespace shz::sharnn {

class ShaRnnPredictor final : public Predictor {
 public:
  // `model` is shared between predictors (threads); `id` is what archives record.
  ShaRnnPredictor(std::shared_ptr<const Model> model, ModelIdentity id, SimdLevel level, size_t batch = 16);
  ModelIdentity identity() const override { return id_; }
  int pmf_bits() const override;
  size_t preferred_streams() const override { return batch_; }
  uint64_t default_segment_size() const override;
  void begin(size_t streams) override;
  void reset(size_t slot) override;
  void predict(const size_t* slots, size_t n, uint32_t* pmfs) override;
  void update(const size_t* slots, size_t n, const uint8_t* bytes) override;

  // Development only (tools/cm_tune --adapt-head; no archive uses it): integer dynamic
  // evaluation of the output layer. Each slot keeps its own deltas to the head's weights,
  // moved after every byte by (onehot - pmf) x input / 2^shift (rounded), so slots stay
  // independent and any batching gives the same pmfs. 0 (the default) turns it off. Call
  // before begin(). Measured in docs/RESULTS.md ("The model's dynamic evaluation").
  void set_head_adaptation(int shift) { adapt_shift_ = shift; }

 private:
  struct LayerState {
    std::vector<int8_t> h8;   // LSTM output as int8 [d]
    std::vector<int32_t> c;   // cell state Q15 [d]
    AttnMemory mem;           // attention memory ring of `window` entries
    int filled = 0;           // positions in the ring
    int head = 0;             // next position to write
  };
  struct Slot {
    std::vector<LayerState> layers;
    uint32_t pmf[256];
    bool fresh = true;  // no step yet: the pmf is not computed
    std::vector<int16_t> adapt;  // head adaptation: [256][d] weight deltas, Q8 of int8 units
    std::vector<int8_t> hq;      // head adaptation: the head's input of the last step
  };
  struct Packed {
    PackedMatrix w_ih, w_hh, w_q, w_boom;
  };

  // Advances the listed slots by one byte each and stores their next pmfs.
  void step(const size_t* slots, size_t k, const uint8_t* bytes);
  void head_adapt_logits(const size_t* slots, size_t k);
  void head_adapt_learn(const size_t* slots, size_t n, const uint8_t* bytes);
  void attention(const Layer& L, LayerState& st, const int32_t* y2, const int32_t* q, int32_t* out);

  std::shared_ptr<const Model> model_;
  ModelIdentity id_;
  SimdLevel level_;
  size_t batch_;
  int adapt_shift_ = 0;
  std::vector<Packed> packed_;
  PackedMatrix head_;
  std::vector<Slot> slots_;
  // Scratch for one batched step, sized for the largest batch seen.
  std::vector<int32_t> x_, y_, n_, a_, b_, big_;
  std::vector<int8_t> q8_, h8_;
  std::vector<int32_t> scores_, mix_;
  std::vector<int64_t> scores64_;
  std::vector<int16_t> q16_;
  std::vector<int32_t> gates_;
  std::vector<int32_t*> c_ptr_;
  std::vector<int8_t*> h_ptr_;
  std::vector<uint32_t*> pmf_ptr_;
  std::vector<size_t> fresh_;
  std::vector<uint8_t> zeros_;
};

}  // namespace shz::sharnn
