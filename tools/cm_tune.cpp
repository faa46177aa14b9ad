// Development tool for the context-mixing stage: codes files through CmModel in lanes, as
// formats 6 to 10 do, and prints each file's coded size (the sum of -log2 p over every bit, in
// bytes) and speed. With --model, the SHA-RNN's probabilities along each byte are computed
// once per file and lane size and cached in --cache (16 bytes per input byte), so that
// variants of the CM can be compared in seconds. Prints figures, decides nothing.
//
// Usage: cm_tune [--model NAME|FILE] [--lane BYTES] [--level N] [--cache DIR]
//                [--set KEY=VALUE ...] [--adapt-head SHIFT] FILE...
// --adapt-head: the SHA-RNN's output layer learns online (ShaRnnPredictor::set_head_adaptation).
// cm_tune --trial --model M [--level N] FILE... runs, per file, the encoder's trial of whether
// the model pays on its first block (src/cm_trial.h: the probe's figures and the full trial's).
// cm_tune --memory prints instead what a block of each level's largest size needs
// (cm_memory), the sentence docs/RESULTS.md carries (| tools/splice-results cm-memory).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "bench_input.h"
#include "model/cm/cm_model.h"
#include "model/cm/cost_coder.h"
#include "model/sharnn/sharnn_predictor.h"
#include "src/cm_trial.h"
#include "src/compress_parts.h"
#include "src/x86_filter.h"
#include "shz/model.h"
#include "util/hash.h"
#include "util/parallel.h"

using namespace shz;
using Clock = std::chrono::steady_clock;

namespace {

// The model's probabilities along every byte, lane by lane (each lane from a fresh state).
std::vector<uint16_t> model_paths(const LoadedModel& model, const std::vector<uint8_t>& in, size_t lane,
                                  int adapt_head) {
  const size_t lanes = (in.size() + lane - 1) / lane;
  std::vector<uint16_t> out(in.size() * 8);
  const unsigned threads = thread_count(0, lanes);
  const size_t per = (lanes + threads - 1) / threads;
  parallel_run(
      threads, threads,
      [&](unsigned, size_t w) {
        const size_t first = w * per, last = std::min(lanes, first + per);
        if (first >= last) return;
        std::unique_ptr<Predictor> p = model.make();
        if (adapt_head) {
          auto* sp = dynamic_cast<sharnn::ShaRnnPredictor*>(p.get());
          if (!sp) throw std::runtime_error("--adapt-head needs a SHA-RNN model on the CPU");
          sp->set_head_adaptation(adapt_head);
        }
        p->begin(last - first);
        std::vector<size_t> slots;
        for (size_t i = first; i < last; ++i) p->reset(i - first);
        std::vector<uint32_t> pmfs(256 * (last - first));
        std::vector<uint8_t> bytes(last - first);
        uint32_t cum[257];
        for (size_t t = 0; t < lane; ++t) {
          slots.clear();
          for (size_t i = first; i < last; ++i)
            if (i * lane + t < in.size() && t < lane) slots.push_back(i - first);
          if (slots.empty()) break;
          p->predict(slots.data(), slots.size(), pmfs.data());
          for (size_t k = 0; k < slots.size(); ++k) {
            const size_t pos = (first + slots[k]) * lane + t;
            cm::pmf_cumulative(&pmfs[256 * k], cum);
            cm::model_bits_path(cum, in[pos], &out[pos * 8]);
            bytes[k] = in[pos];
          }
          p->update(slots.data(), slots.size(), bytes.data());
        }
      },
      [] {});
  return out;
}

bool set_param(cm::CmConfig& c, const std::string& kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos) return false;
  const std::string k = kv.substr(0, eq);
  const long v = std::strtol(kv.c_str() + eq + 1, nullptr, 0);
  if (k == "contexts") c.contexts = uint32_t(v);
  else if (k == "table_bits") c.table_bits = int(v);
  else if (k == "match_bits") c.match_bits = int(v);
  else if (k == "match0") c.match_min[0] = int(v);
  else if (k == "match1") c.match_min[1] = int(v);
  else if (k == "apm2") c.apm_order2 = v != 0;
  else if (k == "shift") c.mixer_shift = int(v);
  else if (k == "limit") c.counter_limit = int(v);
  else if (k == "exp") c.experiment = uint32_t(v);
  else if (k == "rev") {  // the CM revision (cm_config_for adds R3 from revision 2, M from 3;
                          // revision 4's table size comes from the level: set table_bits too)
    c.revision = int(v);
    if (v < 2) c.contexts &= ~uint32_t(cm::kRecord2D);
    if (v < 3) c.contexts &= ~uint32_t(cm::kMarkup);
  }
  else return false;
  return true;
}

}  // namespace

// The context mixing's memory for the largest block of each level, as a sentence.
int print_memory() {
  std::printf("For the level's largest block that is (`cm_memory`, `model/cm/cm_config.cpp`, format %d's\n"
              "context mixing, printed by `build/cm_tune --memory`):", 5 + cm::kCmRevision);
  uint64_t prev = 0;
  int first = 1;
  for (int level = 1; level <= 10; ++level) {
    const uint64_t mib =
        level <= 9 ? (cm::cm_memory(level, cm_block_size(level, uint64_t(1) << 40)) + (1 << 20) - 1) >> 20 : 0;
    if (level > 1 && mib != prev) {
      std::printf("%s %llu MiB at `-%d`", first == 1 ? "" : (level == 10 ? " and" : ","), (unsigned long long)prev,
                  first);
      if (level - 1 > first) std::printf(" to `-%d`", level - 1);
      first = level;
    }
    prev = mib;
  }
  std::printf(".\n");
  return 0;
}

// The encoder's trial on the first block of each file, as src/compress_cm.cpp runs it (the
// lanes one after another here), with both verdicts and their figures.
static int print_trials(const LoadedModel& model, int level, const std::vector<std::string>& files) {
  std::printf("| file | probe: model alone | probe: CM alone | ratio | probe | trial with | trial without | saved | trial |\n");
  std::printf("|---|---:|---:|---:|---|---:|---:|---:|---|\n");
  for (const std::string& f : files) {
    const std::vector<uint8_t> in = bench_read_file("cm_tune", f);
    const size_t block = size_t(cm_block_size(level, in.size()));
    if (block < kCmTrialMin) {
      std::printf("| %s | (a block under %zu bytes has no trial) |||||||\n", f.c_str(), kCmTrialMin);
      continue;
    }
    CmTrial t = cm_trial_of_block(in.data(), block, level, x86_filter_looks_useful(in.data(), block));
    for (size_t l = 0; l < t.lanes; ++l) {
      std::unique_ptr<Predictor> p = model.make();
      p->begin(1);
      cm_trial_model(t, l, *p, SIZE_MAX);
    }
    const CmTrialCost without = cm_trial_cost(t, false), with = cm_trial_cost(t, true);
    const size_t alone = cm_trial_probe_model_cost(t);
    std::string why;
    const bool out = cm_probe_rules_out(alone, without.probe, why);
    const bool pays = cm_trial_model_pays(with.second_halves, without.second_halves, why);
    std::printf("| %s | %zu | %zu | %.2f | %s | %zu | %zu | %.1f%% | %s |\n", f.c_str(), alone, without.probe,
                double(alone) / double(std::max<size_t>(without.probe, 1)), out ? "out" : "open", with.second_halves,
                without.second_halves,
                100.0 * (double(without.second_halves) - double(with.second_halves)) / double(without.second_halves),
                pays ? "kept" : "left out");
    std::fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--memory") return print_memory();
  std::string model_name, cache = "/tmp/cm_tune_cache";
  size_t lane = 65536;
  bool lane_given = false;
  int level = 5;
  int adapt_head = 0;  // 0: the model as trained
  std::vector<std::string> sets, files;
  bool no_model_input = false, sequential = false, trial = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--model" && i + 1 < argc) model_name = argv[++i];
    else if (a == "--lane" && i + 1 < argc) {
      lane = std::strtoul(argv[++i], nullptr, 0);
      lane_given = true;
    }
    else if (a == "--level" && i + 1 < argc) level = std::atoi(argv[++i]);
    else if (a == "--cache" && i + 1 < argc) cache = argv[++i];
    else if (a == "--set" && i + 1 < argc) sets.push_back(argv[++i]);
    else if (a == "--no-model-input") no_model_input = true;
    else if (a == "--sequential") sequential = true;
    else if (a == "--trial") trial = true;
    else if (a == "--adapt-head" && i + 1 < argc) adapt_head = std::atoi(argv[++i]);
    else files.push_back(a);
  }
  std::shared_ptr<const LoadedModel> model;
  if (!model_name.empty()) model = model_load(model_name);
  if (trial) {
    if (!model) model = model_load("default");
    return print_trials(*model, level, files);
  }
  mkdir(cache.c_str(), 0755);
  double total_in = 0, total_out = 0, total_s = 0;
  for (const std::string& f : files) {
    std::vector<uint8_t> in = bench_read_file("cm_tune", f);
    cm::CmConfig cfg = cm::cm_config_for(level, in.size());
    for (const std::string& s : sets)
      if (!set_param(cfg, s)) {
        std::fprintf(stderr, "cm_tune: bad --set %s\n", s.c_str());
        return 1;
      }
    std::vector<uint16_t> paths;
    double model_s = 0;  // the model's time, when its probabilities were not in the cache
    if (model) {
      char name[128];
      std::snprintf(name, sizeof name, "/%016llx.%016llx.%zu%s.bits", (unsigned long long)hash_bytes(in.data(), in.size()),
                    (unsigned long long)model->id.hash, lane,
                    adapt_head ? (".a" + std::to_string(adapt_head)).c_str() : "");
      const std::string path = cache + name;
      if (FILE* fp = std::fopen(path.c_str(), "rb")) {
        paths.resize(in.size() * 8);
        if (std::fread(paths.data(), 2, paths.size(), fp) != paths.size()) paths.clear();
        std::fclose(fp);
      }
      if (paths.empty()) {
        const auto m0 = Clock::now();
        paths = model_paths(*model, in, lane, adapt_head);
        model_s = std::chrono::duration<double>(Clock::now() - m0).count();
        if (FILE* fp = std::fopen(path.c_str(), "wb")) {
          std::fwrite(paths.data(), 2, paths.size(), fp);
          std::fclose(fp);
        }
      }
    }
    if (!paths.empty()) {  // the model alone, for comparison
      double bits = 0;
      for (size_t q = 0; q < in.size(); ++q)
        for (int b = 0; b < 8; ++b) {
          const double p1 = paths[q * 8 + size_t(b)] / 65536.0;
          bits -= std::log2((in[q] >> (7 - b) & 1) ? p1 : 1 - p1);
        }
      std::printf("%-40s %10zu -> %10.0f  %.4f bpb  (the model alone", f.c_str(), in.size(), bits / 8,
                  bits / double(in.size()));
      if (model_s > 0) std::printf(", %.2f s", model_s);
      std::printf(")\n");
    }
    const size_t lane_used = (model || lane_given) && !sequential ? lane : in.size();
    std::vector<uint8_t> buf(in.size());
    std::memcpy(buf.data(), in.data(), in.size());
    const auto t0 = Clock::now();
    cm::CmModel cmm;
    cmm.reset(cfg, buf.data(), buf.size(), lane_used);
    cm::CostCoder coder;
    const size_t lanes = cmm.lanes();
    for (size_t t = 0; t < lane_used; ++t)
      for (size_t i = 0; i < lanes; ++i) {
        const size_t pos = i * lane_used + t;
        if (pos >= in.size() || t >= lane_used) continue;
        cm::ModelBits mb;
        if (model && !no_model_input) mb.path = &paths[pos * 8];
        coder.byte = in[pos];
        cmm.code(i, mb, coder);
      }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double bytes = coder.bits / 8;
    std::printf("%-40s %10zu -> %10.0f  %.4f bpb  %6.2f s  %7.1f KB/s\n", f.c_str(), in.size(), bytes,
                coder.bits / double(in.size()), s, in.size() / 1000.0 / s);
    total_in += double(in.size());
    total_out += bytes;
    total_s += s;
  }
  std::printf("%-40s %10.0f -> %10.0f  %.4f bpb  %6.2f s\n", "total", total_in, total_out, total_out * 8 / total_in,
              total_s);
}
