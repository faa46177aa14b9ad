// The attention head on the GPU. Memories: mem[((slot * attn_layers + a) * window + pos) * d + i]
// (int8), ring head and fill count per (slot, a). The CPU sums over ring positions in storage
// order; every sum is exact, so position order does not matter on either side.
#pragma once

#include <cstdint>

namespace shz::cuda {

struct AttnState {
  int8_t* mem;
  int* head;    // [slots][attn_layers]
  int* filled;  // [slots][attn_layers]
  int attn_layers, window, d;
};

// Appends rows[r] (int8 [d]) to slot slots[r]'s memory of attention layer a.
void attn_write(const AttnState& s, const int8_t* rows, const int* slots, int k, int a);

// scores[r * window + j] = sat(sum_i sat16(q[r][i]) * mem_j[i] >> shift) for j < filled, then
// in place the Q15 softmax of those scores (sharnn_ops.h softmax_q15).
void attn_scores_softmax(const AttnState& s, const int32_t* q, const int* slots, int k, int a, int shift,
                         int32_t* scores);

// out[r][i] = sat(y2[r][i] + attn_out(sum_j p[r][j] * mem_j[i], gate[i])).
void attn_mix(const AttnState& s, const int32_t* p, const int* slots, int k, int a, const int32_t* gate,
              const int32_t* y2, int32_t* out);

}  // namespace shz::cuda
