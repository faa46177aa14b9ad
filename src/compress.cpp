// compress(): cut the input into segments, code batches of them on worker threads, and
// assemble header + payloads. The archive depends only on the input, the model and the
// segment size: thread count and batch grouping cannot change a byte.
#include <memory>
#include <string>
#include <vector>

#include "format.h"
#include "lzma_segment.h"
#include "segment_codec.h"
#include "shz/shz.h"
#include "util/hash.h"
#include "util/parallel.h"

namespace shz {
namespace {

// Keeps the smallest of the model's payload, LZMA2 (when allowed; primed with the input
// before the segment) and the bytes themselves (formats 2 and 3): a segment never costs more
// than its length, whatever the model thinks of it, and data a text model knows nothing of
// (code, binaries) gets about what xz gets. `input` is the whole input j.data points into.
SegmentMethod segment_best(const uint8_t* input, EncodeJob& j, bool lzma) {
  SegmentMethod m = SegmentMethod::kModel;
  size_t best = j.payload.size();
  if (best >= j.size) {
    m = SegmentMethod::kStored;
    best = j.size;
  }
  std::vector<uint8_t> alt;
  const size_t history = size_t(lzma_segment_history(uint64_t(j.data - input)));
  if (lzma && lzma_segment_encode(j.data - history, history, j.data, j.size, best, alt)) {
    j.payload.swap(alt);
    return SegmentMethod::kLzma;
  }
  if (m == SegmentMethod::kStored) j.payload.assign(j.data, j.data + j.size);
  return m;
}

}  // namespace

std::vector<uint8_t> compress(const uint8_t* data, size_t size, const CompressOptions& opt) {
  const std::shared_ptr<const LoadedModel> model = model_load(opt.model, opt.device);
  if (opt.embed_model && model->builtin)
    throw Error(ErrorCode::kUsage, "--embed-model needs a model file; '" + opt.model + "' is built in");
  std::unique_ptr<Predictor> probe = model->make();
  const uint64_t seg = opt.segment_size ? opt.segment_size : probe->default_segment_size();
  if (seg > kMaxSegmentSize)
    throw Error(ErrorCode::kUsage, "segment size " + std::to_string(seg) + " is over the limit of " +
                                       std::to_string(kMaxSegmentSize) + " bytes");
  const size_t count = size_t(size / seg + (size % seg != 0));
  const unsigned threads = thread_count(opt.threads, count);
  const std::vector<size_t> bounds = batch_split(count, probe->preferred_streams(), threads);
  const size_t batches = bounds.size() - 1, batch = batch_largest(bounds);

  ArchiveInfo info;
  info.version = kFormatVersion;
  info.model_is_builtin = model->builtin;
  info.model = model->id;
  info.model_embedded = opt.embed_model;
  info.model_size = opt.embed_model ? model->file.size() : 0;
  info.original_size = size;
  info.segment_size = seg;
  info.content_hash = hash_bytes(data, size);
  info.segments.resize(count);

  std::vector<EncodeJob> jobs(count);
  for (size_t i = 0; i < count; ++i) {
    jobs[i].data = data + i * seg;
    jobs[i].size = size_t(i + 1 < count ? seg : size - i * seg);
  }

  std::vector<std::unique_ptr<Predictor>> models(threads);
  ProgressCounter counter;
  auto work = [&](unsigned w, size_t b) {
    if (!models[w]) {
      models[w] = w == 0 ? std::move(probe) : model->make();
      models[w]->begin(batch);
    }
    const size_t first = bounds[b];
    const size_t n = bounds[b + 1] - first;
    segments_encode(*models[w], &jobs[first], n, &counter);
    for (size_t i = first; i < first + n; ++i) {
      EncodeJob& j = jobs[i];
      const SegmentMethod m = segment_best(data, j, opt.lzma_fallback);
      info.segments[i] = SegmentInfo{j.size, j.payload.size(), hash_bytes(j.data, j.size), m};
    }
  };
  auto tick = [&] {
    if (opt.progress) opt.progress(Progress{counter.bytes_in, counter.bytes_coded, counter.bytes_finished, size});
  };
  parallel_run(threads, batches, work, tick);

  std::vector<uint8_t> out = header_serialize(info);
  out.reserve(out.size() + info.model_size + info.payload_size());
  if (opt.embed_model) out.insert(out.end(), model->file.begin(), model->file.end());
  for (EncodeJob& j : jobs) {
    out.insert(out.end(), j.payload.begin(), j.payload.end());
    std::vector<uint8_t>().swap(j.payload);
  }
  return out;
}

const char* version_string() { return "0.1.0"; }

}  // namespace shz
