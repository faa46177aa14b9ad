// Each CUDA operation run on its own, from host vectors to host vectors, so tests can compare
// it with the CPU reference exactly (tests/test_cuda_ops.cpp). No CUDA types here; in a
// build without CUDA every function throws Error(kUsage).
#pragma once

#include <cstdint>
#include <vector>

#include "model/sharnn/sharnn_model.h"

namespace shz::cuda::op_check {

// LayerNorm of k rows of d; with q non-null also their int8 quantisation with multiplier m.
std::vector<int32_t> layernorm(const std::vector<int32_t>& x, int k, int d, const sharnn::QLayerNorm& ln, int32_t m,
                               std::vector<int8_t>* q);

// acc [k][rows] = x [k][cols] times the rows of w.
std::vector<int32_t> matmul(const sharnn::QLinear& w, const std::vector<int8_t>& x, int k);

// One LSTM step of k streams (slot r = row r): gate products a, b [k][4d]; c and h8 [k][d]
// are updated in place; returns h as Q8 activations [k][d].
std::vector<int32_t> lstm(const std::vector<int32_t>& a, const std::vector<int32_t>& b, int k, int d,
                          const sharnn::QLinear& ih, const sharnn::QLinear& hh, std::vector<int32_t>& c,
                          std::vector<int8_t>& h8);

// One stream's attention: rows [n][d] written in order into a ring of `window` (n may exceed
// it), then scores and softmax for query q [d] (probabilities out, [filled]) and the mix,
// gated and added to y2: returns out [d].
std::vector<int32_t> attention(const std::vector<int8_t>& rows, int n, int window, int d, const std::vector<int32_t>& q,
                               int shift, const std::vector<int32_t>& gate, const std::vector<int32_t>& y2,
                               std::vector<int32_t>* probs);

// Boom output of k rows: big [k][boom] products, hf [k][d]; returns x [k][d].
std::vector<int32_t> boom(const std::vector<int32_t>& big, const std::vector<int32_t>& hf, int k, int d,
                          const sharnn::QLinear& w_boom);

// The output layer: products acc [k][256] -> pmfs [k][256].
std::vector<uint32_t> head_pmf(const std::vector<int32_t>& acc, int k, const sharnn::QLinear& head);

}  // namespace shz::cuda::op_check
