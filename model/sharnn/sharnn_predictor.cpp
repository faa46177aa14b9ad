#include "sharnn_predictor.h"

#include <algorithm>
#include <cstring>

#include "rows.h"
#include "sharnn_ops.h"

namespace shz::sharnn {
ShaRnnPredictor::ShaRnnPredictor(std::shared_ptr<const Model> model, ModelIdentity id, SimdLevel level, size_t batch)
    : model_(std::move(model)), id_(std::move(id)), level_(level), batch_(batch ? batch : 1) {
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

int ShaRnnPredictor::pmf_bits() const { return kPmfBits; }

uint64_t ShaRnnPredictor::default_segment_size() const { return uint64_t(64) << 10; }

void ShaRnnPredictor::begin(size_t streams) {
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

void ShaRnnPredictor::reset(size_t slot) {
  Slot& s = slots_[slot];
  for (LayerState& st : s.layers) {
    std::fill(st.h8.begin(), st.h8.end(), int8_t(0));
    std::fill(st.c.begin(), st.c.end(), 0);
    st.filled = 0;
    st.head = 0;
  }
  s.fresh = true;
  if (adapt_shift_) {
    s.adapt.assign(256 * size_t(model_->hp.d_model), 0);
    s.hq.assign(size_t(model_->hp.d_model), 0);
  }
}

void ShaRnnPredictor::predict(const size_t* slots, size_t n, uint32_t* pmfs) {
  fresh_.clear();
  for (size_t i = 0; i < n; ++i)
    if (slots_[slots[i]].fresh) fresh_.push_back(slots[i]);
  if (!fresh_.empty()) {
    zeros_.assign(fresh_.size(), 0);  // the implicit byte before a segment
    step(fresh_.data(), fresh_.size(), zeros_.data());
  }
  for (size_t i = 0; i < n; ++i) std::memcpy(pmfs + 256 * i, slots_[slots[i]].pmf, sizeof(uint32_t) * 256);
}

void ShaRnnPredictor::update(const size_t* slots, size_t n, const uint8_t* bytes) {
  if (adapt_shift_) head_adapt_learn(slots, n, bytes);
  if (n) step(slots, n, bytes);
}

void ShaRnnPredictor::head_adapt_learn(const size_t* slots, size_t n, const uint8_t* bytes) {
  const int d = model_->hp.d_model;
  const int32_t half = int32_t(1) << (adapt_shift_ - 1);
  for (size_t r = 0; r < n; ++r) {
    Slot& sl = slots_[slots[r]];
    for (int s = 0; s < 256; ++s) {
      const int32_t e = (s == bytes[r] ? 65536 : 0) - int32_t(sl.pmf[s]);  // Q16
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

void ShaRnnPredictor::head_adapt_logits(const size_t* slots, size_t k) {
  const int d = model_->hp.d_model;
  for (size_t r = 0; r < k; ++r) {
    Slot& sl = slots_[slots[r]];
    const int8_t* q = &q8_[r * size_t(d)];
    std::memcpy(sl.hq.data(), q, size_t(d));
    for (int s = 0; s < 256; ++s) {
      const int16_t* a = &sl.adapt[size_t(s) * size_t(d)];
      int64_t sum = 0;
      for (int i = 0; i < d; ++i) sum += int32_t(a[i]) * q[i];
      big_[r * 256 + size_t(s)] += int32_t(sum >> 8);  // a floor: arithmetic shift
    }
  }
}

void ShaRnnPredictor::attention(const Layer& L, LayerState& st, const int32_t* y2, const int32_t* q, int32_t* out) {
  const int d = model_->hp.d_model;
  const int n = st.filled;  // ring order does not matter: every sum below is exact
  q16_.resize(size_t(d));
  for (int i = 0; i < d; ++i) q16_[size_t(i)] = int16_t(q[i]);
  scores64_.resize(size_t(n));
  scores_.resize(size_t(n));
  mix_.resize(size_t(d));
  attn_scores(st.mem, q16_.data(), n, scores64_.data());
  row_ops(level_).attn_probs(scores64_.data(), n, L.attn_shift, scores_.data());  // Q15
  attn_mix(st.mem, scores_.data(), n, mix_.data());
  for (int i = 0; i < d; ++i) out[i] = sat_act(int64_t(y2[i]) + attn_out(mix_[size_t(i)], L.gate[size_t(i)]));
}

void ShaRnnPredictor::step(const size_t* slots, size_t k, const uint8_t* bytes) {
  const Model& M = *model_;
  const RowOps& ops = row_ops(level_);
  const int d = M.hp.d_model;
  const int ki = int(k);
  const size_t kd = k * size_t(d);
  const int boom = M.hp.boom_dim;
  x_.resize(kd);
  y_.resize(kd);
  n_.resize(kd);
  a_.resize(4 * kd);
  b_.resize(4 * kd);
  big_.resize(k * size_t(std::max(boom, 256)));
  q8_.resize(kd);
  h8_.resize(kd);
  gates_.resize(4 * size_t(d));
  c_ptr_.resize(k);
  h_ptr_.resize(k);
  pmf_ptr_.resize(k);

  for (size_t r = 0; r < k; ++r)
    for (int i = 0; i < d; ++i) x_[r * size_t(d) + size_t(i)] = M.embed[size_t(bytes[r]) * size_t(d) + size_t(i)];

  for (int l = 0; l < M.hp.n_layers; ++l) {
    const Layer& L = M.layers[size_t(l)];
    const Packed& P = packed_[size_t(l)];
    // LayerNorm -> LSTM.
    ops.ln(x_.data(), ki, d, L.ln_start, n_.data(), L.lstm_in_m, q8_.data());
    for (size_t r = 0; r < k; ++r) {
      LayerState& st = slots_[slots[r]].layers[size_t(l)];
      std::memcpy(&h8_[r * size_t(d)], st.h8.data(), size_t(d));
      c_ptr_[r] = st.c.data();
      h_ptr_[r] = st.h8.data();
    }
    matmul(P.w_ih, q8_.data(), ki, a_.data());
    matmul(P.w_hh, h8_.data(), ki, b_.data());
    ops.lstm(a_.data(), b_.data(), ki, d, L.w_ih, L.w_hh, c_ptr_.data(), h_ptr_.data(), y_.data(), gates_.data());
    // Single-head attention over the last `window` positions (this one included).
    if (M.hp.has_attn(l)) {
      ops.ln(y_.data(), ki, d, L.ln_mem, n_.data(), L.mem_m, h8_.data());
      for (size_t r = 0; r < k; ++r) {
        LayerState& st = slots_[slots[r]].layers[size_t(l)];
        attn_memory_write(st.mem, st.head, &h8_[r * size_t(d)]);
        st.head = (st.head + 1) % M.hp.window;
        st.filled = std::min(st.filled + 1, M.hp.window);
      }
      ops.ln(y_.data(), ki, d, L.ln_mid, n_.data(), L.q_in_m, q8_.data());  // n_ = y2
      matmul(P.w_q, q8_.data(), ki, a_.data());
      for (size_t r = 0; r < k; ++r) {
        int32_t* qr = &b_[r * size_t(d)];
        for (int i = 0; i < d; ++i) qr[i] = requant(a_[r * size_t(d) + size_t(i)], L.w_q.m[size_t(i)], L.w_q.b[size_t(i)]);
      }
      ops.ln(b_.data(), ki, d, L.ln_q, b_.data(), 0, nullptr);
      for (size_t r = 0; r < k; ++r) {
        int32_t* qr = &b_[r * size_t(d)];
        for (int i = 0; i < d; ++i) qr[i] = sat_i16(qr[i]);
        attention(L, slots_[slots[r]].layers[size_t(l)], &n_[r * size_t(d)], qr, &y_[r * size_t(d)]);
      }
    }
    // Boom: LN -> Linear(d -> boom) -> GELU -> sum of the boom/d chunks, added to LN(y).
    ops.ln(y_.data(), ki, d, L.ln_xff, n_.data(), L.boom_in_m, q8_.data());
    ops.ln(y_.data(), ki, d, L.ln_ff, n_.data(), 0, nullptr);  // hf
    matmul(P.w_boom, q8_.data(), ki, big_.data());
    ops.boom(big_.data(), n_.data(), ki, d, L.w_boom, x_.data());
  }
  // Output layer, tied to the embedding: logits -> the coder's pmf.
  for (size_t i = 0; i < kd; ++i) q8_[i] = quantize_i8(x_[i], M.head_in_m);
  matmul(head_, q8_.data(), ki, big_.data());
  if (adapt_shift_) head_adapt_logits(slots, k);
  for (size_t r = 0; r < k; ++r) {
    Slot& slot = slots_[slots[r]];
    pmf_ptr_[r] = slot.pmf;
    slot.fresh = false;
  }
  ops.head(big_.data(), ki, M.head, pmf_ptr_.data());
}

}  // namespace shz::sharnn
