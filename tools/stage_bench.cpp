// Benchmark of what the host does per byte besides the model: the match model, the mixing
// stage and the range coder, as segments_encode/segments_decode run them. The model's pmfs
// are computed once and replayed, so the figures are what each CPU thread must keep up with
// when a GPU computes the pmfs (with --device cuda these stages stay on the CPU). Prints
// figures, decides nothing.
// --batch B steps B segments together (as a worker does with a batch of that size; B/count
// copies of each recorded segment, each with its own tables), so the tables of B segments
// compete for the caches as they do when a GPU keeps many segments in flight.
// Usage: stage_bench [MODEL] FILE [--bytes N] [--segment S] [--reps R] [--batch B]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lzma_segment.h"
#include "segment_codec.h"
#include "shz/model.h"
#include "shz/shz.h"
#include "bench_input.h"
#include "util/parallel.h"

using namespace shz;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Every pmf the model gives for every byte of every segment, computed once.
struct Recording {
  int bits = 0;
  std::vector<const uint8_t*> data;
  std::vector<size_t> size;
  std::vector<std::vector<uint32_t>> pmfs;  // per segment, 256 per byte
};

Recording record(const LoadedModel& model, const std::vector<uint8_t>& in, size_t seg) {
  Recording r;
  const size_t count = (in.size() + seg - 1) / seg;
  for (size_t i = 0; i < count; ++i) {
    r.data.push_back(in.data() + i * seg);
    r.size.push_back(std::min(seg, in.size() - i * seg));
  }
  r.pmfs.resize(count);
  const unsigned threads = thread_count(0, count);
  std::vector<std::unique_ptr<Predictor>> models(threads);
  parallel_run(threads, count, [&](unsigned w, size_t i) {
    if (!models[w]) {
      models[w] = model.make();
      models[w]->begin(1);
    }
    Predictor& p = *models[w];
    p.reset(0);
    const size_t slot = 0;
    r.pmfs[i].resize(256 * r.size[i]);
    for (size_t t = 0; t < r.size[i]; ++t) {
      p.predict(&slot, 1, &r.pmfs[i][256 * t]);
      p.update(&slot, 1, &r.data[i][t]);
    }
  }, nullptr);
  r.bits = model.make()->pmf_bits();
  return r;
}

// A predictor that hands out the recorded pmfs of segment (first + slot) mod count, byte by byte.
class Replay final : public Predictor {
 public:
  Replay(const Recording& r, size_t first) : r_(r), first_(first) {}
  size_t segment(size_t slot) const { return (first_ + slot) % r_.data.size(); }
  ModelIdentity identity() const override { return {}; }
  int pmf_bits() const override { return r_.bits; }
  size_t preferred_streams() const override { return 1; }
  uint64_t default_segment_size() const override { return 65536; }
  void begin(size_t streams) override { pos_.assign(streams, 0); }
  void reset(size_t slot) override { pos_[slot] = 0; }
  void predict(const size_t* slots, size_t n, uint32_t* pmfs) override {
    for (size_t i = 0; i < n; ++i)
      std::memcpy(pmfs + 256 * i, &r_.pmfs[segment(slots[i])][256 * pos_[slots[i]]], 1024);
  }
  void update(const size_t* slots, size_t n, const uint8_t*) override {
    for (size_t i = 0; i < n; ++i) ++pos_[slots[i]];
  }

 private:
  const Recording& r_;
  size_t first_;
  std::vector<size_t> pos_;
};

struct Figures {
  double enc = 0, dec = 0;  // best seconds over the reps
  size_t payload = 0;
  bool ok = true;
};

// Runs code(predictor, jobs, n) over all jobs, `batch` at a time; returns the seconds taken.
template <class Job, class Code>
double in_batches(const Recording& r, std::vector<Job>& jobs, size_t batch, Code code) {
  const auto t = Clock::now();
  for (size_t i = 0; i < jobs.size(); i += batch) {
    const size_t n = std::min(batch, jobs.size() - i);
    Replay p(r, i);
    p.begin(n);
    code(p, &jobs[i], n, nullptr);
  }
  return since(t);
}

// Codes max(count, batch) segments on this thread, `batch` at a time, `reps` times; keeps
// the fastest. Returns the time per byte coded.
Figures run(const Recording& r, bool match, bool mix, int reps, size_t batch) {
  Figures f;
  f.enc = f.dec = 1e30;
  const size_t count = std::max(r.data.size(), batch);
  double bytes = 0;
  for (size_t i = 0; i < count; ++i) bytes += double(r.size[i % r.data.size()]);
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<EncodeJob> enc(count);
    for (size_t i = 0; i < count; ++i) {
      enc[i].data = r.data[i % r.data.size()];
      enc[i].size = r.size[i % r.data.size()];
      enc[i].match = match;
      enc[i].mix = mix;
    }
    f.enc = std::min(f.enc, in_batches(r, enc, batch, segments_encode) / bytes);
    std::vector<DecodeJob> dec(count);
    for (size_t i = 0; i < count; ++i) {
      dec[i].payload = enc[i].payload.data();
      dec[i].payload_size = enc[i].payload.size();
      dec[i].size = enc[i].size;
      dec[i].match = match;
      dec[i].mix = mix;
    }
    f.dec = std::min(f.dec, in_batches(r, dec, batch, segments_decode) / bytes);
    f.payload = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* want = enc[i].data;
      if (i < r.data.size()) f.payload += enc[i].payload.size();
      f.ok = f.ok && !dec[i].corrupt && dec[i].out.size() == enc[i].size &&
             std::equal(dec[i].out.begin(), dec[i].out.end(), want);
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  size_t bytes = 262144, seg = 65536;
  int reps = 3;
  size_t batch = 1;
  for (int a = 1; a < argc; ++a) {
    const bool more = a + 1 < argc;
    if (!std::strcmp(argv[a], "--bytes") && more) bytes = size_t(std::atoll(argv[++a]));
    else if (!std::strcmp(argv[a], "--segment") && more) seg = size_t(std::atoll(argv[++a]));
    else if (!std::strcmp(argv[a], "--reps") && more) reps = std::max(1, std::atoi(argv[++a]));
    else if (!std::strcmp(argv[a], "--batch") && more) batch = size_t(std::max(1, std::atoi(argv[++a])));
    else pos.push_back(argv[a]);
  }
  if (pos.empty() || pos.size() > 2 || seg == 0) {
    std::fprintf(stderr, "usage: stage_bench [MODEL] FILE [--bytes N] [--segment S] [--reps R] [--batch B]\n");
    return 1;
  }
  const std::string model_name = pos.size() == 2 ? pos[0] : kDefaultModelName;
  std::vector<uint8_t> in = bench_read_file("stage_bench", pos.back());
  if (in.size() > bytes) in.resize(bytes);
  if (in.empty()) {
    std::fprintf(stderr, "stage_bench: empty input\n");
    return 1;
  }
  try {
    const auto model = model_load(model_name);
    auto t = Clock::now();
    const Recording r = record(*model, in, seg);
    std::printf("model      %s\n", model->description.c_str());
    std::printf("input      %zu bytes of %s, %zu segments of %zu; pmfs recorded in %.1f s, replayed from memory\n",
                in.size(), pos.back().c_str(), r.data.size(), seg, since(t));
    std::printf("one thread, %zu segment%s stepped together, best of %d: ns per byte (MB/s), payload bytes\n", batch,
                batch == 1 ? "" : "s", reps);
    std::printf("%-22s %16s %16s %10s\n", "stages", "encode", "decode", "payload");
    const struct {
      const char* name;
      bool match, mix;
    } cases[] = {{"coder (format 3)", false, false}, {"match+coder (4)", true, false}, {"match+mix+coder (5)", true, true}};
    double worst = 0;
    for (const auto& c : cases) {
      const Figures f = run(r, c.match, c.mix, reps, batch);
      if (!f.ok) {
        std::fprintf(stderr, "stage_bench: ROUND TRIP FAILED (%s)\n", c.name);
        return 1;
      }
      std::printf("%-22s %8.0f (%5.2f) %8.0f (%5.2f) %10zu\n", c.name, 1e9 * f.enc, 1e-6 / f.enc, 1e9 * f.dec,
                  1e-6 / f.dec, f.payload);
      worst = std::max({worst, f.enc, f.dec});
    }
    std::printf("format 5 needs %.1f host threads per 5 MB/s of model throughput (these stages alone)\n",
                5e6 * worst);
    // compress() also tries LZMA2 on every segment (primed with up to 1 MiB before it) before
    // the model codes it: host work too. Timed over the whole file, segments as above.
    const std::vector<uint8_t> all = bench_read_file("stage_bench", pos.back());
    std::vector<uint8_t> out;
    size_t lz = 0;
    t = Clock::now();
    for (size_t off = 0; off < all.size(); off += seg) {
      const size_t n = std::min(seg, all.size() - off), h = size_t(lzma_segment_history(off));
      if (lzma_segment_encode(all.data() + off - h, h, all.data() + off, n, n, out)) lz += out.size();
      else lz += n;
    }
    const double s_lz = since(t), n_all = double(all.size());
    std::printf("%-22s %8.0f (%5.2f) %16s %10zu  (whole file, %zu bytes: compress only)\n", "lzma2 trial", 1e9 * s_lz / n_all,
                n_all / s_lz / 1e6, "-", lz, all.size());
  } catch (const Error& e) {
    std::fprintf(stderr, "stage_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
