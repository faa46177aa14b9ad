// The SHA-RNN behind the Predictor interface, whatever backend runs it: B slots stepped as
// one batch (so the large products are matrix-matrix products), each step the model's op
// list (step_program.h) run by a StepExecutor. A fresh slot starts as if the byte 0 had just
// been seen (the model's "start of segment" input, MODEL_FORMAT.md).
#pragma once

#include <memory>
#include <vector>

#include "sharnn_model.h"
#include "shz/predictor.h"
#include "step_executor.h"

namespace shz::sharnn {

class ProgramPredictor : public Predictor {
 public:
  // `model` is shared between predictors (threads); `id` is what archives record.
  ProgramPredictor(std::shared_ptr<const Model> model, ModelIdentity id, size_t batch,
                   std::unique_ptr<StepExecutor> executor);
  ModelIdentity identity() const override { return id_; }
  int pmf_bits() const override;
  size_t preferred_streams() const override { return batch_; }
  uint64_t default_segment_size() const override { return uint64_t(64) << 10; }
  void begin(size_t streams) override;
  void reset(size_t slot) override;
  void predict(const size_t* slots, size_t n, uint32_t* pmfs) override;
  void update(const size_t* slots, size_t n, const uint8_t* bytes) override;

  // Development only (tools/cm_tune --adapt-head; no archive uses it, the CPU alone runs
  // it): integer dynamic evaluation of the output layer. Each slot keeps its own deltas to
  // the head's weights, moved after every byte by (onehot - pmf) x input / 2^shift
  // (rounded), so slots stay independent and any batching gives the same pmfs. 0 (the
  // default) turns it off. Call before begin(). Measured in docs/RESULTS.md ("The model's
  // dynamic evaluation").
  void set_head_adaptation(int shift);

 private:
  // Advances the listed slots by one byte each and stores their next pmfs.
  void step(const size_t* slots, size_t k, const uint8_t* bytes);

  std::shared_ptr<const Model> model_;
  ModelIdentity id_;
  size_t batch_;
  std::unique_ptr<StepExecutor> exec_;
  std::vector<Op> program_;
  std::vector<uint32_t> pmf_;  // [slot][256]: each slot's next pmf
  std::vector<bool> fresh_;    // no step yet: the pmf is not computed
  // Per-call scratch, kept to avoid allocating every byte.
  std::vector<size_t> fresh_ids_;
  std::vector<uint8_t> zeros_;
  std::vector<uint32_t*> pmf_ptr_;
};

}  // namespace shz::sharnn
