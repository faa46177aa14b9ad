// Host wrappers that run one CUDA operation on uploaded inputs and download its outputs, for
// the per-operation equality tests. Slow on purpose (allocations and copies per call).
#include "op_check.h"

#include "attention.cuh"
#include "boom.cuh"
#include "cuda_check.cuh"
#include "device_array.cuh"
#include "layernorm.cuh"
#include "lstm.cuh"
#include "matmul.cuh"
#include "rows_io.cuh"

namespace shz::cuda::op_check {
namespace {

template <class T>
DeviceArray<T> up(const std::vector<T>& v) {
  DeviceArray<T> d;
  d.upload(v);
  return d;
}

// Slots 0..k-1 on the device: the operations address state by slot.
DeviceArray<int> identity_slots(int k) {
  std::vector<int> s(static_cast<size_t>(k));
  for (int r = 0; r < k; ++r) s[size_t(r)] = r;
  return up(s);
}

void finish() {
  SHZ_CUDA_CHECK(cudaGetLastError());
  SHZ_CUDA_CHECK(cudaDeviceSynchronize());
}

}  // namespace

std::vector<int32_t> layernorm(const std::vector<int32_t>& x, int k, int d, const sharnn::QLayerNorm& ln, int32_t m,
                               std::vector<int8_t>* q) {
  auto dx = up(x), dg = up(ln.gamma), db = up(ln.beta);
  DeviceArray<int32_t> dy(x.size());
  DeviceArray<int8_t> dq(q ? x.size() : 0);
  layernorm_rows(dx.get(), k, d, dg.get(), db.get(), dy.get(), m, q ? dq.get() : nullptr);
  finish();
  if (q) *q = dq.download();
  return dy.download();
}

std::vector<int32_t> matmul(const sharnn::QLinear& w, const std::vector<int8_t>& x, int k) {
  auto dw = up(w.w), dx = up(x);
  DeviceArray<int32_t> acc(size_t(k) * size_t(w.rows));
  cuda::matmul(dw.get(), w.rows, w.cols, dx.get(), k, acc.get());
  finish();
  return acc.download();
}

std::vector<int32_t> lstm(const std::vector<int32_t>& a, const std::vector<int32_t>& b, int k, int d,
                          const sharnn::QLinear& ih, const sharnn::QLinear& hh, std::vector<int32_t>& c,
                          std::vector<int8_t>& h8) {
  auto da = up(a), db = up(b), ihm = up(ih.m), ihb = up(ih.b), hhm = up(hh.m), hhb = up(hh.b);
  auto dc = up(c);
  auto dh = up(h8);
  auto slots = identity_slots(k);
  DeviceArray<int32_t> y(size_t(k) * size_t(d));
  const LstmState s{dc.get(), dh.get(), 1, d};
  lstm_step(da.get(), db.get(), k, ihm.get(), ihb.get(), hhm.get(), hhb.get(), s, slots.get(), 0, y.get());
  finish();
  c = dc.download();
  h8 = dh.download();
  return y.download();
}

std::vector<int32_t> attention(const std::vector<int8_t>& rows, int n, int window, int d, const std::vector<int32_t>& q,
                               int shift, const std::vector<int32_t>& gate, const std::vector<int32_t>& y2,
                               std::vector<int32_t>* probs) {
  DeviceArray<int8_t> mem(size_t(window) * size_t(d));
  DeviceArray<int> head = up(std::vector<int>{0}), filled = up(std::vector<int>{0});
  SHZ_CUDA_CHECK(cudaMemset(mem.get(), 0, mem.size()));
  const AttnState s{mem.get(), head.get(), filled.get(), 1, window, d};
  auto slots = identity_slots(1);
  DeviceArray<int8_t> row{size_t(d)};
  for (int j = 0; j < n; ++j) {
    SHZ_CUDA_CHECK(cudaMemcpy(row.get(), rows.data() + size_t(j) * size_t(d), size_t(d), cudaMemcpyHostToDevice));
    attn_write(s, row.get(), slots.get(), 1, 0);
  }
  auto dq = up(q), dg = up(gate), dy2 = up(y2);
  DeviceArray<int32_t> scores{size_t(window)}, out{size_t(d)};
  attn_scores_softmax(s, dq.get(), slots.get(), 1, 0, shift, scores.get());
  attn_mix(s, scores.get(), slots.get(), 1, 0, dg.get(), dy2.get(), out.get());
  finish();
  if (probs) {
    *probs = scores.download();
    probs->resize(size_t(n < window ? n : window));
  }
  return out.download();
}

std::vector<int32_t> boom(const std::vector<int32_t>& big, const std::vector<int32_t>& hf, int k, int d,
                          const sharnn::QLinear& w_boom) {
  auto dbig = up(big), dhf = up(hf), dm = up(w_boom.m), db = up(w_boom.b);
  DeviceArray<int32_t> x(size_t(k) * size_t(d));
  boom_out(dbig.get(), dhf.get(), k, d, w_boom.rows, dm.get(), db.get(), x.get());
  finish();
  return x.download();
}

std::vector<uint32_t> head_pmf(const std::vector<int32_t>& acc, int k, const sharnn::QLinear& head) {
  auto dacc = up(acc), dm = up(head.m), db = up(head.b);
  DeviceArray<uint32_t> pmf(size_t(k) * 256);
  cuda::head_pmf(dacc.get(), k, dm.get(), db.get(), pmf.get());
  finish();
  return pmf.download();
}

}  // namespace shz::cuda::op_check
