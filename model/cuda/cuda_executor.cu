// The CUDA backend of the SHA-RNN step: each op of model/sharnn/step_program.h as one or two
// kernels (each reusing sharnn_ops.h's element functions), weights uploaded once, slot state
// kept on the device; only slot ids, bytes in and pmfs out cross the bus.
// A step's ~30 launches are captured once per batch size into a CUDA graph and replayed, so
// a step costs one launch (EngineTuning::cuda_graphs false launches them one by one; same
// kernels, same integers). Launches go to the per-thread default stream (nvcc
// --default-stream per-thread), which a graph can be captured from.
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "attention.cuh"
#include "boom.cuh"
#include "cuda_backend.h"
#include "cuda_check.cuh"
#include "device_array.cuh"
#include "layernorm.cuh"
#include "lstm.cuh"
#include "matmul.cuh"
#include "model/sharnn/program_predictor.h"
#include "model/sharnn/sharnn_ops.h"
#include "op_timer.cuh"
#include "rows_io.cuh"

namespace shz::cuda {
namespace {

struct DevLinear {
  DeviceArray<int8_t> w;
  DeviceArray<int32_t> m, b;
  int rows = 0, cols = 0;
  void upload(const sharnn::QLinear& q) {
    rows = q.rows, cols = q.cols;
    w.upload(q.w), m.upload(q.m), b.upload(q.b);
  }
};

struct DevLN {
  DeviceArray<int32_t> gamma, beta;
  void upload(const sharnn::QLayerNorm& l) { gamma.upload(l.gamma), beta.upload(l.beta); }
};

struct DevLayer {
  DevLN ln_start, ln_mem, ln_mid, ln_q, ln_ff, ln_xff;
  DevLinear w_ih, w_hh, w_q, w_boom;
  DeviceArray<int32_t> gate;
  int attn_index = -1;  // which attention memory, or -1
};

using sharnn::Buf;
using sharnn::Op;
using sharnn::OpKind;

class CudaExecutor final : public sharnn::StepExecutor {
 public:
  CudaExecutor(std::shared_ptr<const sharnn::Model> model, const EngineTuning& tuning) : model_(std::move(model)) {
    tensor_cores_ = tuning.cuda_tensor_cores;
    if (tuning.cuda_profile) timer_.reset(new OpTimer);
    graphs_on_ = tuning.cuda_graphs && !timer_;
    const sharnn::Model& M = *model_;
    layers_.resize(M.layers.size());
    int attn = 0;
    for (size_t l = 0; l < M.layers.size(); ++l) {
      const sharnn::Layer& L = M.layers[l];
      DevLayer& D = layers_[l];
      D.ln_start.upload(L.ln_start);
      D.w_ih.upload(L.w_ih);
      D.w_hh.upload(L.w_hh);
      if (M.hp.has_attn(int(l))) {
        D.attn_index = attn++;
        D.ln_mem.upload(L.ln_mem);
        D.ln_mid.upload(L.ln_mid);
        D.ln_q.upload(L.ln_q);
        D.w_q.upload(L.w_q);
        D.gate.upload(L.gate);
      }
      D.ln_ff.upload(L.ln_ff);
      D.ln_xff.upload(L.ln_xff);
      D.w_boom.upload(L.w_boom);
    }
    attn_layers_ = attn;
    head_.w.upload(M.embed);  // tied: the output layer's weights are the embedding
    head_.m.upload(M.head.m);
    head_.b.upload(M.head.b);
    head_.rows = 256, head_.cols = M.hp.d_model;
  }

  ~CudaExecutor() override {
    drop_graphs();
    if (timer_) timer_->report();
  }

  void begin(size_t streams) override {
    drop_graphs();  // the buffers a graph points into are reallocated below
    const sharnn::HyperParams& hp = model_->hp;
    const size_t d = size_t(hp.d_model), S = streams, L = size_t(hp.n_layers), A = size_t(attn_layers_);
    const size_t W = size_t(hp.window);
    c_.resize(S * L * d);
    h8_.resize(S * L * d);
    mem_.resize(S * A * W * d);
    ring_head_.resize(S * A);
    filled_.resize(S * A);
    SHZ_CUDA_CHECK(cudaMemset(c_.get(), 0, c_.size() * sizeof(int32_t)));
    SHZ_CUDA_CHECK(cudaMemset(h8_.get(), 0, h8_.size()));
    if (A) {
      SHZ_CUDA_CHECK(cudaMemset(ring_head_.get(), 0, ring_head_.size() * sizeof(int)));
      SHZ_CUDA_CHECK(cudaMemset(filled_.get(), 0, filled_.size() * sizeof(int)));
    }
    const size_t k = S;
    for (Buf b : {Buf::kX, Buf::kY, Buf::kN, Buf::kA, Buf::kB, Buf::kBig, Buf::kScores})
      i32_[b].resize(k * sharnn::buf_cols(hp, b));
    q8_.resize(k * d), hin_.resize(k * d);
    slots_dev_.resize(k), bytes_dev_.resize(k), pmf_dev_.resize(k * 256);
    step_pmf_.resize(k * 256);
  }

  void reset(size_t slot) override {
    const sharnn::HyperParams& hp = model_->hp;
    const size_t d = size_t(hp.d_model), L = size_t(hp.n_layers), A = size_t(attn_layers_);
    SHZ_CUDA_CHECK(cudaMemset(c_.get() + slot * L * d, 0, L * d * sizeof(int32_t)));
    SHZ_CUDA_CHECK(cudaMemset(h8_.get() + slot * L * d, 0, L * d));
    if (A) {
      SHZ_CUDA_CHECK(cudaMemset(ring_head_.get() + slot * A, 0, A * sizeof(int)));
      SHZ_CUDA_CHECK(cudaMemset(filled_.get() + slot * A, 0, A * sizeof(int)));
    }
  }

  void bind(const size_t* slots, size_t k, const uint8_t* bytes, uint32_t* const* pmfs) override {
    k_ = int(k);
    ids_.assign(slots, slots + k);
    pmf_dst_.assign(pmfs, pmfs + k);
    SHZ_CUDA_CHECK(cudaMemcpy(slots_dev_.get(), ids_.data(), k * sizeof(int), cudaMemcpyHostToDevice));
    SHZ_CUDA_CHECK(cudaMemcpy(bytes_dev_.get(), bytes, k, cudaMemcpyHostToDevice));
  }

  // The program for the bound rows, as a replayed graph when possible.
  void run_all(const std::vector<Op>& program) override {
    if (graphs_on_) {
      auto it = graphs_.find(k_);
      if (it == graphs_.end()) it = graphs_.emplace(k_, capture(program)).first;
      if (it->second) {
        SHZ_CUDA_CHECK(cudaGraphLaunch(it->second, cudaStreamPerThread));
        return;
      }
    }
    for (const Op& op : program) run(op);
    if (timer_) timer_->mark(nullptr);
  }

  void finish() override {
    const size_t k = size_t(k_);
    SHZ_CUDA_CHECK(cudaMemcpy(step_pmf_.data(), pmf_dev_.get(), k * 256 * sizeof(uint32_t), cudaMemcpyDeviceToHost));
    if (timer_) timer_->collect();
    for (size_t r = 0; r < k; ++r) std::copy(&step_pmf_[r * 256], &step_pmf_[r * 256] + 256, pmf_dst_[r]);
  }

  void set_head_adaptation(int shift) override {
    if (shift) throw Error(ErrorCode::kUsage, "the output layer's online adaptation runs on the CPU only");
  }

  void run(const Op& op) override {
    const sharnn::Model& M = *model_;
    const int d = M.hp.d_model, k = k_;
    const int* sl = slots_dev_.get();
    const LstmState ls{c_.get(), h8_.get(), M.hp.n_layers, d};
    const AttnState as{mem_.get(), ring_head_.get(), filled_.get(), attn_layers_, M.hp.window, d};
    if (timer_) timer_->mark(sharnn::op_name(op.kind));  // with cuda_profile (no graph then)
    switch (op.kind) {
      case OpKind::kEmbed:
        return embed_rows(head_.w.get(), bytes_dev_.get(), k, d, i32(op.out));
      case OpKind::kLayerNorm: {
        const DevLN& ln = layernorm_of(op);
        return layernorm_rows(i32(op.in), k, d, ln.gamma.get(), ln.beta.get(), i32(op.out), op.m,
                              op.m ? i8(op.out8) : nullptr);
      }
      case OpKind::kGatherH:
        return lstm_gather_h8(ls, sl, k, op.layer, i8(op.out8));
      case OpKind::kMatMul: {
        const DevLinear& w = weight(op);
        return matmul(w.w.get(), w.rows, w.cols, i8(op.in), k, i32(op.out), tensor_cores_);
      }
      case OpKind::kLstm: {
        const DevLayer& D = layers_[size_t(op.layer)];
        return lstm_step(i32(op.in), i32(op.in2), k, D.w_ih.m.get(), D.w_ih.b.get(), D.w_hh.m.get(), D.w_hh.b.get(),
                         ls, sl, op.layer, i32(op.out));
      }
      case OpKind::kAttnWrite:
        return attn_write(as, i8(op.in), sl, k, layers_[size_t(op.layer)].attn_index);
      case OpKind::kRequant: {
        const DevLinear& w = weight(op);
        return requant_rows(i32(op.in), k, op.cols, w.m.get(), w.b.get(), i32(op.out));
      }
      case OpKind::kAttnScores:
        return attn_scores_softmax(as, i32(op.in), sl, k, layers_[size_t(op.layer)].attn_index,
                                   M.layers[size_t(op.layer)].attn_shift, i32(op.out));
      case OpKind::kAttnMix: {
        const DevLayer& D = layers_[size_t(op.layer)];
        return attn_mix(as, i32(op.in), sl, k, D.attn_index, D.gate.get(), i32(op.in2), i32(op.out));
      }
      case OpKind::kBoom: {
        const DevLinear& w = weight(op);
        return boom_out(i32(op.in), i32(op.in2), k, d, w.rows, w.m.get(), w.b.get(), i32(op.out));
      }
      case OpKind::kQuantize:
        return quantize(i32(op.in), size_t(k) * size_t(d), op.m, i8(op.out8));
      case OpKind::kHeadPmf:
        return head_pmf(i32(op.in), k, head_.m.get(), head_.b.get(), pmf_dev_.get());
      case OpKind::kHeadLearn:
      case OpKind::kHeadAdapt:
        throw Error(ErrorCode::kUsage, "the output layer's online adaptation runs on the CPU only");
    }
  }

  std::vector<int64_t> read(Buf b) override {
    const size_t n = size_t(k_) * sharnn::buf_cols(model_->hp, b);
    std::vector<int64_t> v(n);
    const auto take = [&](const auto& all) { std::copy(all.begin(), all.begin() + long(n), v.begin()); };
    if (b == Buf::kPmf)
      take(pmf_dev_.download());
    else if (b == Buf::kQ8 || b == Buf::kH8)
      take((b == Buf::kQ8 ? q8_ : hin_).download());
    else
      take(i32_.at(b).download());
    return v;
  }

  sharnn::SlotState state(size_t slot) override {
    const sharnn::HyperParams& hp = model_->hp;
    const size_t d = size_t(hp.d_model), L = size_t(hp.n_layers), A = size_t(attn_layers_), W = size_t(hp.window);
    const auto slice = [](const auto& all, size_t at, size_t n) {
      return std::vector<typename std::decay_t<decltype(all)>::value_type>(all.begin() + long(at),
                                                                          all.begin() + long(at + n));
    };
    sharnn::SlotState s;
    s.h8 = slice(h8_.download(), slot * L * d, L * d);
    s.c = slice(c_.download(), slot * L * d, L * d);
    if (A) {
      s.mem = slice(mem_.download(), slot * A * W * d, A * W * d);
      s.head = slice(ring_head_.download(), slot * A, A);
      s.filled = slice(filled_.download(), slot * A, A);
    }
    return s;
  }

 private:
  int32_t* i32(Buf b) { return i32_.at(b).get(); }
  int8_t* i8(Buf b) { return b == Buf::kQ8 ? q8_.get() : hin_.get(); }

  const DevLN& layernorm_of(const Op& op) const { return sharnn::layer_layernorm(layers_[size_t(op.layer)], op.ln); }
  const DevLinear& weight(const Op& op) const {
    return op.weight == sharnn::WeightId::kHead ? head_ : sharnn::layer_weight(layers_[size_t(op.layer)], op.weight);
  }

  // Captures the program's launches into an executable graph, or returns null and turns
  // graphs off (the direct launches then serve: same kernels, so the same results).
  cudaGraphExec_t capture(const std::vector<Op>& program) {
    if (cudaStreamBeginCapture(cudaStreamPerThread, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
      cudaGetLastError();
      graphs_on_ = false;
      return nullptr;
    }
    bool ok = true;
    try {
      for (const Op& op : program) run(op);
    } catch (const Error&) {
      ok = false;
    }
    cudaGraph_t g = nullptr;
    cudaGraphExec_t e = nullptr;
    ok = cudaStreamEndCapture(cudaStreamPerThread, &g) == cudaSuccess && ok;
    ok = ok && cudaGraphInstantiate(&e, g, 0) == cudaSuccess;
    if (g) cudaGraphDestroy(g);
    if (!ok) {
      if (e) cudaGraphExecDestroy(e);
      cudaGetLastError();  // clear the failed capture's error
      graphs_on_ = false;
      return nullptr;
    }
    return e;
  }

  void drop_graphs() {
    for (auto& kv : graphs_)
      if (kv.second) cudaGraphExecDestroy(kv.second);
    graphs_.clear();
  }

  std::shared_ptr<const sharnn::Model> model_;
  int attn_layers_ = 0;
  std::vector<DevLayer> layers_;
  DevLinear head_;  // w: the embedding (tied)
  // Slot state.
  DeviceArray<int32_t> c_;
  DeviceArray<int8_t> h8_, mem_;
  DeviceArray<int> ring_head_, filled_;
  // Step buffers (step_program.h), sized for every slot at once.
  std::map<Buf, DeviceArray<int32_t>> i32_;
  DeviceArray<int8_t> q8_, hin_;
  DeviceArray<int> slots_dev_;
  DeviceArray<uint8_t> bytes_dev_;
  DeviceArray<uint32_t> pmf_dev_;
  // The bound rows.
  int k_ = 0;
  std::vector<int> ids_;
  std::vector<uint32_t*> pmf_dst_;
  std::vector<uint32_t> step_pmf_;
  // Executable graphs of one step by batch size (null: capture failed).
  std::map<int, cudaGraphExec_t> graphs_;
  bool tensor_cores_ = true;
  std::unique_ptr<OpTimer> timer_;  // EngineTuning::cuda_profile
  bool graphs_on_ = true;           // a graph's kernels cannot be timed one by one
};

}  // namespace

std::unique_ptr<sharnn::StepExecutor> make_executor(std::shared_ptr<const sharnn::Model> model,
                                                    const EngineTuning& tuning) {
  std::string why;
  if (!available(&why)) throw Error(ErrorCode::kUsage, "device cuda: " + why);
  return std::make_unique<CudaExecutor>(std::move(model), tuning);
}

std::unique_ptr<Predictor> make_predictor(std::shared_ptr<const sharnn::Model> model, ModelIdentity id, size_t batch,
                                          const EngineTuning& tuning) {
  auto exec = make_executor(model, tuning);
  return std::make_unique<sharnn::ProgramPredictor>(std::move(model), std::move(id), batch, std::move(exec));
}

}  // namespace shz::cuda
