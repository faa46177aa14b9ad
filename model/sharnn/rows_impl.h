// The engine's element-wise row operations, written as plain loops over sharnn_ops.h.
// This file is included into one translation unit per instruction set (rows_scalar.cpp,
// rows_avx2.cpp, rows_avx512.cpp), each inside its own namespace and compiled with its own
// -m flags and -O3, so the compiler vectorises the same integer source for each CPU. Integer
// arithmetic has one result however it is vectorised, so the three are identical; the tests
// check it. No #pragma once: it is meant to be included several times.

// LayerNorm of k rows of d, then, when q is given, their int8 quantisation with multiplier m.
static void ln_rows(const int32_t* x, int k, int d, const QLayerNorm& ln, int32_t* y, int32_t m, int8_t* q) {
  for (int r = 0; r < k; ++r) {
    const int32_t* xr = x + size_t(r) * size_t(d);
    int32_t* yr = y + size_t(r) * size_t(d);
    layernorm_row(xr, d, ln.gamma.data(), ln.beta.data(), yr);
    if (q) {
      int8_t* qr = q + size_t(r) * size_t(d);
      for (int i = 0; i < d; ++i) qr[i] = quantize_i8(yr[i], m);
    }
  }
}

// LSTM step for k rows: a = W_ih products [k][4d], b = W_hh products [k][4d]; c[r] and h8[r]
// are row r's cell state and int8 output (updated); y receives h as Q8 activations [k][d].
// Each pass is a simple loop over one element function, so that it vectorises (table
// lookups become gathers).
static void lstm_rows(const int32_t* a, const int32_t* b, int k, int d, const QLinear& ih, const QLinear& hh,
                      int32_t* const* c, int8_t* const* h8, int32_t* y, int32_t* scratch /* 4d */) {
  const int g4 = 4 * d;
  for (int r = 0; r < k; ++r) {
    const int32_t* ar = a + size_t(r) * size_t(g4);
    const int32_t* br = b + size_t(r) * size_t(g4);
    int32_t* __restrict s = scratch;
    for (int o = 0; o < g4; ++o)
      s[o] = sat_act(int64_t(requant(ar[o], ih.m[size_t(o)], ih.b[size_t(o)])) +
                     requant(br[o], hh.m[size_t(o)], hh.b[size_t(o)]));
    for (int o = 0; o < 2 * d; ++o) s[o] = sigmoid_q15(s[o]);  // i, f
    for (int o = 2 * d; o < 3 * d; ++o) s[o] = tanh_q15(s[o]);  // g
    for (int o = 3 * d; o < g4; ++o) s[o] = sigmoid_q15(s[o]);  // o
    int32_t* __restrict cr = c[r];
    for (int u = 0; u < d; ++u) cr[u] = lstm_cell(s[u], s[d + u], s[2 * d + u], cr[u]);
    int8_t* __restrict hr = h8[r];
    int32_t* __restrict yr = y + size_t(r) * size_t(d);
    for (int u = 0; u < d; ++u) {
      const int32_t h = lstm_out(s[3 * d + u], cr[u]);
      hr[u] = lstm_h_i8(h);
      yr[u] = lstm_h_q8(h);
    }
  }
}

// Boom output for k rows: x = sat(hf + sum over chunks of gelu(requant(big))). The sum of
// at most 17 terms of magnitude <= 2^20 fits in int32; it is saturated once, at the end.
// big is overwritten with the GELU outputs (a separate pass, so that it vectorises).
static void boom_rows(int32_t* big, const int32_t* hf, int k, int d, const QLinear& L, int32_t* x) {
  const int boom = L.rows;
  for (int r = 0; r < k; ++r) {
    int32_t* __restrict br = big + size_t(r) * size_t(boom);
    const int32_t* __restrict hr = hf + size_t(r) * size_t(d);
    int32_t* __restrict xr = x + size_t(r) * size_t(d);
    for (int o = 0; o < boom; ++o) br[o] = requant(br[o], L.m[size_t(o)], L.b[size_t(o)]);
    for (int o = 0; o < boom; ++o) br[o] = gelu_q8(br[o]);
    for (int i = 0; i < d; ++i) xr[i] = hr[i];
    for (int c0 = 0; c0 < boom; c0 += d)
      for (int i = 0; i < d; ++i) xr[i] += br[c0 + i];
    for (int i = 0; i < d; ++i) xr[i] = sat_act(xr[i]);
  }
}

// Output layer for k rows: logits = requant(acc) and their pmf into pmf[r].
static void head_rows(const int32_t* acc, int k, const QLinear& head, uint32_t* const* pmf) {
  int32_t logits[256];
  for (int r = 0; r < k; ++r) {
    const int32_t* ar = acc + size_t(r) * 256;
    for (int s = 0; s < 256; ++s) logits[s] = requant(ar[s], head.m[size_t(s)], head.b[size_t(s)]);
    logits_to_pmf(logits, pmf[r]);
  }
}

// Attention weights of one row: p = softmax_q15(sat_act(score >> shift)), Q15, in place in p.
static void attn_probs(const int64_t* scores, int n, int shift, int32_t* p) {
  for (int j = 0; j < n; ++j) p[j] = sat_act(scores[j] >> shift);
  softmax_q15(p, n, p);
}

static const RowOps kRowOps = {ln_rows, lstm_rows, boom_rows, head_rows, attn_probs};
