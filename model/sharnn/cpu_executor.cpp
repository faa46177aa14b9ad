#include "cpu_executor.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "rows.h"
#include "sharnn_ops.h"

namespace shz::sharnn {

CpuExecutor::CpuExecutor(std::shared_ptr<const Model> model, SimdLevel level) : model_(std::move(model)), level_(level) {
  for (const Layer& L : model_->layers) {
    Packed p;
    p.w_ih = matrix_pack(L.w_ih, level);
    p.w_hh = matrix_pack(L.w_hh, level);
    if (!L.w_q.w.empty()) p.w_q = matrix_pack(L.w_q, level);
    p.w_boom = matrix_pack(L.w_boom, level);
    packed_.push_back(std::move(p));
  }
  head_ = matrix_pack(model_->head, level);
}

void CpuExecutor::begin(size_t streams) {
  const HyperParams& hp = model_->hp;
  slots_.assign(streams, Slot{});
  for (Slot& s : slots_) {
    s.layers.resize(size_t(hp.n_layers));
    for (int l = 0; l < hp.n_layers; ++l) {
      LayerState& st = s.layers[size_t(l)];
      st.h8.assign(size_t(hp.d_model), 0);
      st.c.assign(size_t(hp.d_model), 0);
      if (hp.has_attn(l)) attn_memory_init(st.mem, level_, hp.window, hp.d_model);
    }
  }
  for (size_t i = 0; i < streams; ++i) reset(i);
}

void CpuExecutor::reset(size_t slot) {
  Slot& s = slots_[slot];
  for (LayerState& st : s.layers) {
    std::fill(st.h8.begin(), st.h8.end(), int8_t(0));
    std::fill(st.c.begin(), st.c.end(), 0);
    st.filled = 0;
    st.head = 0;
  }
  if (adapt_shift_) {
    s.adapt.assign(256 * size_t(model_->hp.d_model), 0);
    s.hq.assign(size_t(model_->hp.d_model), 0);
  }
}

void CpuExecutor::bind(const size_t* slots, size_t k, const uint8_t* bytes, uint32_t* const* pmfs) {
  slots_bound_.assign(slots, slots + k);
  bytes_.assign(bytes, bytes + k);
  pmf_dst_.assign(pmfs, pmfs + k);
  const HyperParams& hp = model_->hp;
  const size_t kd = k * size_t(hp.d_model);
  for (auto* v : {&x_, &y_, &n_}) v->resize(kd);
  a_.resize(4 * kd);
  b_.resize(4 * kd);
  big_.resize(k * buf_cols(hp, Buf::kBig));
  scores_.resize(k * buf_cols(hp, Buf::kScores));
  q8_.resize(kd);
  h8_.resize(kd);
}

int32_t* CpuExecutor::buf32(Buf b) {
  switch (b) {
    case Buf::kX: return x_.data();
    case Buf::kY: return y_.data();
    case Buf::kN: return n_.data();
    case Buf::kA: return a_.data();
    case Buf::kB: return b_.data();
    case Buf::kBig: return big_.data();
    case Buf::kScores: return scores_.data();
    default: throw std::logic_error("step program: not an int32 buffer");
  }
}

int8_t* CpuExecutor::buf8(Buf b) {
  if (b == Buf::kQ8) return q8_.data();
  if (b == Buf::kH8) return h8_.data();
  throw std::logic_error("step program: not an int8 buffer");
}

const PackedMatrix& CpuExecutor::packed(const Op& op) const {
  return op.weight == WeightId::kHead ? head_ : layer_weight(packed_.at(size_t(op.layer)), op.weight);
}

void CpuExecutor::run(const Op& op) {
  const Model& M = *model_;
  const RowOps& ops = row_ops(level_);
  const int d = M.hp.d_model;
  const size_t k = slots_bound_.size();
  const int ki = int(k);
  switch (op.kind) {
    case OpKind::kEmbed: {
      int32_t* x = buf32(op.out);
      for (size_t r = 0; r < k; ++r)
        for (int i = 0; i < d; ++i) x[r * size_t(d) + size_t(i)] = M.embed[size_t(bytes_[r]) * size_t(d) + size_t(i)];
      return;
    }
    case OpKind::kLayerNorm:
      ops.ln(buf32(op.in), ki, d, op_layernorm(M, op), buf32(op.out), op.m, op.m ? buf8(op.out8) : nullptr);
      return;
    case OpKind::kGatherH: {
      int8_t* h = buf8(op.out8);
      for (size_t r = 0; r < k; ++r) std::memcpy(h + r * size_t(d), layer_state(r, op.layer).h8.data(), size_t(d));
      return;
    }
    case OpKind::kMatMul:
      matmul(packed(op), buf8(op.in), ki, buf32(op.out));
      return;
    case OpKind::kLstm: return lstm(op);
    case OpKind::kAttnWrite: return attn_write(op);
    case OpKind::kRequant: {
      const QLinear& w = op_weight(M, op);
      const int32_t* a = buf32(op.in);
      int32_t* out = buf32(op.out);
      for (size_t r = 0; r < k; ++r)
        for (int i = 0; i < op.cols; ++i) {
          const size_t j = r * size_t(op.cols) + size_t(i);
          out[j] = requant(a[j], w.m[size_t(i)], w.b[size_t(i)]);
        }
      return;
    }
    case OpKind::kAttnScores: return attn_scores(op);
    case OpKind::kAttnMix: return attn_mix(op);
    case OpKind::kBoom:
      ops.boom(buf32(op.in), buf32(op.in2), ki, d, op_weight(M, op), buf32(op.out));
      return;
    case OpKind::kQuantize: {
      const int32_t* x = buf32(op.in);
      int8_t* q = buf8(op.out8);
      for (size_t i = 0; i < k * size_t(d); ++i) q[i] = quantize_i8(x[i], op.m);
      return;
    }
    case OpKind::kHeadPmf:
      ops.head(buf32(op.in), ki, op_weight(M, op), pmf_dst_.data());
      return;
    case OpKind::kHeadLearn: return head_learn();
    case OpKind::kHeadAdapt: return head_adapt(op);
  }
}

void CpuExecutor::lstm(const Op& op) {
  const int d = model_->hp.d_model;
  const size_t k = slots_bound_.size();
  const Layer& L = model_->layers[size_t(op.layer)];
  c_ptr_.resize(k);
  h_ptr_.resize(k);
  gates_.resize(4 * size_t(d));
  for (size_t r = 0; r < k; ++r) {
    LayerState& st = layer_state(r, op.layer);
    c_ptr_[r] = st.c.data();
    h_ptr_[r] = st.h8.data();
  }
  row_ops(level_).lstm(buf32(op.in), buf32(op.in2), int(k), d, L.w_ih, L.w_hh, c_ptr_.data(), h_ptr_.data(),
                       buf32(op.out), gates_.data());
}

void CpuExecutor::attn_write(const Op& op) {
  const int d = model_->hp.d_model, W = model_->hp.window;
  const int8_t* rows = buf8(op.in);
  for (size_t r = 0; r < slots_bound_.size(); ++r) {
    LayerState& st = layer_state(r, op.layer);
    attn_memory_write(st.mem, st.head, rows + r * size_t(d));
    st.head = (st.head + 1) % W;
    st.filled = std::min(st.filled + 1, W);
  }
}

void CpuExecutor::attn_scores(const Op& op) {
  const int d = model_->hp.d_model;
  const int shift = model_->layers[size_t(op.layer)].attn_shift;
  const int32_t* q = buf32(op.in);
  int32_t* p = buf32(op.out);
  q16_.resize(size_t(d));
  scores64_.resize(size_t(model_->hp.window));
  for (size_t r = 0; r < slots_bound_.size(); ++r) {
    const LayerState& st = layer_state(r, op.layer);
    const int n = st.filled;  // ring order does not matter: every sum is exact
    for (int i = 0; i < d; ++i) q16_[size_t(i)] = int16_t(sat_i16(q[r * size_t(d) + size_t(i)]));
    sharnn::attn_scores(st.mem, q16_.data(), n, scores64_.data());
    row_ops(level_).attn_probs(scores64_.data(), n, shift, p + r * size_t(op.cols));  // Q15
  }
}

void CpuExecutor::attn_mix(const Op& op) {
  const int d = model_->hp.d_model;
  const std::vector<int32_t>& gate = model_->layers[size_t(op.layer)].gate;
  const int32_t* p = buf32(op.in);
  const int32_t* y2 = buf32(op.in2);
  int32_t* out = buf32(op.out);
  const size_t pcols = size_t(model_->hp.window);
  mix_.resize(size_t(d));
  for (size_t r = 0; r < slots_bound_.size(); ++r) {
    const LayerState& st = layer_state(r, op.layer);
    sharnn::attn_mix(st.mem, p + r * pcols, st.filled, mix_.data());
    const size_t o = r * size_t(d);
    for (int i = 0; i < d; ++i)
      out[o + size_t(i)] = sat_act(int64_t(y2[o + size_t(i)]) + attn_out(mix_[size_t(i)], gate[size_t(i)]));
  }
}

void CpuExecutor::head_learn() {
  if (!adapt_shift_) return;
  const int d = model_->hp.d_model;
  const int32_t half = int32_t(1) << (adapt_shift_ - 1);
  for (size_t r = 0; r < slots_bound_.size(); ++r) {
    Slot& sl = slots_[slots_bound_[r]];
    const uint32_t* pmf = pmf_dst_[r];  // still the previous step's (a fresh slot's hq is 0: no change)
    for (int s = 0; s < 256; ++s) {
      const int32_t e = (s == bytes_[r] ? 65536 : 0) - int32_t(pmf[s]);  // Q16
      if (e > -64 && e < 64) continue;  // rounds to no change for any input
      int16_t* a = &sl.adapt[size_t(s) * size_t(d)];
      for (int i = 0; i < d; ++i) {
        // Rounded to nearest: a floor would pull every weight down a unit per byte.
        const int32_t u = a[i] + ((e * sl.hq[size_t(i)] + half) >> adapt_shift_);
        a[i] = int16_t(u > 32767 ? 32767 : u < -32767 ? -32767 : u);
      }
    }
  }
}

void CpuExecutor::head_adapt(const Op& op) {
  if (!adapt_shift_) return;
  const int d = model_->hp.d_model;
  int32_t* logits = buf32(op.out);
  for (size_t r = 0; r < slots_bound_.size(); ++r) {
    Slot& sl = slots_[slots_bound_[r]];
    const int8_t* q = buf8(op.in) + r * size_t(d);
    std::memcpy(sl.hq.data(), q, size_t(d));
    for (int s = 0; s < 256; ++s) {
      const int16_t* a = &sl.adapt[size_t(s) * size_t(d)];
      int64_t sum = 0;
      for (int i = 0; i < d; ++i) sum += int32_t(a[i]) * q[i];
      logits[r * 256 + size_t(s)] += int32_t(sum >> 8);  // a floor: arithmetic shift
    }
  }
}

std::vector<int64_t> CpuExecutor::read(Buf b) {
  const size_t k = slots_bound_.size(), cols = buf_cols(model_->hp, b);
  std::vector<int64_t> v(k * cols);
  if (b == Buf::kPmf) {
    for (size_t r = 0; r < k; ++r) std::copy(pmf_dst_[r], pmf_dst_[r] + 256, v.begin() + long(r * 256));
  } else if (b == Buf::kQ8 || b == Buf::kH8) {
    std::copy(buf8(b), buf8(b) + v.size(), v.begin());
  } else {
    std::copy(buf32(b), buf32(b) + v.size(), v.begin());
  }
  return v;
}

SlotState CpuExecutor::state(size_t slot) {
  const HyperParams& hp = model_->hp;
  const size_t d = size_t(hp.d_model);
  SlotState s;
  std::vector<int8_t> row(d);
  for (int l = 0; l < hp.n_layers; ++l) {
    const LayerState& st = slots_[slot].layers[size_t(l)];
    s.h8.insert(s.h8.end(), st.h8.begin(), st.h8.end());
    s.c.insert(s.c.end(), st.c.begin(), st.c.end());
    if (!hp.has_attn(l)) continue;
    for (int pos = 0; pos < hp.window; ++pos) {
      attn_memory_read(st.mem, pos, row.data());
      s.mem.insert(s.mem.end(), row.begin(), row.end());
    }
    s.head.push_back(st.head);
    s.filled.push_back(st.filled);
  }
  return s;
}

}  // namespace shz::sharnn
