// compress() at a level (format 10): the input in blocks, each coded by context mixing
// (model/cm) with the model's pmfs as one of its inputs where the model pays for its time,
// the x86 filter where the bytes look like machine code, and LZMA2 or the bytes themselves
// where those are smaller. A block's lanes step the model as batches shared among the
// threads. The archive depends on the input, the model and the level only: thread count and
// batching cannot change a byte.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <memory>
#include <vector>

#include "cm_codec.h"
#include "cm_trial.h"
#include "compress_parts.h"
#include "format.h"
#include "lzma_segment.h"
#include "model/cm/cm_config.h"
#include "shz/shz.h"
#include "util/hash.h"
#include "util/parallel.h"
#include "x86_filter.h"

namespace shz {
namespace {

// Per level: the largest block, and the most lanes a block is cut into (each at least
// kMinLane bytes). More lanes are bigger model batches (faster: engine_bench) and cost
// about 0.75% per doubling on the development set (docs/RESULTS.md).
struct LevelPlan {
  uint64_t max_block;
  size_t lanes;
};
constexpr LevelPlan kPlans[10] = {
    {0, 1},        {4 << 20, 8},  {8 << 20, 8},  {8 << 20, 8},  {16 << 20, 8}, {16 << 20, 6},
    {16 << 20, 4}, {32 << 20, 2}, {32 << 20, 2}, {64 << 20, 2},
};
constexpr size_t kMinLane = 32 << 10;

// Block j's coding without the model, its output not yet made: lanes only give the model its
// batches, and without it the statistics are better off seeing the block in order (unless
// lanes were asked for).
CmEncodeJob without_model(const CmEncodeJob& j, const CompressOptions& opt) {
  CmEncodeJob w;
  w.data = j.data;
  w.size = j.size;
  w.level = j.level;
  w.x86 = j.x86;
  w.lane_size = opt.lane_size ? j.lane_size : 0;
  return w;
}

}  // namespace

uint64_t cm_block_size(int level, uint64_t size) {
  const uint64_t max_block = kPlans[std::clamp(level, 1, kMaxLevel)].max_block;
  const uint64_t blocks = std::max<uint64_t>(1, (size + max_block - 1) / max_block);
  return std::max<uint64_t>(1, (size + blocks - 1) / blocks);
}

size_t cm_lane_size(int level, size_t block) {
  const size_t lanes = std::clamp<size_t>(block / kMinLane, 1, kPlans[std::clamp(level, 1, kMaxLevel)].lanes);
  return lanes == 1 ? 0 : (block + lanes - 1) / lanes;
}

std::vector<uint8_t> compress_cm(const uint8_t* data, size_t size, const CompressOptions& opt,
                                 const std::shared_ptr<const LoadedModel>& model) {
  const int level = std::clamp(opt.level, 1, kMaxLevel);
  const uint64_t seg = opt.segment_size ? opt.segment_size : cm_block_size(level, size);
  if (seg > kMaxSegmentSize)
    throw Error(ErrorCode::kUsage, "segment size " + std::to_string(seg) + " is over the limit of " +
                                       std::to_string(kMaxSegmentSize) + " bytes");
  const size_t count = size_t(size / seg + (size % seg != 0));
  const unsigned threads = thread_count(opt.threads, SIZE_MAX);

  ArchiveInfo info = archive_info_start(data, size, seg, opt, *model);
  info.segments.resize(count);
  std::vector<CmEncodeJob> jobs(count);
  for (size_t i = 0; i < count; ++i) {
    CmEncodeJob& j = jobs[i];
    j.data = data + i * seg;
    j.size = size_t(i + 1 < count ? seg : size - i * seg);
    j.level = level;
    j.lane_size = opt.lane_size ? (opt.lane_size < j.size ? size_t(opt.lane_size) : 0) : cm_lane_size(level, j.size);
    if (cm_lane_count(j.size, j.lane_size) > kCmMaxLanes)
      throw Error(ErrorCode::kUsage, "lane size " + std::to_string(opt.lane_size) + " makes more than " +
                                         std::to_string(kCmMaxLanes) + " lanes in a block of " +
                                         std::to_string(j.size) + " bytes");
  }

  ProgressCounter counter;
  // A one-block input may be coded without the model while its probe runs (below): its
  // progress shows until the probe decides.
  const bool speculate = count == 1 && threads >= 2;
  CmEncodeJob spec;
  std::atomic<bool> spec_stop{false};
  bool spec_live = false;  // read by tick, on this thread
  bool spec_used = false;
  ProgressCounter spec_counter;
  auto tick = [&] {
    const uint64_t spec_in = spec_live ? spec_counter.bytes_in.load() : 0;
    if (opt.progress)
      opt.progress(Progress{counter.bytes_in + spec_in, counter.bytes_coded, counter.bytes_finished, size});
  };
  // First, block by block in parallel: whether the bytes look like machine code, and whether
  // the model pays (src/cm_trial.h: the probe, then the full trial where the probe leaves it
  // open), and LZMA2 (fast beside the rest; its size bounds the others') for the blocks that
  // may have the model. Blocks the probe rules out run their LZMA2 beside their context mixing.
  std::vector<std::vector<uint8_t>> lzma(count);
  std::vector<char> have_lzma(count, 0), lzma_done(count, 0);
  auto run_lzma = [&](size_t i) {
    have_lzma[i] = opt.lzma_fallback && lzma_try(data, jobs[i].data, jobs[i].size, lzma[i]);
    lzma_done[i] = 1;
  };
  std::vector<std::string> trial_notes(count);
  std::vector<char> both(count, 0);  // small blocks: coded with the model and without
  {
    std::vector<char> trial(count, 0), open(count, 0);  // open: the probe left the model in
    std::vector<CmTrial> trials(count);
    for (size_t i = 0; i < count; ++i) {
      CmEncodeJob& j = jobs[i];
      j.x86 = x86_filter_looks_useful(j.data, j.size);
      trial[i] = opt.model_trial && j.size >= kCmTrialMin;
      if (!trial[i]) continue;
      trials[i] = cm_trial_of_block(j.data, j.size, j.level, j.x86);
    }
    // Per block: each trial lane's model run (its own predictor, so that the full trial goes
    // on where the probe stopped, on any thread), then one more task.
    constexpr size_t kTasks = kCmTrialLanes + 1;
    std::vector<std::unique_ptr<Predictor>> lane_model(count * kCmTrialLanes);
    auto run_lane = [&](size_t i, size_t lane, size_t to) {
      std::unique_ptr<Predictor>& p = lane_model[i * kCmTrialLanes + lane];
      if (!p) {
        p = model->make(opt.engine);
        p->begin(1);
      }
      cm_trial_model(trials[i], lane, *p, to);
    };
    const unsigned workers = unsigned(std::min<size_t>(threads, count * kTasks));
    std::vector<CmTrialCost> with(count), without(count);
    auto probe_verdict = [&](size_t i) {
      char at[64];
      std::snprintf(at, sizeof at, "model trial at byte %zu: ", cm_trial_at(jobs[i].size));
      std::string why;
      open[i] = !cm_probe_rules_out(cm_trial_probe_model_cost(trials[i]), without[i].probe, why);
      trial_notes[i] = at + why + (open[i] ? "" : ": left out");
    };
    if (speculate && trial[0] && cm_trial_looks_binary(trials[0])) {
      // One block of binary-looking bytes, where the model seldom pays: one thread codes it
      // without the model while the other runs the probe (its lanes one after the other),
      // and then LZMA2 if the probe leaves the model out, else stops that coding. The block
      // then costs the probe's time less than before, and a block the model pays on a
      // second more.
      spec = without_model(jobs[0], opt);
      spec.cancel = &spec_stop;
      spec_live = true;
      parallel_run(2, 2, [&](unsigned, size_t t) {
        if (t == 0) {
          cm_block_encode({nullptr}, spec, &spec_counter);
          return;
        }
        try {
          for (size_t lane = 0; lane < kCmTrialLanes; ++lane) run_lane(0, lane, kCmProbe);
          without[0] = cm_trial_cost(trials[0], false);
          probe_verdict(0);
          if (open[0]) {
            spec_stop = true;
            return;
          }
          run_lzma(0);
        } catch (...) {
          spec_stop = true;  // the error is reported now, not after the whole block is coded
          throw;
        }
      }, tick);
      spec_live = false;
      spec_used = !open[0];
      if (spec_used) {
        trial_notes[0] += " (coded without the model while the probe ran)";
        counter.bytes_in += spec_counter.bytes_in.load();
        counter.bytes_coded += spec_counter.bytes_coded.load();
        counter.bytes_finished += spec_counter.bytes_finished.load();
      }
    } else {
      parallel_run(workers, count * kTasks, [&](unsigned, size_t t) {
        const size_t i = t / kTasks, task = t % kTasks;
        if (!trial[i]) return;
        if (task == kCmTrialLanes)
          without[i] = cm_trial_cost(trials[i], false);
        else
          run_lane(i, task, kCmProbe);
      }, tick);
      for (size_t i = 0; i < count; ++i)
        if (trial[i]) probe_verdict(i);
    }
    parallel_run(workers, count * kTasks, [&](unsigned, size_t t) {
      const size_t i = t / kTasks, task = t % kTasks;
      if (task < kCmTrialLanes) {
        if (open[i]) run_lane(i, task, SIZE_MAX);
      } else if (!trial[i] || open[i]) {
        run_lzma(i);
      }
    }, tick);
    lane_model.clear();
    parallel_run(unsigned(std::min<size_t>(threads, count)), count, [&](unsigned, size_t i) {
      if (open[i]) with[i] = cm_trial_cost(trials[i], true);
    }, tick);
    for (size_t i = 0; i < count; ++i) {
      CmEncodeJob& j = jobs[i];
      j.limit = have_lzma[i] ? lzma[i].size() : j.size;
      if (!opt.model_trial) {
        j.model = true;
        trial_notes[i] = "model used without a trial";
      } else if (!trial[i]) {
        j.model = true;
        both[i] = 1;
      } else if (!open[i]) {
        j.model = false;
      } else {
        std::string why;
        j.model = cm_trial_model_pays(with[i].second_halves, without[i].second_halves, why);
        trial_notes[i] += "; " + why;
      }
      if (!j.model) j.lane_size = without_model(j, opt).lane_size;
    }
  }
  // Then the blocks with the model one after another, each on all threads (its lanes shared
  // among them), and those without it side by side, one thread each.
  std::vector<size_t> with, without;
  if (spec_used) {
    jobs[0].payload.swap(spec.payload);
    jobs[0].gave_up = false;
  } else {
    for (size_t i = 0; i < count; ++i) (jobs[i].model ? with : without).push_back(i);
  }
  CmPredictors predictors(threads, opt.engine);
  parallel_run(1, with.size(), [&](unsigned, size_t k) {
    CmEncodeJob& j = jobs[with[k]];
    cm_block_encode(predictors.for_block(*model, cm_lane_count(j.size, j.lane_size)), j, &counter);
  }, tick);
  // The small blocks coded with the model are coded again without it (in order, one lane,
  // unless lanes were asked for: they only serve the model), with the model's size as the
  // limit.
  std::vector<CmEncodeJob> alone(count);
  for (size_t i = 0; i < count; ++i)
    if (both[i]) {
      CmEncodeJob& a = alone[i];
      a = without_model(jobs[i], opt);
      a.limit = jobs[i].gave_up ? jobs[i].limit : std::min(jobs[i].limit, jobs[i].payload.size());
      without.push_back(i);
    }
  // Each block's context mixing is a task, and so is each LZMA2 the first pass left; one more
  // worker than the blocks' memory allows side by side runs the LZMA2s beside them, unless
  // memory is what holds the blocks back. A block whose LZMA2 is not done has no limit to give
  // up at early: the same archive (the smaller is kept), only no time saved where LZMA2 wins.
  std::vector<size_t> tasks;  // k: block without[k]'s context mixing; count + i: block i's LZMA2
  for (size_t k = 0; k < without.size(); ++k) {
    tasks.push_back(k);
    if (!lzma_done[without[k]]) tasks.push_back(count + without[k]);
  }
  const unsigned side = cm_side_by_side(threads, without.size(), cm::cm_memory(level, seg));
  const bool spare = side == std::min<size_t>(threads, without.size()) && tasks.size() > without.size();
  parallel_run(unsigned(std::min<size_t>(threads, side + (spare ? 1 : 0))), tasks.size(), [&](unsigned, size_t k) {
    if (tasks[k] >= count) {
      run_lzma(tasks[k] - count);
      return;
    }
    const size_t i = without[tasks[k]];
    if (both[i])
      cm_block_encode({nullptr}, alone[i], nullptr);
    else
      cm_block_encode({nullptr}, jobs[i], &counter);
  }, tick);
  for (size_t i = 0; i < count; ++i) {
    if (!both[i]) continue;
    const CmEncodeJob& a = alone[i];
    const bool alone_smaller = !a.gave_up && (jobs[i].gave_up || a.payload.size() < jobs[i].payload.size());
    char buf[160];
    std::snprintf(buf, sizeof buf, "coded both ways (block under %zu bytes): %s bytes with the model, %s without: %s", kCmTrialMin,
                  jobs[i].gave_up ? "over the limit" : std::to_string(jobs[i].payload.size()).c_str(),
                  a.gave_up ? "over the limit" : std::to_string(a.payload.size()).c_str(),
                  alone_smaller ? "without" : "with");
    trial_notes[i] = buf;
    if (alone_smaller) {
      jobs[i].payload.swap(alone[i].payload);
      jobs[i].model = false;
      jobs[i].lane_size = a.lane_size;
      jobs[i].gave_up = false;
    }
  }

  for (size_t i = 0; i < count; ++i) {
    CmEncodeJob& j = jobs[i];
    if (have_lzma[i]) j.limit = std::min(j.limit, lzma[i].size());  // LZMA2s run beside the blocks
    SegmentMethod m = j.model ? SegmentMethod::kCmModel : SegmentMethod::kCm;
    const bool cm_ok = !j.gave_up && j.payload.size() < j.limit && j.payload.size() >= kCmMinCoded + j.size / 4096;
    if (!cm_ok) {
      if (have_lzma[i]) {
        // LZMA2 won the block: search harder (xz's -e; the same decoder) to make it as small
        // as xz -9e's archive of the same bytes, paying for it only here.
        std::vector<uint8_t> extreme;
        if (lzma_try(data, j.data, j.size, extreme, lzma[i].size(), /*extreme=*/true)) lzma[i].swap(extreme);
        j.payload.swap(lzma[i]);
        m = SegmentMethod::kLzma;
      } else {
        j.payload.assign(j.data, j.data + j.size);
        m = SegmentMethod::kStored;
      }
    }
    info.segments[i] = SegmentInfo{j.size, j.payload.size(), hash_bytes(j.data, j.size), m};
    if (opt.note)
      opt.note("block " + std::to_string(i) + ": " + std::to_string(j.size) + " bytes, " +
               std::to_string(cm_lane_count(j.size, j.lane_size)) + " lane(s), x86 filter " + (j.x86 ? "on" : "off") +
               "; " + trial_notes[i] + "; coded as " + segment_method_name(m) + ", " + std::to_string(j.payload.size()) +
               " bytes");
  }
  std::vector<std::vector<uint8_t>> payloads(count);
  for (size_t i = 0; i < count; ++i) payloads[i].swap(jobs[i].payload);
  return archive_finish(info, data, size, opt, *model, payloads);
}

}  // namespace shz
