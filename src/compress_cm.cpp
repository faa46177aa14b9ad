// compress() at a level (format 6): the input in blocks, each coded by context mixing
// (model/cm) with the model's pmfs as one of its inputs where the model pays for its time,
// the x86 filter where the bytes look like machine code, and LZMA2 or the bytes themselves
// where those are smaller. The archive depends on the input, the model and the level only:
// thread count and batch grouping cannot change a byte.
#include <algorithm>
#include <memory>
#include <vector>

#include "cm_codec.h"
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

// Blocks are coded in lock-step batches of at most this many per worker: the model's
// batch speed-up is nearly all there at 2 (engine_bench), and each block in flight holds
// its tables.
constexpr size_t kCmBatch = 2;

// The model's trial: the first kTrial bytes of a block coded with and without it. The model
// is kept when it saves at least 1/kTrialGain of the bytes: it costs ten times the time.
constexpr size_t kTrial = 32 << 10;
constexpr size_t kTrialMinBlock = 64 << 10;  // smaller blocks keep the model untried
constexpr size_t kTrialGain = 40;            // 2.5%

bool model_pays(Predictor& p, const CmEncodeJob& block) {
  if (block.size < kTrialMinBlock) return true;
  CmEncodeJob with = block, without = block;
  with.size = without.size = std::min(block.size, kTrial);
  with.model = true;
  without.model = false;
  with.limit = without.limit = SIZE_MAX;
  CmEncodeJob* a = &with;
  CmEncodeJob* b = &without;
  cm_blocks_encode(&p, &a, 1, nullptr);
  cm_blocks_encode(nullptr, &b, 1, nullptr);
  return with.payload.size() * kTrialGain < without.payload.size() * (kTrialGain - 1);
}

}  // namespace

uint64_t cm_block_size(int level, uint64_t size) {
  const uint64_t max_block = (level <= 3 ? uint64_t(8) : level <= 6 ? uint64_t(16) : uint64_t(32)) << 20;
  uint64_t blocks = (size + max_block - 1) / max_block;
  // Two blocks from 256 KiB on, so that two cores share the work.
  if (blocks < 2 && size >= (uint64_t(256) << 10)) blocks = 2;
  if (blocks == 0) return 1;
  return (size + blocks - 1) / blocks;
}

std::vector<uint8_t> compress_cm(const uint8_t* data, size_t size, const CompressOptions& opt,
                                 const std::shared_ptr<const LoadedModel>& model) {
  const int level = std::clamp(opt.level, 1, kMaxLevel);
  const uint64_t seg = opt.segment_size ? opt.segment_size : cm_block_size(level, size);
  if (seg > kMaxSegmentSize)
    throw Error(ErrorCode::kUsage, "segment size " + std::to_string(seg) + " is over the limit of " +
                                       std::to_string(kMaxSegmentSize) + " bytes");
  const size_t count = size_t(size / seg + (size % seg != 0));
  const unsigned threads = thread_count(opt.threads, count);
  const std::vector<size_t> bounds = batch_split(count, kCmBatch, threads);
  const size_t batches = bounds.size() - 1;

  ArchiveInfo info = archive_info_start(data, size, seg, opt, *model);
  info.segments.resize(count);
  std::vector<CmEncodeJob> jobs(count);
  size_t lanes_most = 1;
  for (size_t i = 0; i < count; ++i) {
    CmEncodeJob& j = jobs[i];
    j.data = data + i * seg;
    j.size = size_t(i + 1 < count ? seg : size - i * seg);
    j.level = level;
    j.lane_size = opt.lane_size && opt.lane_size < j.size ? size_t(opt.lane_size) : 0;
    if (j.lane_size && (j.size + j.lane_size - 1) / j.lane_size > kCmMaxLanes)
      throw Error(ErrorCode::kUsage, "lane size " + std::to_string(opt.lane_size) + " makes more than " +
                                         std::to_string(kCmMaxLanes) + " lanes in a block of " +
                                         std::to_string(j.size) + " bytes");
    lanes_most = std::max(lanes_most, j.lane_size ? (j.size + j.lane_size - 1) / j.lane_size : 1);
  }

  std::vector<std::unique_ptr<Predictor>> models(threads);
  ProgressCounter counter;
  auto work = [&](unsigned w, size_t b) {
    if (!models[w]) {
      models[w] = model->make();
      models[w]->begin(std::max(kCmBatch, size_t(bounds[b + 1] - bounds[b])) * lanes_most);
    }
    Predictor& p = *models[w];
    const size_t first = bounds[b], n = bounds[b + 1] - first;
    // LZMA2 first (fast beside the rest): its size bounds the others'.
    std::vector<std::vector<uint8_t>> lzma(n);
    std::vector<char> have_lzma(n, 0);
    std::vector<CmEncodeJob> with, without;
    for (size_t i = 0; i < n; ++i) {
      CmEncodeJob& j = jobs[first + i];
      have_lzma[i] = opt.lzma_fallback && lzma_try(data, j.data, j.size, lzma[i]);
      j.limit = have_lzma[i] ? lzma[i].size() : j.size;
      j.x86 = x86_filter_looks_useful(j.data, j.size);
      j.model = model_pays(p, j);
    }
    // The blocks with the model advance together, one model batch; the others alone.
    std::vector<CmEncodeJob*> batch;
    for (size_t i = 0; i < n; ++i)
      if (jobs[first + i].model) batch.push_back(&jobs[first + i]);
    if (!batch.empty()) cm_blocks_encode(&p, batch.data(), batch.size(), &counter);
    for (size_t i = 0; i < n; ++i) {
      CmEncodeJob* j = &jobs[first + i];
      if (!j->model) cm_blocks_encode(nullptr, &j, 1, &counter);
    }
    for (size_t i = 0; i < n; ++i) {
      CmEncodeJob& j = jobs[first + i];
      SegmentMethod m = j.model ? SegmentMethod::kCmModel : SegmentMethod::kCm;
      const bool cm_ok = !j.gave_up && j.payload.size() < j.limit && j.payload.size() >= kCmMinCoded + j.size / 4096;
      if (!cm_ok) {
        if (have_lzma[i]) {
          j.payload.swap(lzma[i]);
          m = SegmentMethod::kLzma;
        } else {
          j.payload.assign(j.data, j.data + j.size);
          m = SegmentMethod::kStored;
        }
      }
      info.segments[first + i] = SegmentInfo{j.size, j.payload.size(), hash_bytes(j.data, j.size), m};
    }
  };
  auto tick = [&] {
    if (opt.progress) opt.progress(Progress{counter.bytes_in, counter.bytes_coded, counter.bytes_finished, size});
  };
  parallel_run(threads, batches, work, tick);

  std::vector<std::vector<uint8_t>> payloads(count);
  for (size_t i = 0; i < count; ++i) payloads[i].swap(jobs[i].payload);
  return archive_finish(info, data, size, opt, *model, payloads);
}

}  // namespace shz
