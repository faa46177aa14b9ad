// The step program's equality test, generated from the op list itself: two executors (CPU
// levels, or the CPU and the GPU) run model/sharnn/step_program.h op by op over ragged rows
// of several slots, with resets, and after every op what it wrote must be equal: its output
// buffers and, for ops on slot state, every bound slot's state. A new op is covered by being
// in the program.
#pragma once

#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "model/sharnn/step_executor.h"
#include "model/sharnn/step_program.h"

namespace shz::test {

// Ring positions of attention layer a that hold data: the first `filled`.
inline void require_same_state(const sharnn::HyperParams& hp, const sharnn::SlotState& want,
                               const sharnn::SlotState& got) {
  REQUIRE(got.h8 == want.h8);
  REQUIRE(got.c == want.c);
  REQUIRE(got.head == want.head);
  REQUIRE(got.filled == want.filled);
  const size_t ring = size_t(hp.window) * size_t(hp.d_model);
  for (size_t a = 0; a < want.filled.size(); ++a) {
    const size_t used = size_t(want.filled[a]) * size_t(hp.d_model);
    REQUIRE(std::vector<int8_t>(got.mem.begin() + long(a * ring), got.mem.begin() + long(a * ring + used)) ==
            std::vector<int8_t>(want.mem.begin() + long(a * ring), want.mem.begin() + long(a * ring + used)));
  }
}

// Runs `steps` steps on both; returns the op kinds compared.
inline std::set<sharnn::OpKind> require_same_op_by_op(const sharnn::Model& M, sharnn::StepExecutor& want,
                                                      sharnn::StepExecutor& got, size_t streams,
                                                      const std::vector<uint8_t>& text, size_t steps) {
  const std::vector<sharnn::Op> program = sharnn::step_program(M);
  std::vector<int> attn_index(M.layers.size(), -1);
  for (int l = 0, a = 0; l < M.hp.n_layers; ++l)
    if (M.hp.has_attn(l)) attn_index[size_t(l)] = a++;
  std::vector<uint32_t> pw(streams * 256, 0), pg(streams * 256, 0);
  std::set<sharnn::OpKind> seen;
  want.begin(streams);
  got.begin(streams);
  for (size_t t = 0; t < steps; ++t) {
    // Ragged rows: slot s sits out every (s + 2)th step; one slot restarts every 11 steps.
    std::vector<size_t> slots;
    std::vector<uint8_t> bytes;
    std::vector<uint32_t*> dw, dg;
    for (size_t s = 0; s < streams; ++s) {
      if ((t + s) % (s + 2) == 0) continue;
      if (t % 11 == 10 && s == t % streams) {
        want.reset(s);
        got.reset(s);
      }
      slots.push_back(s);
      bytes.push_back(text[(t * streams + s) % text.size()]);
      dw.push_back(&pw[s * 256]);
      dg.push_back(&pg[s * 256]);
    }
    if (slots.empty()) continue;
    const size_t k = slots.size();
    want.bind(slots.data(), k, bytes.data(), dw.data());
    got.bind(slots.data(), k, bytes.data(), dg.data());
    for (size_t i = 0; i < program.size(); ++i) {
      const sharnn::Op& op = program[i];
      want.run(op);
      got.run(op);
      seen.insert(op.kind);
      INFO("step " << t << ", " << k << " rows; op " << i << " (" << sharnn::op_name(op.kind) << ", layer "
                   << op.layer << ")");
      std::vector<std::vector<int>> filled(k);  // per row, per attention layer
      if (op.state)
        for (size_t r = 0; r < k; ++r) {
          const sharnn::SlotState sw = want.state(slots[r]);
          require_same_state(M.hp, sw, got.state(slots[r]));
          filled[r] = sw.filled;
        }
      for (sharnn::Buf b : {op.out, op.out8}) {
        if (b == sharnn::Buf::kNone) continue;
        const std::vector<int64_t> w = want.read(b), g = got.read(b);
        const size_t cols = size_t(op.cols);
        for (size_t r = 0; r < k; ++r) {
          // Attention probabilities exist for the filled positions only.
          const size_t n = b == sharnn::Buf::kScores ? size_t(filled[r][size_t(attn_index[size_t(op.layer)])]) : cols;
          static const char* const kNames[] = {"-", "X", "Y", "N", "A", "B", "Big", "Scores", "Q8", "H8", "Pmf"};
          INFO("buffer " << kNames[int(b)] << ", row " << r);
          REQUIRE(std::vector<int64_t>(g.begin() + long(r * cols), g.begin() + long(r * cols + n)) ==
                  std::vector<int64_t>(w.begin() + long(r * cols), w.begin() + long(r * cols + n)));
        }
      }
    }
    want.finish();
    got.finish();
    REQUIRE(pg == pw);
  }
  return seen;
}

}  // namespace shz::test
