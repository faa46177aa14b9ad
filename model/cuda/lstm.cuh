// The LSTM step on the GPU. Slot state lives in device arrays indexed by slot:
// c[(slot * layers + layer) * d + u] (Q15) and h8[...] (int8), as the CPU's per-slot vectors.
#pragma once

#include <cstdint>

namespace shz::cuda {

struct LstmState {
  int32_t* c;
  int8_t* h8;
  int layers, d;
};

// out[r * d + i] = h8 of slot slots[r] in `layer` (the recurrent matmul's input).
void lstm_gather_h8(const LstmState& s, const int* slots, int k, int layer, int8_t* out);

// a, b: W_ih and W_hh products [k][4d]; updates c and h8 of each row's slot; y gets h in Q8.
void lstm_step(const int32_t* a, const int32_t* b, int k, const int32_t* ih_m, const int32_t* ih_b,
               const int32_t* hh_m, const int32_t* hh_b, const LstmState& s, const int* slots, int layer,
               int32_t* y);

}  // namespace shz::cuda
