// What a backend implements to run the SHA-RNN: slot state, and one op of step_program.h at
// a time over the rows bound for the step. ProgramPredictor drives it; the op-by-op equality
// test reads its buffers and slot state back through the same interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "step_program.h"

namespace shz::sharnn {

// One slot's state in a layout every backend can produce: per layer h8 and c ([layers][d]);
// per attention layer the ring's positions in storage order ([attn layers][window][d], only
// the first `filled` positions meaningful), the next position to write and the fill count.
struct SlotState {
  std::vector<int8_t> h8;
  std::vector<int32_t> c;
  std::vector<int8_t> mem;
  std::vector<int> head, filled;
};

class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  // Allocates `streams` slots, all reset.
  virtual void begin(size_t streams) = 0;
  virtual void reset(size_t slot) = 0;
  // The rows of the ops that follow: row r advances slot slots[r] by bytes[r]; HeadPmf's pmf
  // for row r ends in pmfs[r] by finish() (HeadLearn reads the previous one from there).
  virtual void bind(const size_t* slots, size_t k, const uint8_t* bytes, uint32_t* const* pmfs) = 0;
  virtual void run(const Op& op) = 0;
  // The whole program in order; a backend may replay it as one recorded graph.
  virtual void run_all(const std::vector<Op>& program) {
    for (const Op& op : program) run(op);
  }
  virtual void finish() = 0;
  // Development only (step_program.h): the output layer's adaptation rate, 0 for none.
  virtual void set_head_adaptation(int shift) = 0;

  // For tests: the bound rows of buffer b (buf_cols values a row, int8 and uint32 widened;
  // as the last op left them), and one slot's state.
  virtual std::vector<int64_t> read(Buf b) = 0;
  virtual SlotState state(size_t slot) = 0;
};

}  // namespace shz::sharnn
