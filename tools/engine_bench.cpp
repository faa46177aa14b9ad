// Benchmark of the SHA-RNN engine: prints figures, decides nothing.
//  * the machine's int8 multiply-add peak, measured with a register-only VNNI/AVX2 loop;
//  * the matmul kernel alone at the model's shapes and batch size;
//  * whole compress and decompress throughput, achieved multiply-adds per second, peak RSS.
// Usage: engine_bench MODEL|--random d,layers,attn,window,boom FILE [--segment SIZE]
//        [--threads N] [--batch B] [--simd LEVEL] [--device cpu|cuda|auto]
#include <immintrin.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "model/cuda/cuda_backend.h"
#include "model/safetensors.h"
#include "model/sharnn/kernels.h"
#include "model/sharnn/random_model.h"
#include "model/sharnn/sharnn_model.h"
#include "shz/shz.h"
#include "bench_input.h"
#include "segment_codec.h"
#include "util/env_tuning.h"
#include "util/parallel.h"

using namespace shz;
using namespace shz::sharnn;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Register-only loop of independent vpdpbusd: 64 multiply-adds each. One thread.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) double peak_vnni_once(long iters) {
  __m512i a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_epi32(i);
  const __m512i x = _mm512_set1_epi8(3), w = _mm512_set1_epi8(5);
  const auto t = Clock::now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 12; ++i) a[i] = _mm512_dpbusd_epi32(a[i], x, w);
  const double s = since(t);
  volatile int sink = 0;
  for (int i = 0; i < 12; ++i) sink = sink + _mm512_reduce_add_epi32(a[i]);
  return double(iters) * 12 * 64 / s;
}

__attribute__((target("avx2"))) double peak_avx2_once(long iters) {
  __m256i a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_epi32(i);
  const __m256i x = _mm256_set1_epi16(3), w = _mm256_set1_epi16(5);
  const auto t = Clock::now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 12; ++i) a[i] = _mm256_add_epi32(a[i], _mm256_madd_epi16(x, w));
  const double s = since(t);
  volatile int sink = 0;
  alignas(32) int32_t l[8];
  for (int i = 0; i < 12; ++i) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(l), a[i]);
    sink = sink + l[0];
  }
  return double(iters) * 12 * 16 / s;
}

// Peak multiply-adds per second of `level` on `threads` threads.
double peak(SimdLevel level, unsigned threads) {
  if (level == SimdLevel::kScalar) return 0;
  std::vector<double> r(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      r[t] = level == SimdLevel::kAvx512Vnni ? peak_vnni_once(20000000) : peak_avx2_once(20000000);
    });
  for (auto& th : pool) th.join();
  double sum = 0;
  for (double v : r) sum += v;
  return sum;
}

// The engine both ways over every segment, batched and threaded as compress() and
// decompress() run it, but without the container's choice to store what the model would
// not shrink: every segment is coded and decoded, so a random model (which shrinks nothing)
// still measures decoding. Returns false when a segment does not decode to its input.
struct EngineRun {
  double t_encode = 0, t_decode = 0;
  size_t payload = 0;
  bool ok = true;
};

EngineRun engine_run(const LoadedModel& model, const EngineTuning& tuning, const std::vector<uint8_t>& in, uint64_t seg,
                     unsigned threads_wanted) {
  EngineRun run;
  const size_t count = size_t((in.size() + seg - 1) / seg);
  const unsigned threads = thread_count(threads_wanted, count);
  std::vector<std::unique_ptr<Predictor>> models(threads);
  for (auto& m : models) m = model.make(tuning);
  const std::vector<size_t> bounds = batch_split(count, models[0]->preferred_streams(), threads);
  const size_t batch = batch_largest(bounds);
  std::vector<EncodeJob> enc(count);
  for (size_t i = 0; i < count; ++i) {
    enc[i].data = in.data() + i * seg;
    enc[i].size = size_t(std::min<uint64_t>(seg, in.size() - i * seg));
  }
  for (auto& m : models) m->begin(batch);
  auto t = Clock::now();
  parallel_run(threads, bounds.size() - 1, [&](unsigned w, size_t b) {
    segments_encode(*models[w], &enc[bounds[b]], bounds[b + 1] - bounds[b], nullptr);
  }, nullptr);
  run.t_encode = since(t);
  std::vector<DecodeJob> dec(count);
  for (size_t i = 0; i < count; ++i) {
    dec[i].payload = enc[i].payload.data();
    dec[i].payload_size = enc[i].payload.size();
    dec[i].size = enc[i].size;
    run.payload += enc[i].payload.size();
  }
  for (auto& m : models) m->begin(batch);
  t = Clock::now();
  parallel_run(threads, bounds.size() - 1, [&](unsigned w, size_t b) {
    segments_decode(*models[w], &dec[bounds[b]], bounds[b + 1] - bounds[b], nullptr);
  }, nullptr);
  run.t_decode = since(t);
  for (size_t i = 0; i < count; ++i)
    run.ok = run.ok && !dec[i].corrupt && dec[i].out == std::vector<uint8_t>(enc[i].data, enc[i].data + enc[i].size);
  return run;
}

// Attention memory bytes one step of one stream reads once, averaged over every byte of the
// input: each segment's window starts empty and fills one position per byte.
double average_attention_bytes(const HyperParams& hp, size_t bytes, uint64_t segment) {
  double attn = 0;
  for (size_t start = 0; start < bytes; start += segment) {
    const uint64_t len = std::min<uint64_t>(segment, bytes - start);
    for (uint64_t t = 0; t < len; ++t) attn += double(hp.attention_bytes(t + 1));
  }
  return bytes ? attn / double(bytes) : 0;
}

// On a GPU the step is bound by memory traffic before int8 throughput: every byte of every
// stream reads its attention memory for the scores and again for the mix (less the positions
// of probability 0, which the mix skips), and each step reads the weights once for the whole
// batch (from DRAM when the model is larger than L2). Prints that traffic and the speeds the
// DRAM bandwidth allows: the hard bound (the scores' read alone) and the one with the mix
// reading every position.
void dram_roof(const HyperParams& hp, double attn, size_t batch, double enc, double dec) {
  const double weights = double(hp.weight_bytes()) / double(batch);
  std::printf("traffic    per byte: attention memory %.3f MB (this input's average fill of the window), read by the "
              "scores and by the mix; weights %.1f MB per step / batch %zu = %.3f MB\n",
              attn / 1e6, double(hp.weight_bytes()) / 1e6, batch, weights / 1e6);
  const double bw = cuda::dram_bytes_per_s();
  if (bw <= 0) return;
  const double hard = bw / (attn + weights), full = bw / (2 * attn + weights);
  std::printf("dram roof  %.0f GB/s: at most %.1f KB/s (the scores' read alone), %.1f KB/s with the mix reading every "
              "position; compress reached %.0f%% of the first, decompress %.0f%%\n",
              bw / 1e9, hard / 1e3, full / 1e3, 100 * enc / hard, 100 * dec / hard);
}

long peak_rss_kb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: engine_bench MODEL|--random d,layers,attn,window,boom FILE [--segment SIZE] "
                         "[--threads N] [--batch B] [--simd LEVEL] [--device cpu|cuda|auto]\n");
    return 1;
  }
  int a = 1;
  std::string model_path;
  if (std::strcmp(argv[a], "--random") == 0) {
    RandomModelSpec spec;
    int attn = 0;
    if (std::sscanf(argv[a + 1], "%d,%d,%d,%d,%d", &spec.hp.d_model, &spec.hp.n_layers, &attn, &spec.hp.window,
                    &spec.hp.boom_dim) != 5) {
      std::fprintf(stderr, "engine_bench: --random wants d,layers,attn_layer,window,boom\n");
      return 1;
    }
    spec.hp.attn_layers = {attn};
    const std::vector<uint8_t> bytes = random_model_file(spec);
    model_path = "/tmp/engine_bench_random.shzm";
    std::ofstream(model_path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
    a += 2;
  } else {
    model_path = argv[a++];
  }
  const std::vector<uint8_t> input = bench_read_file("engine_bench", argv[a++]);
  uint64_t segment = 0;
  unsigned threads = std::thread::hardware_concurrency();
  size_t batch = 16;
  std::string device = "cpu", simd;
  for (; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--segment")) segment = std::strtoull(argv[a + 1], nullptr, 10);
    else if (!std::strcmp(argv[a], "--threads")) threads = unsigned(std::atoi(argv[a + 1]));
    else if (!std::strcmp(argv[a], "--batch")) batch = size_t(std::atoi(argv[a + 1]));
    else if (!std::strcmp(argv[a], "--simd")) simd = argv[a + 1];
    else if (!std::strcmp(argv[a], "--device")) device = argv[a + 1];
  }
  const bool gpu = device != "cpu";
  try {
    EngineTuning tuning = engine_tuning_from_env();  // SHZ_CUDA_* and the rest, as the CLI takes them; flags win
    if (!simd.empty()) tuning.simd = simd;
    if (batch != 16 || gpu) tuning.batch = batch;
    engine_tuning_check(tuning);
    const auto model = model_load(model_path, device);
    const auto probe = model->make(tuning);
    if (model->file.empty()) throw Error(ErrorCode::kUsage, "engine_bench runs SHA-RNN models (a model file)");
    // The shapes and weights as the CPU engine reads them (for the cost figures on any device,
    // and for the CPU's matmul kernel alone below).
    const Model m = model_from_safetensors(safetensors_parse(model->file, model_path), model_path);
    const SimdLevel level = simd_parse(tuning.simd);
    if (!segment) segment = probe->default_segment_size();
    const double attn = average_attention_bytes(m.hp, input.size(), segment);
    // Multiply-adds per byte at this input's fill of the window (the cost line gives a full one).
    const double macs = double(m.hp.weight_bytes()) + 2 * attn;
    std::printf("model      %s\n", model->description.c_str());
    const size_t count = size_t((input.size() + segment - 1) / segment);
    const auto bounds = batch_split(count, probe->preferred_streams(), thread_count(threads, count));
    std::printf("input      %zu bytes, segments of %llu bytes (%zu segments), %zu batches of <= %zu (preferred %zu), "
                "threads %u, simd %s\n",
                input.size(), (unsigned long long)segment, count, bounds.size() - 1,
                batch_largest(bounds), probe->preferred_streams(), threads, simd_name(level));
    std::printf("cost       %.2f M multiply-adds per byte at a full window (weights + attention), %.2f M at this "
                "input's average fill\n", double(m.hp.macs_per_byte()) / 1e6, macs / 1e6);
    const double pk1 = gpu ? 0 : peak(level, 1), pkn = gpu ? cuda::int8_peak_macs() : peak(level, threads);
    if (gpu)
      std::printf("peak       %.1f T int8 MAC/s (dense tensor cores, vendor figure; matmuls on int8 WMMA tensor cores unless SHZ_CUDA_TC=0)\n", pkn / 1e12);
    else
      std::printf("peak       %.1f G int8 MAC/s on 1 thread, %.1f G on %u (measured, register-only loop)\n", pk1 / 1e9,
                  pkn / 1e9, threads);

    // The matmul kernel alone, at the largest weight matrix of the model, batch B.
    if (!gpu) {
      const QLinear& big = m.layers[0].w_ih;
      const PackedMatrix pm = matrix_pack(big, level);
      const int k = int(probe->preferred_streams());
      std::vector<int8_t> x(size_t(k) * size_t(big.cols), 7);
      std::vector<int32_t> acc(size_t(k) * size_t(big.rows));
      matmul(pm, x.data(), k, acc.data());
      int reps = 0;
      const auto t = Clock::now();
      while (since(t) < 0.5) {
        matmul(pm, x.data(), k, acc.data());
        ++reps;
      }
      const double rate = double(reps) * k * big.rows * big.cols / since(t);
      std::printf("matmul     %dx%d x batch %d: %.1f G MAC/s on 1 thread = %.0f%% of peak\n", big.rows, big.cols, k,
                  rate / 1e9, pk1 > 0 ? 100 * rate / pk1 : 0.0);
    }

    const EngineRun run = engine_run(*model, tuning, input, segment, threads);
    if (!run.ok) {
      std::fprintf(stderr, "engine_bench: ROUND TRIP FAILED\n");
      return 1;
    }
    const double tc = run.t_encode, td = run.t_decode;
    const double n = double(input.size());
    std::printf("compress   %.1f KB/s, %.1f G MAC/s = %.0f%% of peak\n", n / tc / 1e3, n * macs / tc / 1e9,
                pkn > 0 ? 100 * n * macs / tc / pkn : 0.0);
    std::printf("decompress %.1f KB/s, %.1f G MAC/s = %.0f%% of peak\n", n / td / 1e3, n * macs / td / 1e9,
                pkn > 0 ? 100 * n * macs / td / pkn : 0.0);
    std::printf("payload    %zu bytes, %.4f bpb (every segment coded; an archive stores what this would expand);"
                " peak RSS %.1f MiB\n", run.payload, 8.0 * double(run.payload) / n, double(peak_rss_kb()) / 1024);
    if (gpu) {
      std::printf("gpu        %s\n", cuda::memory_report().c_str());
      dram_roof(m.hp, attn, batch_largest(bounds), n / tc, n / td);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "engine_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
