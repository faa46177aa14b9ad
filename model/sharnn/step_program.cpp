#include "step_program.h"

#include <algorithm>

namespace shz::sharnn {
namespace {

Op make(OpKind kind, int layer, Buf in, Buf out, int cols) {
  Op op;
  op.kind = kind;
  op.layer = layer;
  op.in = in;
  op.out = out;
  op.cols = cols;
  return op;
}

Op layernorm(int layer, LnId ln, Buf in, Buf out, Buf out8, int32_t m, int d) {
  Op op = make(OpKind::kLayerNorm, layer, in, out, d);
  op.ln = ln;
  op.out8 = out8;
  op.m = m;
  return op;
}

Op matmul(int layer, WeightId w, Buf in, Buf out, int rows) {
  Op op = make(OpKind::kMatMul, layer, in, out, rows);
  op.weight = w;
  return op;
}

}  // namespace

std::vector<Op> step_program(const Model& M, bool head_adaptation) {
  const int d = M.hp.d_model, W = M.hp.window, boom = M.hp.boom_dim;
  std::vector<Op> p;
  if (head_adaptation) {
    Op learn = make(OpKind::kHeadLearn, -1, Buf::kNone, Buf::kNone, 0);
    learn.state = true;
    p.push_back(learn);
  }
  p.push_back(make(OpKind::kEmbed, -1, Buf::kNone, Buf::kX, d));
  for (int l = 0; l < M.hp.n_layers; ++l) {
    const Layer& L = M.layers[size_t(l)];
    // LayerNorm -> LSTM.
    p.push_back(layernorm(l, LnId::kStart, Buf::kX, Buf::kN, Buf::kQ8, L.lstm_in_m, d));
    Op gather = make(OpKind::kGatherH, l, Buf::kNone, Buf::kNone, d);
    gather.out8 = Buf::kH8;
    gather.state = true;
    p.push_back(gather);
    p.push_back(matmul(l, WeightId::kIh, Buf::kQ8, Buf::kA, 4 * d));
    p.push_back(matmul(l, WeightId::kHh, Buf::kH8, Buf::kB, 4 * d));
    Op lstm = make(OpKind::kLstm, l, Buf::kA, Buf::kY, d);
    lstm.in2 = Buf::kB;
    lstm.state = true;
    p.push_back(lstm);
    // Single-head attention over the last `window` positions (this one included).
    if (M.hp.has_attn(l)) {
      p.push_back(layernorm(l, LnId::kMem, Buf::kY, Buf::kN, Buf::kH8, L.mem_m, d));
      Op write = make(OpKind::kAttnWrite, l, Buf::kH8, Buf::kNone, 0);
      write.state = true;
      p.push_back(write);
      p.push_back(layernorm(l, LnId::kMid, Buf::kY, Buf::kN, Buf::kQ8, L.q_in_m, d));  // N = y2
      p.push_back(matmul(l, WeightId::kQ, Buf::kQ8, Buf::kA, d));
      Op requant = make(OpKind::kRequant, l, Buf::kA, Buf::kB, d);
      requant.weight = WeightId::kQ;
      p.push_back(requant);
      p.push_back(layernorm(l, LnId::kQ, Buf::kB, Buf::kB, Buf::kNone, 0, d));
      Op scores = make(OpKind::kAttnScores, l, Buf::kB, Buf::kScores, W);
      scores.state = true;
      p.push_back(scores);
      Op mix = make(OpKind::kAttnMix, l, Buf::kScores, Buf::kY, d);
      mix.in2 = Buf::kN;
      mix.state = true;
      p.push_back(mix);
    }
    // Boom: LN -> Linear(d -> boom) -> GELU -> sum of the boom/d chunks, added to LN(y).
    p.push_back(layernorm(l, LnId::kXff, Buf::kY, Buf::kN, Buf::kQ8, L.boom_in_m, d));
    p.push_back(layernorm(l, LnId::kFf, Buf::kY, Buf::kN, Buf::kNone, 0, d));  // N = hf
    p.push_back(matmul(l, WeightId::kBoom, Buf::kQ8, Buf::kBig, boom));
    Op b = make(OpKind::kBoom, l, Buf::kBig, Buf::kX, d);
    b.in2 = Buf::kN;
    b.weight = WeightId::kBoom;
    p.push_back(b);
  }
  // Output layer, tied to the embedding: logits -> the coder's pmf.
  Op q = make(OpKind::kQuantize, -1, Buf::kX, Buf::kNone, d);
  q.out8 = Buf::kQ8;
  q.m = M.head_in_m;
  p.push_back(q);
  p.push_back(matmul(-1, WeightId::kHead, Buf::kQ8, Buf::kBig, 256));
  if (head_adaptation) {
    Op adapt = make(OpKind::kHeadAdapt, -1, Buf::kQ8, Buf::kBig, 256);
    adapt.state = true;
    p.push_back(adapt);
  }
  Op pmf = make(OpKind::kHeadPmf, -1, Buf::kBig, Buf::kPmf, 256);
  pmf.weight = WeightId::kHead;
  p.push_back(pmf);
  return p;
}

const char* op_name(OpKind kind) {
  switch (kind) {
    case OpKind::kEmbed: return "embed";
    case OpKind::kLayerNorm: return "layernorm";
    case OpKind::kGatherH: return "lstm gather";
    case OpKind::kMatMul: return "matmul";
    case OpKind::kLstm: return "lstm";
    case OpKind::kAttnWrite: return "attention write";
    case OpKind::kRequant: return "requantise";
    case OpKind::kAttnScores: return "attention scores+softmax";
    case OpKind::kAttnMix: return "attention mix";
    case OpKind::kBoom: return "boom";
    case OpKind::kQuantize: return "quantise";
    case OpKind::kHeadPmf: return "output pmf";
    case OpKind::kHeadLearn: return "head adaptation (learn)";
    case OpKind::kHeadAdapt: return "head adaptation (logits)";
  }
  return "?";
}

const QLayerNorm& op_layernorm(const Model& M, const Op& op) {
  return layer_layernorm(M.layers.at(size_t(op.layer)), op.ln);
}

const QLinear& op_weight(const Model& M, const Op& op) {
  return op.weight == WeightId::kHead ? M.head : layer_weight(M.layers.at(size_t(op.layer)), op.weight);
}

size_t buf_cols(const HyperParams& hp, Buf b) {
  const size_t d = size_t(hp.d_model);
  switch (b) {
    case Buf::kA:
    case Buf::kB: return 4 * d;
    case Buf::kBig: return std::max<size_t>(size_t(hp.boom_dim), 256);
    case Buf::kScores: return size_t(hp.window);
    case Buf::kPmf: return 256;
    case Buf::kNone: return 0;
    default: return d;
  }
}

}  // namespace shz::sharnn
