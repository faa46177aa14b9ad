// The SHA-RNN step on the GPU: the data flow of model/sharnn/sharnn_predictor.cpp, one kernel
// per operation (each reusing sharnn_ops.h's element functions), weights uploaded once,
// slot state kept on the device; only slot ids, bytes in and pmfs out cross the bus.
// A step's ~30 launches are captured once per batch size into a CUDA graph and replayed, so
// a step costs one launch (EngineTuning::cuda_graphs false launches them one by one; same kernels, same
// integers). Launches go to the per-thread default stream (nvcc --default-stream
// per-thread), which a graph can be captured from.
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
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

class CudaPredictor final : public Predictor {
 public:
  CudaPredictor(std::shared_ptr<const sharnn::Model> model, ModelIdentity id, size_t batch, const EngineTuning& tuning)
      : model_(std::move(model)), id_(std::move(id)), batch_(batch ? batch : 1) {
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
    embed_.upload(M.embed);
    head_m_.upload(M.head.m);
    head_b_.upload(M.head.b);
  }

  ModelIdentity identity() const override { return id_; }
  int pmf_bits() const override { return sharnn::kPmfBits; }
  size_t preferred_streams() const override { return batch_; }
  uint64_t default_segment_size() const override { return uint64_t(64) << 10; }  // as the CPU engine

  ~CudaPredictor() override {
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
    head_.resize(S * A);
    filled_.resize(S * A);
    SHZ_CUDA_CHECK(cudaMemset(c_.get(), 0, c_.size() * sizeof(int32_t)));
    SHZ_CUDA_CHECK(cudaMemset(h8_.get(), 0, h8_.size()));
    if (A) {
      SHZ_CUDA_CHECK(cudaMemset(head_.get(), 0, head_.size() * sizeof(int)));
      SHZ_CUDA_CHECK(cudaMemset(filled_.get(), 0, filled_.size() * sizeof(int)));
    }
    const size_t k = S, big = std::max<size_t>(size_t(hp.boom_dim), 256);
    x_.resize(k * d), y_.resize(k * d), n_.resize(k * d), a_.resize(4 * k * d), b_.resize(4 * k * d);
    big_.resize(k * big), q8_.resize(k * d), hin_.resize(k * d), scores_.resize(A ? k * W : 1);
    slots_dev_.resize(k), bytes_dev_.resize(k), pmf_dev_.resize(k * 256);
    fresh_.assign(S, true);
    pmf_host_.assign(S * 256, 0);
    step_pmf_.resize(k * 256);
  }

  void reset(size_t slot) override {
    const sharnn::HyperParams& hp = model_->hp;
    const size_t d = size_t(hp.d_model), L = size_t(hp.n_layers), A = size_t(attn_layers_);
    SHZ_CUDA_CHECK(cudaMemset(c_.get() + slot * L * d, 0, L * d * sizeof(int32_t)));
    SHZ_CUDA_CHECK(cudaMemset(h8_.get() + slot * L * d, 0, L * d));
    if (A) {
      SHZ_CUDA_CHECK(cudaMemset(head_.get() + slot * A, 0, A * sizeof(int)));
      SHZ_CUDA_CHECK(cudaMemset(filled_.get() + slot * A, 0, A * sizeof(int)));
    }
    fresh_[slot] = true;
  }

  void predict(const size_t* slots, size_t n, uint32_t* pmfs) override {
    fresh_ids_.clear();
    for (size_t i = 0; i < n; ++i)
      if (fresh_[slots[i]]) fresh_ids_.push_back(slots[i]);
    if (!fresh_ids_.empty()) {
      zeros_.assign(fresh_ids_.size(), 0);  // the implicit byte before a segment
      step(fresh_ids_.data(), fresh_ids_.size(), zeros_.data());
    }
    for (size_t i = 0; i < n; ++i) std::memcpy(pmfs + 256 * i, &pmf_host_[slots[i] * 256], 256 * sizeof(uint32_t));
  }

  void update(const size_t* slots, size_t n, const uint8_t* bytes) override {
    if (n) step(slots, n, bytes);
  }

 private:
  void step(const size_t* slots, size_t kk, const uint8_t* bytes) {
    const int k = int(kk);
    ids_.assign(slots, slots + kk);
    SHZ_CUDA_CHECK(cudaMemcpy(slots_dev_.get(), ids_.data(), kk * sizeof(int), cudaMemcpyHostToDevice));
    SHZ_CUDA_CHECK(cudaMemcpy(bytes_dev_.get(), bytes, kk, cudaMemcpyHostToDevice));
    launch(k);
    SHZ_CUDA_CHECK(cudaMemcpy(step_pmf_.data(), pmf_dev_.get(), kk * 256 * sizeof(uint32_t), cudaMemcpyDeviceToHost));
    if (timer_) timer_->collect();
    for (size_t r = 0; r < kk; ++r) {
      std::memcpy(&pmf_host_[slots[r] * 256], &step_pmf_[r * 256], 256 * sizeof(uint32_t));
      fresh_[slots[r]] = false;
    }
  }

  // The step's kernels for k rows, as a replayed graph when possible.
  void launch(int k) {
    if (graphs_on_) {
      auto it = graphs_.find(k);
      if (it == graphs_.end()) it = graphs_.emplace(k, capture(k)).first;
      if (it->second) {
        SHZ_CUDA_CHECK(cudaGraphLaunch(it->second, cudaStreamPerThread));
        return;
      }
    }
    enqueue(k);
  }

  // Captures enqueue(k) into an executable graph, or returns null and turns graphs off (the
  // direct launches then serve: same kernels, so the same results).
  cudaGraphExec_t capture(int k) {
    if (cudaStreamBeginCapture(cudaStreamPerThread, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
      cudaGetLastError();
      graphs_on_ = false;
      return nullptr;
    }
    bool ok = true;
    try {
      enqueue(k);
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

  // Every kernel of one step for rows 0..k-1 (slot ids and bytes already on the device).
  void enqueue(int k) {
    const sharnn::Model& M = *model_;
    const int d = M.hp.d_model, boom = M.hp.boom_dim;
    const int* sl = slots_dev_.get();
    const LstmState ls{c_.get(), h8_.get(), M.hp.n_layers, d};
    const AttnState as{mem_.get(), head_.get(), filled_.get(), attn_layers_, M.hp.window, d};

    // With EngineTuning::cuda_profile each operation's kernels are timed under a name (no graph then).
    const auto op = [this](const char* name) {
      if (timer_) timer_->mark(name);
    };
    op("embed");
    embed_rows(embed_.get(), bytes_dev_.get(), k, d, x_.get());
    for (size_t l = 0; l < M.layers.size(); ++l) {
      const sharnn::Layer& L = M.layers[l];
      DevLayer& D = layers_[l];
      op("layernorm");
      layernorm_rows(x_.get(), k, d, D.ln_start.gamma.get(), D.ln_start.beta.get(), n_.get(), L.lstm_in_m, q8_.get());
      op("lstm");
      lstm_gather_h8(ls, sl, k, int(l), hin_.get());
      op("matmul");
      matmul(D.w_ih.w.get(), 4 * d, d, q8_.get(), k, a_.get(), tensor_cores_);
      matmul(D.w_hh.w.get(), 4 * d, d, hin_.get(), k, b_.get(), tensor_cores_);
      op("lstm");
      lstm_step(a_.get(), b_.get(), k, D.w_ih.m.get(), D.w_ih.b.get(), D.w_hh.m.get(), D.w_hh.b.get(), ls, sl, int(l),
                y_.get());
      if (D.attn_index >= 0) {
        op("layernorm");
        layernorm_rows(y_.get(), k, d, D.ln_mem.gamma.get(), D.ln_mem.beta.get(), n_.get(), L.mem_m, hin_.get());
        op("attention write");
        attn_write(as, hin_.get(), sl, k, D.attn_index);
        op("layernorm");
        layernorm_rows(y_.get(), k, d, D.ln_mid.gamma.get(), D.ln_mid.beta.get(), n_.get(), L.q_in_m, q8_.get());
        op("matmul");
        matmul(D.w_q.w.get(), d, d, q8_.get(), k, a_.get(), tensor_cores_);
        op("requantise");
        requant_rows(a_.get(), k, d, D.w_q.m.get(), D.w_q.b.get(), b_.get());
        op("layernorm");
        layernorm_rows(b_.get(), k, d, D.ln_q.gamma.get(), D.ln_q.beta.get(), b_.get(), 0, nullptr);
        op("attention scores+softmax");
        attn_scores_softmax(as, b_.get(), sl, k, D.attn_index, L.attn_shift, scores_.get());
        op("attention mix");
        attn_mix(as, scores_.get(), sl, k, D.attn_index, D.gate.get(), n_.get(), y_.get());
      }
      op("layernorm");
      layernorm_rows(y_.get(), k, d, D.ln_xff.gamma.get(), D.ln_xff.beta.get(), n_.get(), L.boom_in_m, q8_.get());
      layernorm_rows(y_.get(), k, d, D.ln_ff.gamma.get(), D.ln_ff.beta.get(), n_.get(), 0, nullptr);
      op("matmul");
      matmul(D.w_boom.w.get(), boom, d, q8_.get(), k, big_.get(), tensor_cores_);
      op("boom");
      boom_out(big_.get(), n_.get(), k, d, boom, D.w_boom.m.get(), D.w_boom.b.get(), x_.get());
    }
    op("requantise");
    quantize(x_.get(), size_t(k) * size_t(d), M.head_in_m, q8_.get());
    op("matmul");
    matmul(embed_.get(), 256, d, q8_.get(), k, big_.get(), tensor_cores_);
    op("output pmf");
    head_pmf(big_.get(), k, head_m_.get(), head_b_.get(), pmf_dev_.get());
    op(nullptr);
  }

  std::shared_ptr<const sharnn::Model> model_;
  ModelIdentity id_;
  size_t batch_;
  int attn_layers_ = 0;
  std::vector<DevLayer> layers_;
  DeviceArray<int8_t> embed_;
  DeviceArray<int32_t> head_m_, head_b_;
  // Slot state.
  DeviceArray<int32_t> c_;
  DeviceArray<int8_t> h8_, mem_;
  DeviceArray<int> head_, filled_;
  // Step scratch, sized for every slot at once.
  DeviceArray<int32_t> x_, y_, n_, a_, b_, big_, scores_;
  DeviceArray<int8_t> q8_, hin_;
  DeviceArray<int> slots_dev_;
  DeviceArray<uint8_t> bytes_dev_;
  DeviceArray<uint32_t> pmf_dev_;
  std::vector<bool> fresh_;
  std::vector<uint32_t> pmf_host_, step_pmf_;
  std::vector<size_t> fresh_ids_;  // per-call scratch, kept to avoid allocating every byte
  std::vector<uint8_t> zeros_;
  std::vector<int> ids_;
  // Executable graphs of one step by batch size (null: capture failed).
  std::map<int, cudaGraphExec_t> graphs_;
  bool tensor_cores_ = true;
  std::unique_ptr<OpTimer> timer_;  // EngineTuning::cuda_profile
  bool graphs_on_ = true;           // a graph's kernels cannot be timed one by one
};

}  // namespace

bool available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0) {
    if (why) *why = e != cudaSuccess ? std::string("no usable CUDA GPU (") + cudaGetErrorString(e) + ")" : "no CUDA GPU found";
    return false;
  }
  return true;
}

std::string device_description() {
  int dev = 0;
  cudaDeviceProp p{};
  if (!available(nullptr) || cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&p, dev) != cudaSuccess)
    return {};
  return std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " +
         std::to_string(p.totalGlobalMem >> 30) + " GiB)";
}

std::string memory_report() {
  size_t free_b = 0, total = 0;
  if (!available(nullptr) || cudaMemGetInfo(&free_b, &total) != cudaSuccess) return {};
  return "GPU memory: " + std::to_string((total - free_b) >> 20) + " MiB used of " + std::to_string(total >> 20) + " MiB";
}

double int8_peak_macs() {
  // Dense int8 tensor-core figures from NVIDIA's data sheets (TOPS / 2): A100 624 TOPS,
  // H100 SXM and H200 1979 TOPS, H100 PCIe 1513 TOPS.
  const std::string d = device_description();
  if (d.find("H200") != std::string::npos) return 1979e12 / 2;
  if (d.find("H100") != std::string::npos) return d.find("PCIe") != std::string::npos ? 1513e12 / 2 : 1979e12 / 2;
  if (d.find("A100") != std::string::npos) return 624e12 / 2;
  return 0;
}

double dram_bytes_per_s() {
  int dev = 0, khz = 0, bits = 0;
  if (!available(nullptr) || cudaGetDevice(&dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&bits, cudaDevAttrGlobalMemoryBusWidth, dev) != cudaSuccess)
    return 0;
  return 2.0 * double(khz) * 1e3 * double(bits) / 8;  // double data rate
}

std::unique_ptr<Predictor> make_predictor(std::shared_ptr<const sharnn::Model> model, ModelIdentity id, size_t batch,
                                          const EngineTuning& tuning) {
  std::string why;
  if (!available(&why)) throw Error(ErrorCode::kUsage, "device cuda: " + why);
  return std::make_unique<CudaPredictor>(std::move(model), std::move(id), batch, tuning);
}

}  // namespace shz::cuda
