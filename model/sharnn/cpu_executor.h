// The CPU backend of the SHA-RNN step: each op of step_program.h over the bound rows, with
// the kernels (kernels.h) and row operations (rows.h) of one SIMD level. Identical integers
// at every level, batch size and thread count.
#pragma once

#include <memory>
#include <vector>

#include "kernels.h"
#include "sharnn_model.h"
#include "step_executor.h"

namespace shz::sharnn {

class CpuExecutor final : public StepExecutor {
 public:
  CpuExecutor(std::shared_ptr<const Model> model, SimdLevel level);
  void begin(size_t streams) override;
  void reset(size_t slot) override;
  void bind(const size_t* slots, size_t k, const uint8_t* bytes, uint32_t* const* pmfs) override;
  void run(const Op& op) override;
  void finish() override {}
  void set_head_adaptation(int shift) override { adapt_shift_ = shift; }
  std::vector<int64_t> read(Buf b) override;
  SlotState state(size_t slot) override;

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
    std::vector<int16_t> adapt;  // head adaptation: [256][d] weight deltas, Q8 of int8 units
    std::vector<int8_t> hq;      // head adaptation: the head's input of the last step
  };
  struct Packed {
    PackedMatrix w_ih, w_hh, w_q, w_boom;
  };

  const PackedMatrix& packed(const Op& op) const;
  int32_t* buf32(Buf b);
  int8_t* buf8(Buf b);
  LayerState& layer_state(size_t row, int layer) { return slots_[slots_bound_[row]].layers[size_t(layer)]; }
  void lstm(const Op& op);
  void attn_write(const Op& op);
  void attn_scores(const Op& op);
  void attn_mix(const Op& op);
  void head_learn();
  void head_adapt(const Op& op);

  std::shared_ptr<const Model> model_;
  SimdLevel level_;
  int adapt_shift_ = 0;
  std::vector<Packed> packed_;
  PackedMatrix head_;
  std::vector<Slot> slots_;
  // The bound rows.
  std::vector<size_t> slots_bound_;
  std::vector<uint8_t> bytes_;
  std::vector<uint32_t*> pmf_dst_;
  // Step buffers (step_program.h), sized for the largest batch seen.
  std::vector<int32_t> x_, y_, n_, a_, b_, big_, scores_;
  std::vector<int8_t> q8_, h8_;
  // Op scratch.
  std::vector<int64_t> scores64_;
  std::vector<int16_t> q16_;
  std::vector<int32_t> mix_, gates_;
  std::vector<int32_t*> c_ptr_;
  std::vector<int8_t*> h_ptr_;
};

}  // namespace shz::sharnn
