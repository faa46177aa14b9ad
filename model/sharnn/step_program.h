// The SHA-RNN's step as data: the ordered operations every backend executes (the CPU engine
// here, the CUDA backend in model/cuda), so the model's data flow is written once and a
// backend only says how it runs each kind of op (ggml's graph of ops is the model for this).
// tests/test_cuda_ops.cpp walks the same list, comparing the backends after every op.
//
// A step advances k rows (row r: one stream's slot and its input byte) through buffers of k
// rows each. An op reads `in` (and `in2`), writes `out` (`cols` values a row) and, for
// LayerNorm and Quantize, `out8` (the int8 quantisation of `out` with multiplier `m`, or of
// `in` for Quantize); `state` ops also read or write the rows' slots.
//   Embed       out = embed[byte]
//   LayerNorm   out = LN_ln(in); out8 = quantize_i8(out, m) when m != 0
//   GatherH     out8 = the slot's LSTM output h8 of `layer`
//   MatMul      out = weight x in (int8 rows), `cols` = the weight's rows
//   Lstm        (in, in2) = (W_ih, W_hh products) -> the slot's c, h8; out = h (Q8)
//   AttnWrite   in (int8) appended to the slot's attention ring of `layer`
//   Requant     out = requant(in, weight.m, weight.b)
//   AttnScores  out = softmax_q15((sat_i16(in) . ring) >> shift) over the filled positions
//   AttnMix     out = sat(in2 + attn_out(in . ring, gate))
//   Boom        out = sat(in2 + sum of the boom/d chunks of gelu(requant(in)))
//   Quantize    out8 = quantize_i8(in, m)
//   HeadPmf     the coder's pmf from the output products `in`
//   HeadLearn, HeadAdapt   development only (no archive uses them, the CPU alone runs them):
//               the output layer's online adaptation (ShaRnnPredictor::set_head_adaptation)
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sharnn_model.h"

namespace shz::sharnn {

// int32 buffers: X (the residual stream), Y, N, A, B, Big, Scores; int8: Q8, H8; Pmf (uint32).
enum class Buf : uint8_t { kNone, kX, kY, kN, kA, kB, kBig, kScores, kQ8, kH8, kPmf };
enum class OpKind : uint8_t {
  kEmbed, kLayerNorm, kGatherH, kMatMul, kLstm, kAttnWrite, kRequant, kAttnScores, kAttnMix, kBoom,
  kQuantize, kHeadPmf, kHeadLearn, kHeadAdapt
};
enum class LnId : uint8_t { kNone, kStart, kMem, kMid, kQ, kFf, kXff };
enum class WeightId : uint8_t { kNone, kIh, kHh, kQ, kBoom, kHead };

struct Op {
  OpKind kind = OpKind::kEmbed;
  int layer = -1;  // -1: the embedding and output layer
  Buf in = Buf::kNone, in2 = Buf::kNone, out = Buf::kNone, out8 = Buf::kNone;
  LnId ln = LnId::kNone;
  WeightId weight = WeightId::kNone;
  int32_t m = 0;       // int8 quantisation multiplier of out8
  int cols = 0;        // values a row in out / out8
  bool state = false;  // touches slot state
};

// The step of model `M`; with head_adaptation the development-only adaptation ops included.
std::vector<Op> step_program(const Model& M, bool head_adaptation = false);

const char* op_name(OpKind kind);

// A layer's LayerNorm or weight named by id, in any backend's layer type with the fields of
// Layer (ln_start ... w_boom): the CPU's Layer, the GPU's copy of it.
template <class L>
auto& layer_layernorm(L& layer, LnId id) {
  switch (id) {
    case LnId::kStart: return layer.ln_start;
    case LnId::kMem: return layer.ln_mem;
    case LnId::kMid: return layer.ln_mid;
    case LnId::kQ: return layer.ln_q;
    case LnId::kFf: return layer.ln_ff;
    case LnId::kXff: return layer.ln_xff;
    case LnId::kNone: break;
  }
  throw std::logic_error("step program: a LayerNorm op names no LayerNorm");
}
template <class L>
auto& layer_weight(L& layer, WeightId id) {
  switch (id) {
    case WeightId::kIh: return layer.w_ih;
    case WeightId::kHh: return layer.w_hh;
    case WeightId::kQ: return layer.w_q;
    case WeightId::kBoom: return layer.w_boom;
    case WeightId::kHead:  // the output layer is the model's, not a layer's
    case WeightId::kNone: break;
  }
  throw std::logic_error("step program: an op names no layer weight");
}

// What an op names, resolved against the model.
const QLayerNorm& op_layernorm(const Model& M, const Op& op);
const QLinear& op_weight(const Model& M, const Op& op);
// Values a row in buffer b (its capacity; an op may use fewer, Op::cols).
size_t buf_cols(const HyperParams& hp, Buf b);

}  // namespace shz::sharnn
