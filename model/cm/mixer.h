// A gated logistic mixer: a weighted sum of its inputs (each a prediction in the stretch
// domain, Q8 nats), squashed into a probability, with one weight set per value of a small
// selector context, trained online to minimise coding cost (PAQ's mixer). Two layers are
// built from it: several mixers, each selected by another context, and a final one that
// mixes their outputs.
//
// 32-bit integer arithmetic with every bound proven, so the loops vectorise and any order
// of summation gives the same result: inputs |x| < 2^12, weights Q16 within ±2^19 (±8),
// so each product fits 31 bits; products are summed after >> 8 (at most 2^23 each, 256
// inputs at most), and the error is taken in Q12 for training (|x·e| < 2^24).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/stages/logistic.h"

namespace shz::cm {

// Σ floor(x[i]·w[i] / 2^8) over n (a multiple of 8) entries.
int32_t mixer_dot(const int32_t* x, const int32_t* w, int n);
// w[i] = clamp(w[i] + floor(x[i]·e / 2^shift), ±2^19) over n (a multiple of 8) entries.
void mixer_train(const int32_t* x, int32_t* w, int n, int32_t e, int shift);

// The same for kBank weight vectors over one input vector, in one pass: a layer of mixers
// reads its inputs once instead of once a mixer (the context mixing's first layer: six).
// The vectors must not overlap one another or x.
constexpr int kBank = 6;
void mixer_dot_bank(const int32_t* x, int32_t* const w[kBank], int n, int32_t sums[kBank]);
void mixer_train_bank(const int32_t* x, int32_t* const w[kBank], int n, const int32_t e[kBank],
                      const int shift[kBank]);

class Mixer {
 public:
  static constexpr int32_t kMaxWeight = 1 << 19;
  static constexpr int kMaxInputs = 256;

  // Inputs are padded to a multiple of 8 (the caller zeroes the padding).
  static constexpr int padded(int n) { return (n + 7) & ~7; }

  // n inputs, `sets` weight sets all starting at w0 (Q16), learning rate 2^-lr_shift
  // (of the Q12 error times the Q8 input, in Q16 weight units).
  void reset(int n, int sets, int32_t w0, int lr_shift) {
    n_ = padded(n);
    lr_shift_ = lr_shift;
    w_.assign(size_t(n_) * size_t(sets), 0);
    seen_.assign(size_t(sets), 0);
    for (int s = 0; s < sets; ++s) std::fill_n(&w_[size_t(s) * size_t(n_)], n, w0);
  }
  // The mix of x[0..padded(n)) under weight set s, in the stretch domain (clamped to
  // squash's range); remembers s and x for update(). With `active` (a multiple of 8), only
  // x[0..active) is read, the caller vouching that the rest is 0: the same mix and the same
  // update, for less work.
  int mix(const int32_t* x, int s, int active = 0) {
    const int32_t* w = select(x, s, active);
    return finish(mixer_dot(x, w, active_));
  }
  uint32_t p() const { return p_; }  // squash of the last mix (Q16)
  // Gradient step on the last mix's coding cost for bit y.
  void update(int y) {
    int shift;
    const int32_t err = error(y, shift);
    mixer_train(x_, w_cur_, active_, err, shift);
  }

  // mix() and update() in parts, for a caller that runs several mixers' loops together
  // (mixer_dot_bank): select() the weight set and remember x, finish() with the dot product,
  // and error() gives the step update() would train with (and counts the update, as
  // update() does: call it once a bit, then train).
  int32_t* select(const int32_t* x, int s, int active = 0) {
    x_ = x;
    active_ = active > 0 ? active : n_;
    w_cur_ = &w_[size_t(s) * size_t(n_)];
    seen_cur_ = &seen_[size_t(s)];
    return w_cur_;
  }
  int active() const { return active_; }
  int finish(int32_t sum) {
    const int32_t dot = sum >= 0 ? sum >> 8 : ~(~sum >> 8);  // floor(sum / 2^8)
    out_ = std::clamp(dot, -logistic::kLimit, logistic::kLimit - 1);
    p_ = std::clamp<uint32_t>(logistic::squash(out_), 1, 65535);
    return out_;
  }
  int32_t error(int y, int& shift) {
    const int32_t d = (int32_t(y) << 16) - int32_t(p_);
    // A fresh weight set learns faster: rate x4 for its first 32 updates, x2 up to 512.
    const uint32_t n = *seen_cur_;
    shift = lr_shift_ - (n < 32 ? 2 : n < 512 ? 1 : 0);
    if (n < 65535) ++*seen_cur_;
    return d >= 0 ? d >> 4 : ~(~d >> 4);  // Q12
  }

 private:
  int n_ = 0, lr_shift_ = 10, active_ = 0;
  std::vector<uint16_t> seen_;  // updates of each weight set, up to 65535
  uint16_t* seen_cur_ = nullptr;
  std::vector<int32_t> w_;
  const int32_t* x_ = nullptr;
  int32_t* w_cur_ = nullptr;
  int out_ = 0;
  uint32_t p_ = 32768;
};

}  // namespace shz::cm
