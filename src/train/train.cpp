// shz train: the SHA-RNN in float with LAMB (or AdamW), truncated BPTT over fixed-size
// segments that start from a fresh state exactly as archive segments do.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "checkpoint.h"
#include "init_from_model.h"
#include "curve_svg.h"
#include "data.h"
#include "distributed.h"
#include "threads.h"
#include "train_api.h"

namespace shz::train {

using nlohmann::json;

namespace {

struct Preset {
  NetConfig net;
  int batch, bptt, warmup;
  double lr;
};

Preset preset_named(const std::string& name) {
  Preset p;
  if (name == "tiny") {
    p.net = NetConfig{64, 2, {1}, 128, 256, 0.0};
    p.batch = 16, p.bptt = 128, p.warmup = 20, p.lr = 3e-3;
  } else if (name == "small") {
    p.net = NetConfig{256, 2, {1}, 1024, 1024, 0.05};
    p.batch = 32, p.bptt = 256, p.warmup = 200, p.lr = 2e-3;
  } else if (name == "paper") {  // Merity 2019 / Smerity/sha-rnn README hyperparameters
    p.net = NetConfig{1024, 4, {2}, 5000, 4096, 0.1};
    p.batch = 16, p.bptt = 1024, p.warmup = 800, p.lr = 2e-3;
  } else {
    throw std::runtime_error("unknown preset '" + name + "' (tiny, small, paper)");
  }
  return p;
}

// LAMB (You et al. 2019) as Merity's sha-rnn uses it: Adam's step scaled per tensor by
// ||w|| / ||step||, ||w|| clamped to 10, the ratio at least `min_trust`. AdamW is the
// same update with the ratio fixed at 1.
void optimiser_step(std::vector<torch::Tensor>& params, TrainState& ts, double lr, bool lamb) {
  torch::NoGradGuard no_grad;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-6, min_trust = 0.25;
  const double t = double(ts.step + 1);
  const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor& p = params[i];
    if (!p.grad().defined()) continue;
    const torch::Tensor g = p.grad();
    ts.m[i].mul_(b1).add_(g, 1 - b1);
    ts.v[i].mul_(b2).addcmul_(g, g, 1 - b2);
    torch::Tensor u = (ts.m[i] / c1) / ((ts.v[i] / c2).sqrt() + eps);
    double trust = 1.0;
    if (lamb) {
      const double wn = std::min(p.norm().item<double>(), 10.0), un = u.norm().item<double>();
      trust = (wn > 0 && un > 0) ? std::max(wn / un, min_trust) : 1.0;
    }
    p.add_(u, -lr * trust);
  }
}

// The run's log (stderr and OUT.log); in a data-parallel job only rank 0 keeps one.
class Log {
 public:
  Log(const std::string& path, bool on) : on_(on) {
    if (on_) f_.open(path, std::ios::app);
  }
  void line(const std::string& s) {
    if (!on_) return;
    std::fprintf(stderr, "%s\n", s.c_str());
    f_ << s << "\n";
    f_.flush();
  }

 private:
  bool on_;
  std::ofstream f_;
};

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0, double e = 0, double g = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a, b, c, d, e, g);
  return buf;
}

std::string hms(double s) {
  const long v = long(s);
  char b[32];
  std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", v / 3600, (v / 60) % 60, v % 60);
  return b;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path + ".tmp", std::ios::binary);
  f << text;
  f.close();
  if (!f || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot write");
}

void write_curve(const std::string& out, const TrainState& ts, const std::string& title) {
  std::vector<CurvePoint> pts;
  std::string csv = "bytes_seen,train_bpb,valid_bpb,elapsed_s\n";
  for (const json& p : ts.curve) {
    pts.push_back({p.at("bytes").get<double>(), p.at("train_bpb").get<double>(), p.at("valid_bpb").get<double>()});
    csv += std::to_string(p.at("bytes").get<uint64_t>()) + "," + fmt("%.4f,%.4f,%.0f", p.at("train_bpb").get<double>(),
                                                                     p.at("valid_bpb").get<double>(),
                                                                     p.at("elapsed_s").get<double>()) + "\n";
  }
  write_text(out + ".curve.csv", csv);
  write_text(out + ".curve.svg", curve_svg(pts, title));
}

}  // namespace

int run_train(const TrainOptions& o) {
  if (o.out.empty()) throw std::runtime_error("--out CHECKPOINT is required");
  // Data parallel when a launcher started several processes (distributed.h): each takes a
  // share of every step's streams, gradients are summed over the ranks, rank 0 writes.
  const DistEnv env = dist_env_from_environment();
  const bool root = env.rank == 0;
  const char* lws = std::getenv("LOCAL_WORLD_SIZE");
  const int local_world = std::max(1, lws ? std::atoi(lws) : 1);
  const int threads =
      o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency() / unsigned(local_world)));
  Log log(o.out + ".log", root);
  log.line(set_compute_threads(threads));

  TrainState ts;
  ShaRnnNet net{nullptr};
  Preset p = preset_named(o.preset);
  json train_cfg;
  if (o.resume) {
    net = load_checkpoint(o.out, ts);
    train_cfg = ts.config.at("train");
    if (train_cfg.at("data").get<std::vector<std::string>>() != o.data)
      log.line("warning: resuming with other --data files than the checkpoint was trained on");
    log.line("resumed " + o.out + " at step " + std::to_string(ts.step) + ", " + std::to_string(ts.bytes_seen) +
             " bytes seen");
  } else {
    if (o.dropout >= 0) p.net.dropout = o.dropout;
    torch::manual_seed(o.seed);
    net = ShaRnnNet(p.net);
    if (!o.init.empty()) log.line(init_from_model(net, o.init));
    train_cfg = json{{"preset", o.preset},
                     {"init", o.init},
                     {"data", o.data},
                     {"valid_fraction", o.valid.empty() ? o.valid_fraction : 0.0},
                     {"valid", o.valid},
                     {"seed", o.seed},
                     {"batch", o.batch ? o.batch : p.batch},
                     {"bptt", o.bptt ? o.bptt : p.bptt},
                     {"lr", o.lr > 0 ? o.lr : p.lr},
                     {"warmup", o.warmup ? o.warmup : p.warmup},
                     {"optimizer", o.optimizer},
                     {"clip", o.clip},
                     {"segment", o.segment},
                     {"world", env.world}};
    ts.config = json{{"net", net_config_to_json(p.net)}, {"train", train_cfg}};
  }
  const int batch_cfg = train_cfg.at("batch").get<int>(), bptt = train_cfg.at("bptt").get<int>(),
            warmup = train_cfg.at("warmup").get<int>();
  const double lr_peak = train_cfg.at("lr").get<double>(), clip = train_cfg.at("clip").get<double>();
  const uint64_t seed = train_cfg.at("seed").get<uint64_t>(), S = train_cfg.at("segment").get<uint64_t>();
  const std::string optimizer = train_cfg.at("optimizer").get<std::string>();
  if (optimizer != "lamb" && optimizer != "adamw") throw std::runtime_error("unknown optimizer '" + optimizer + "' (lamb, adamw)");
  if (S < 16) throw std::runtime_error("--segment must be at least 16 bytes");

  TextSplit data = load_split(train_cfg.at("data").get<std::vector<std::string>>(),
                              train_cfg.at("valid_fraction").get<double>());
  for (const std::string& v : train_cfg.value("valid", std::vector<std::string>{})) {
    data.valid.push_back(file_bytes(v));
    data.description += "  " + v + ": validation, all " + std::to_string(data.valid.back().size()) + " bytes\n";
  }
  const uint64_t nseg = data.train.size() / S;
  if (nseg == 0) throw std::runtime_error("training text (" + std::to_string(data.train.size()) +
                                          " bytes) is shorter than one segment (--segment " + std::to_string(S) + ")");
  const int batch = int(std::min<uint64_t>(uint64_t(batch_cfg), nseg));
  if (env.world > batch)
    throw std::runtime_error(std::to_string(env.world) + " processes cannot share a batch of " + std::to_string(batch) +
                             " streams");
  // This rank's streams of each step: rows [row0, row1) of the global batch.
  const int row0 = int(int64_t(batch) * env.rank / env.world), row1 = int(int64_t(batch) * (env.rank + 1) / env.world);
  const int rows = row1 - row0;
  std::vector<std::vector<uint8_t>> valid;
  uint64_t valid_total = 0;
  for (const auto& v : data.valid) {
    const size_t n = std::min<size_t>(v.size(), o.valid_bytes / std::max<size_t>(1, data.valid.size()));
    if (n) valid.emplace_back(v.begin(), v.begin() + long(n)), valid_total += n;
  }

  const torch::Device device = pick_device(o.device);
  net->to(device);
  DataParallel dp(env, device);
  if (dp.active())
    log.line("data parallel: " + std::to_string(env.world) + " processes (" + env.launcher + ", " + dp.backend() +
             "), this rank's streams " + std::to_string(row0) + ".." + std::to_string(row1 - 1) + " of " +
             std::to_string(batch) + " per step");
  // A recurrent state saved by another world (or by rank 0 alone) does not fit these rows:
  // such a run resumes at the next round's start.
  if (o.resume && ts.offset != 0 && (dp.active() || train_cfg.value("world", 1) != 1)) {
    log.line("resume: the recurrent state belongs to another split of the batch; starting the next round");
    ts.offset = 0;
    ts.round++;
    ts.state.reset();
  }
  state_to(ts.state, device);
  for (auto* v : {&ts.m, &ts.v})
    for (auto& t : *v) t = t.to(device);
  log.line(std::string("device: ") + (device.is_cuda() ? "cuda" : "cpu"));
  std::vector<torch::Tensor> params = net->parameters();
  int64_t nparams = 0;
  for (const auto& t : params) nparams += t.numel();
  if (ts.m.size() != params.size()) {
    ts.m.clear();
    ts.v.clear();
    for (const auto& t : params) ts.m.push_back(torch::zeros_like(t)), ts.v.push_back(torch::zeros_like(t));
  }
  // Every rank starts from rank 0's weights and moments (as DistributedDataParallel does).
  dp.broadcast(params);
  dp.broadcast(ts.m);
  dp.broadcast(ts.v);
  // The weight check's own test (tests/train_dp_test.sh): this rank's weights are nudged, as a
  // bug or a bit flip on one machine would, and the check must stop the run.
  if (const char* r = std::getenv("SHZ_TRAIN_TEST_DIVERGE_RANK"))
    if (dp.active() && std::atoi(r) == env.rank) {
      torch::NoGradGuard no_grad;
      params[0].add_(1e-3);
    }
  log.line("shz train: preset " + o.preset + ", " + std::to_string(nparams) + " float parameters, config " +
           ts.config.at("net").dump());
  log.line("data split (the last " + fmt("%.1f%%", 100 * train_cfg.at("valid_fraction").get<double>()) +
           " of each training file is validation, never trained on):\n" + data.description + "  " +
           std::to_string(nseg) + " training segments of " + std::to_string(S) + " bytes; validation sample " +
           std::to_string(valid_total) + " bytes");
  log.line("batch " + std::to_string(batch) + ", bptt " + std::to_string(bptt) + ", " + optimizer + " lr " +
           fmt("%g", lr_peak) + ", warmup " + std::to_string(warmup) + ", clip " + fmt("%g", clip) + ", threads " +
           std::to_string(threads) + ", seed " + std::to_string(seed));

  const double max_s = o.max_minutes * 60;
  const auto t_start = std::chrono::steady_clock::now();
  const double elapsed0 = ts.elapsed_s;
  auto elapsed = [&] {
    return elapsed0 + std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  };
  // Fraction of the planned run done, for the schedule and the ETA (0 when unbounded).
  auto progress = [&] {
    double f = 0;
    if (max_s > 0) f = std::max(f, elapsed() / max_s);
    if (o.max_bytes > 0) f = std::max(f, double(ts.bytes_seen) / double(o.max_bytes));
    return std::min(1.0, f);
  };
  auto evaluate = [&] { return valid_total ? float_eval_bits(net, valid, S) / double(valid_total) : 0.0; };

  net->train();
  std::vector<uint64_t> seg_of(size_t(batch), 0);
  double sum_bits = 0, sum_bytes = 0, last_log = elapsed(), last_eval = elapsed(), last_ckpt = elapsed();
  uint64_t bytes_at_log = ts.bytes_seen;
  auto checkpoint = [&] {
    ts.elapsed_s = elapsed();
    save_checkpoint(o.out, net, ts);
    write_curve(o.out, ts, "shz train: " + o.preset + " preset, " + std::to_string(nparams) + " parameters");
  };
  auto eval_point = [&] {
    const double vb = evaluate();
    ts.curve.push_back(json{{"bytes", ts.bytes_seen}, {"train_bpb", sum_bytes > 0 ? sum_bits / sum_bytes : 0.0},
                            {"valid_bpb", vb}, {"elapsed_s", elapsed()}});
    log.line("  validation: " + fmt("%.4f", vb) + " bpb on " + std::to_string(valid_total) + " bytes");
    sum_bits = sum_bytes = 0;
    return vb;
  };
  const uint64_t kCheckEvery = 100;  // steps between checks that the ranks' weights agree
  for (;;) {
    // Rank 0's clock decides for all: when to stop, and where the schedule stands.
    std::vector<double> decide{
        (max_s > 0 && elapsed() >= max_s) || (o.max_bytes > 0 && ts.bytes_seen >= o.max_bytes) ? 1.0 : 0.0,
        progress()};
    dp.broadcast_values(decide);
    const bool done = decide[0] != 0;
    const double frac = decide[1];
    if (done) break;
    if (ts.offset == 0) ts.state.reset();
    for (int r = 0; r < batch; ++r) {  // this round's segments: consecutive slots of epoch permutations
      const uint64_t g = ts.round * uint64_t(batch) + uint64_t(r);
      seg_of[size_t(r)] = epoch_order(uint32_t(nseg), seed, g / nseg)[g % nseg];
    }
    // Chunk length: Merity's randomised BPTT (half length 5% of the time, +-5% jitter),
    // drawn from the step number so a resumed run draws the same lengths.
    uint64_t h = (ts.step + 1) * 0x9E3779B97F4A7C15ull ^ seed;
    h = (h ^ (h >> 31)) * 0xBF58476D1CE4E5B9ull;
    int L = (h % 100) < 5 ? bptt / 2 : bptt;
    L = std::max(8, L + int((h >> 20) % uint64_t(L / 10 + 1)) - L / 20);
    L = int(std::min<uint64_t>(uint64_t(L), S - ts.offset));
    torch::Tensor in = torch::empty({rows, L}, torch::kInt64), tgt = torch::empty({rows, L}, torch::kInt64);
    auto ia = in.accessor<int64_t, 2>();
    auto ta = tgt.accessor<int64_t, 2>();
    for (int r = 0; r < rows; ++r) {
      const uint8_t* s = data.train.data() + seg_of[size_t(row0 + r)] * S;
      for (int t = 0; t < L; ++t) {
        const uint64_t pos = ts.offset + uint64_t(t);
        ia[r][t] = pos == 0 ? 0 : s[pos - 1];
        ta[r][t] = s[pos];
      }
    }
    torch::Tensor logits = net->forward(in.to(device), ts.state);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits.reshape({-1, 256}), tgt.to(device).reshape({-1}));
    net->zero_grad();
    // Each rank's mean weighted by its share of the streams: summed over the ranks, the
    // gradient of the whole batch's mean, as one process would have it.
    (dp.active() ? loss * (double(rows) / double(batch)) : loss).backward();
    dp.sum_gradients(params);
    torch::nn::utils::clip_grad_norm_(params, clip);
    double lr = lr_peak * (frac > 0 ? 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * frac)) : 1.0);  // cosine to 10%
    if (ts.step < uint64_t(warmup)) lr *= double(ts.step + 1) / double(warmup);
    optimiser_step(params, ts, lr, optimizer == "lamb");
    const double bits = loss.item<double>() / std::log(2.0) * rows * L;  // this rank's streams
    if (!std::isfinite(bits)) throw std::runtime_error("training diverged (loss is not finite) at step " + std::to_string(ts.step));
    sum_bits += bits;
    sum_bytes += double(rows) * L;
    ts.step++;
    ts.bytes_seen += uint64_t(batch) * uint64_t(L);
    ts.offset += uint64_t(L);
    if (ts.offset == S) ts.offset = 0, ts.round++;

    if (ts.step % kCheckEvery == 0) dp.check_same_parameters(params, ts.step);
    if (!root) continue;  // logs, validation and checkpoints: rank 0's
    const double now = elapsed();
    if (now - last_log >= 30) {
      const double rate = double(ts.bytes_seen - bytes_at_log) / (now - last_log);
      const std::string eta = frac > 0 ? hms(now * (1 - frac) / frac) : "-";
      log.line("step " + std::to_string(ts.step) + "  bytes " + std::to_string(ts.bytes_seen) + "  epoch " +
               fmt("%.2f", double(ts.bytes_seen) / double(nseg * S)) + "  train " +
               fmt("%.4f", sum_bytes > 0 ? sum_bits / sum_bytes : 0) + " bpb  lr " + fmt("%.2e", lr) + "  " +
               fmt("%.0f", rate) + " B/s  elapsed " + hms(now) + "  eta " + eta);
      last_log = now;
      bytes_at_log = ts.bytes_seen;
    }
    if (now - last_eval >= o.eval_minutes * 60) {
      eval_point();
      last_eval = elapsed();
    }
    if (now - last_ckpt >= o.checkpoint_minutes * 60) {
      checkpoint();
      log.line("  checkpoint " + o.out);
      last_ckpt = elapsed();
    }
  }
  dp.check_same_parameters(params, ts.step);
  if (!root) return 0;
  if (dp.active()) log.line(dp.allreduce_report());
  eval_point();
  checkpoint();
  log.line("done: " + std::to_string(ts.step) + " steps, " + std::to_string(ts.bytes_seen) + " bytes, " +
           hms(ts.elapsed_s) + "; checkpoint " + o.out + ", curve " + o.out + ".curve.svg");
  return 0;
}

}  // namespace shz::train
