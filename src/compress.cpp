// compress(): cut the input into segments, code batches of them on worker threads, and
// assemble header + payloads. The archive depends only on the input, the model and the
// segment size: thread count and batch grouping cannot change a byte.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "compress_parts.h"
#include "format.h"
#include "lzma_segment.h"
#include "model/sharnn/kernels.h"
#include "segment_codec.h"
#include "shz/shz.h"
#include "util/hash.h"
#include "util/parallel.h"

namespace shz {
namespace {

// Keeps the smallest of the model's payload, LZMA2 (`lzma`, when `have_lzma`) and the bytes
// themselves (formats 2 and 3); the model only when strictly smaller. A segment never costs more
// than its length, whatever the model thinks of it, and data a text model knows nothing of
// (code, binaries) gets about what xz gets. j.limit was set to the best other size, so a
// model payload that reached it (or gave up there) has lost.
SegmentMethod segment_best(EncodeJob& j, bool have_lzma, std::vector<uint8_t>& lzma) {
  if (!j.gave_up && j.payload.size() < j.limit) return j.mix ? SegmentMethod::kModelMix : j.match ? SegmentMethod::kModelMatch : SegmentMethod::kModel;
  if (have_lzma) {
    j.payload.swap(lzma);
    return SegmentMethod::kLzma;
  }
  j.payload.assign(j.data, j.data + j.size);
  return SegmentMethod::kStored;
}

// The largest input tried as one LZMA2 segment: the dictionary's cap, so the stream sees all
// that came before it, as xz does, and a decoder's segment buffer stays bounded.
constexpr uint64_t kWholeLzmaMax = uint64_t(8) << 20;

// One LZMA2 segment of the whole input, into `out`, when it makes a smaller archive than the
// segments coded. Per-segment LZMA2 restarts its adaptive probabilities at every segment
// (only its dictionary is primed), which cost up to 4.4% against whole-file xz on code and
// binaries. Tried only when some segment is LZMA2 or stored: where the model or context
// mixing won every segment it beat that per-segment LZMA2 everywhere, mostly by far.
bool whole_lzma(const uint8_t* data, size_t size, const ArchiveInfo& info, std::vector<uint8_t>& out) {
  if (info.segments.size() < 2 || size > kWholeLzmaMax) return false;
  if (std::none_of(info.segments.begin(), info.segments.end(), [](const SegmentInfo& s) {
        return s.method == SegmentMethod::kLzma || s.method == SegmentMethod::kStored;
      }))
    return false;
  uint64_t coded = 0;
  for (const SegmentInfo& s : info.segments) coded += s.coded_size + segment_entry_size(info.version);
  const uint64_t limit = std::min<uint64_t>(coded - segment_entry_size(3), size);
  return lzma_segment_encode(nullptr, 0, data, size, size_t(limit), out, /*extreme=*/true);
}

}  // namespace

bool lzma_try(const uint8_t* input, const uint8_t* seg, size_t n, std::vector<uint8_t>& out, size_t limit,
              bool extreme) {
  const size_t history = size_t(lzma_segment_history(uint64_t(seg - input)));
  return lzma_segment_encode(seg - history, history, seg, n, std::min(n, limit), out, extreme);
}

ArchiveInfo archive_info_start(const uint8_t* data, size_t size, uint64_t segment_size, const CompressOptions& opt,
                               const LoadedModel& model) {
  ArchiveInfo info;
  info.model_is_builtin = model.builtin;
  info.model = model.id;
  info.model_embedded = opt.embed_model;
  info.model_size = opt.embed_model ? model.file.size() : 0;
  info.original_size = size;
  info.segment_size = segment_size;
  info.content_hash = hash_bytes(data, size);
  return info;
}

std::vector<uint8_t> archive_finish(ArchiveInfo& info, const uint8_t* data, size_t size, const CompressOptions& opt,
                                    const LoadedModel& model, std::vector<std::vector<uint8_t>>& payloads) {
  info.version = format_version_for(info.segments);
  // Only with the default segment size: a size the user chose (say, for parallel decoding) stays.
  std::vector<uint8_t> whole;
  if (opt.lzma_fallback && !opt.segment_size && whole_lzma(data, size, info, whole)) {
    info.segment_size = size;
    info.segments = {SegmentInfo{size, whole.size(), info.content_hash, SegmentMethod::kLzma}};
    info.version = format_version_for(info.segments);
    payloads.resize(1);
    payloads[0].swap(whole);
  }
  std::vector<uint8_t> out = header_serialize(info);
  out.reserve(out.size() + info.model_size + info.payload_size());
  if (opt.embed_model) out.insert(out.end(), model.file.begin(), model.file.end());
  for (std::vector<uint8_t>& p : payloads) {
    out.insert(out.end(), p.begin(), p.end());
    std::vector<uint8_t>().swap(p);
  }
  return out;
}

uint64_t default_segment_size(uint64_t model_default, uint64_t input_size) {
  uint64_t seg = model_default;
  for (int i = 0; i < 2 && seg * 2 <= kMaxSegmentSize && input_size / (seg * 2) >= kMinDefaultSegments; ++i) seg *= 2;
  return seg;
}

std::vector<uint8_t> compress_frame(const uint8_t* data, size_t size, const CompressOptions& opt) {
  engine_tuning_check(opt.engine);  // also where no predictor is made
  const std::shared_ptr<const LoadedModel> model = model_load(opt.model, opt.device);
  if (opt.embed_model && model->builtin)
    throw Error(ErrorCode::kUsage, "embedding a model needs a model file; '" + opt.model + "' is built in");
  if (opt.level < 0 || opt.level > kMaxLevel)
    throw Error(ErrorCode::kUsage, "level " + std::to_string(opt.level) + " is outside 1.." + std::to_string(kMaxLevel));
  if (opt.level > 0) return compress_cm(data, size, opt, model);
  std::unique_ptr<Predictor> probe = model->make(opt.engine);
  const uint64_t seg = opt.segment_size ? opt.segment_size : default_segment_size(probe->default_segment_size(), size);
  if (seg > kMaxSegmentSize)
    throw Error(ErrorCode::kUsage, "segment size " + std::to_string(seg) + " is over the limit of " +
                                       std::to_string(kMaxSegmentSize) + " bytes");
  const size_t count = size_t(size / seg + (size % seg != 0));
  const unsigned threads = thread_count(opt.threads, count);
  const std::vector<size_t> bounds = batch_split(count, probe->preferred_streams(), threads);
  const size_t batches = bounds.size() - 1, batch = batch_largest(bounds);

  ArchiveInfo info = archive_info_start(data, size, seg, opt, *model);
  info.segments.resize(count);

  const bool avx2 = sharnn::simd_parse(opt.engine.simd) >= sharnn::SimdLevel::kAvx2;
  std::vector<EncodeJob> jobs(count);
  for (size_t i = 0; i < count; ++i) {
    jobs[i].data = data + i * seg;
    jobs[i].size = size_t(i + 1 < count ? seg : size - i * seg);
    jobs[i].match = opt.match_model;
    jobs[i].match_avx2 = avx2;
    jobs[i].mix = opt.match_model && opt.mix_stage;
  }

  std::vector<std::unique_ptr<Predictor>> models(threads);
  ProgressCounter counter;
  auto work = [&](unsigned w, size_t b) {
    if (!models[w]) {
      models[w] = w == 0 ? std::move(probe) : model->make(opt.engine);
      models[w]->begin(batch);
    }
    const size_t first = bounds[b];
    const size_t n = bounds[b + 1] - first;
    // LZMA2 first (fast beside the model): its size bounds the model's, so the model stops
    // coding a segment as soon as it cannot win (3-4x less model work on code or binaries).
    std::vector<std::vector<uint8_t>> lzma(n);
    std::vector<char> have_lzma(n, 0);
    for (size_t i = 0; i < n; ++i) {
      EncodeJob& j = jobs[first + i];
      have_lzma[i] = opt.lzma_fallback && lzma_try(data, j.data, j.size, lzma[i]);
      j.limit = have_lzma[i] ? lzma[i].size() : j.size;
    }
    segments_encode(*models[w], &jobs[first], n, &counter);
    for (size_t i = 0; i < n; ++i) {
      EncodeJob& j = jobs[first + i];
      const SegmentMethod m = segment_best(j, have_lzma[i], lzma[i]);
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

const char* version_string() { return "0.1.0"; }

}  // namespace shz
