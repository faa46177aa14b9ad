// compress() at a level (format 10): the input in blocks, each coded by context mixing
// (model/cm) with the model's pmfs as one of its inputs where the model pays for its time,
// the x86 filter where the bytes look like machine code, and LZMA2 or the bytes themselves
// where those are smaller. A block's lanes step the model as batches shared among the
// threads. The archive depends on the input, the model and the level only: thread count and
// batching cannot change a byte.
#include <algorithm>
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

// The model's trial: kTrial bytes of a block (from a third of the way in, where there is
// room: a file's start is often unlike the rest) coded with and without the model, as lanes
// (src/cm_trial.h); only the second half of each lane counts, so that the statistics are
// warm as they are in most of a block
// (a cold start still flatters it: on the development set the trial's gain was 2-3 times
// the whole file's). The model is kept when it saves at least 8% there, about 3% of a whole
// file: it costs ten times the time of the rest.
constexpr size_t kTrial = 64 << 10;
// Smaller blocks are coded both ways and keep the smaller: the trial, its lanes at batch 1,
// would cost as much model time as the block itself (its lanes share the threads), and
// the context mixing alone is cheap beside the model.
constexpr size_t kBothBelow = 3 * kTrial;
size_t trial_at(size_t size) { return size >= 3 * kTrial ? size / 3 : 0; }

// The trial's lanes: each runs the model on a thread of its own, so a single block's trial
// takes half the time on 2 cores. Only the second half of each lane counts.
constexpr size_t kTrialLanes = 2;
// The first pass's work for one block, as separate tasks so that they run side by side when
// there are fewer blocks than threads: the model over each of the trial's lanes, LZMA2, the
// trial without the model (the trial with it follows, once its lanes' model runs are done).
constexpr size_t kLzmaTask = kTrialLanes, kWithoutTask = kTrialLanes + 1, kFirstPassTasks = kTrialLanes + 2;

// The trial's verdict: the model is kept when it saves 8% of the trial's cost; `why` says
// what the trial found.
bool model_pays(const CmEncodeJob& block, size_t with, size_t without, std::string& why) {
  const bool pays = with * 25 < without * 23;
  char buf[160];
  std::snprintf(buf, sizeof buf, "model trial at byte %zu: %zu bytes with it, %zu without (%.1f%% saved; 8%% needed): %s",
                trial_at(block.size), with, without,
                without ? 100.0 * (double(without) - double(with)) / double(without) : 0.0, pays ? "kept" : "left out");
  why = buf;
  return pays;
}

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
  auto tick = [&] {
    if (opt.progress) opt.progress(Progress{counter.bytes_in, counter.bytes_coded, counter.bytes_finished, size});
  };
  // First, block by block in parallel: LZMA2 (fast beside the rest; its size bounds the
  // others'), whether the bytes look like machine code, and whether the model pays.
  std::vector<std::vector<uint8_t>> lzma(count);
  std::vector<char> have_lzma(count, 0);
  std::vector<std::string> trial_notes(count);
  std::vector<char> both(count, 0);  // small blocks: coded with the model and without
  {
    std::vector<char> trial(count, 0);
    std::vector<CmTrial> trials(count);
    for (size_t i = 0; i < count; ++i) {
      CmEncodeJob& j = jobs[i];
      j.x86 = x86_filter_looks_useful(j.data, j.size);
      trial[i] = opt.model_trial && j.size >= kBothBelow;
      if (!trial[i]) continue;
      const size_t at = trial_at(j.size);
      trials[i] = cm_trial_start(j.data + at, std::min(j.size - at, kTrial), j.level, j.x86, kTrialLanes);
    }
    std::vector<size_t> with(count, 0), without(count, 0);
    const size_t tasks = count * kFirstPassTasks;
    std::vector<std::unique_ptr<Predictor>> trial_model(std::min<size_t>(threads, tasks));
    parallel_run(unsigned(trial_model.size()), tasks, [&](unsigned w, size_t t) {
      const size_t i = t / kFirstPassTasks, task = t % kFirstPassTasks;
      const CmEncodeJob& j = jobs[i];
      if (task == kLzmaTask) {
        have_lzma[i] = opt.lzma_fallback && lzma_try(data, j.data, j.size, lzma[i]);
      } else if (trial[i] && task == kWithoutTask) {
        without[i] = cm_trial_cost(trials[i], false);
      } else if (trial[i]) {
        if (!trial_model[w]) {
          trial_model[w] = model->make(opt.engine);
          trial_model[w]->begin(1);
        }
        cm_trial_model(trials[i], task, *trial_model[w]);
      }
    }, tick);
    parallel_run(unsigned(std::min<size_t>(threads, count)), count, [&](unsigned, size_t i) {
      if (trial[i]) with[i] = cm_trial_cost(trials[i], true);
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
      } else {
        j.model = model_pays(j, with[i], without[i], trial_notes[i]);
      }
      // Lanes only give the model its batches: without it, the statistics are better off
      // seeing the block in order (the lanes were not asked for).
      if (!j.model && !opt.lane_size) j.lane_size = 0;
    }
  }
  // Then the blocks with the model one after another, each on all threads (its lanes shared
  // among them), and those without it side by side, one thread each.
  std::vector<size_t> with, without;
  for (size_t i = 0; i < count; ++i) (jobs[i].model ? with : without).push_back(i);
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
      a.data = jobs[i].data;
      a.size = jobs[i].size;
      a.level = level;
      a.x86 = jobs[i].x86;
      a.lane_size = opt.lane_size ? jobs[i].lane_size : 0;
      a.limit = jobs[i].gave_up ? jobs[i].limit : std::min(jobs[i].limit, jobs[i].payload.size());
      without.push_back(i);
    }
  parallel_run(cm_side_by_side(threads, without.size(), cm::cm_memory(level, seg)), without.size(),
               [&](unsigned, size_t k) {
                 const size_t i = without[k];
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
    std::snprintf(buf, sizeof buf, "coded both ways (block under %zu bytes): %s bytes with the model, %s without: %s", kBothBelow,
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
