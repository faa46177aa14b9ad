// decompress(): parse the header, then decode groups of segments in parallel and write
// each group in order once every segment's checksum has matched.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cm_codec.h"
#include "format.h"
#include "frame_decode.h"
#include "lzma_segment.h"
#include "model/cm/cm_config.h"
#include "model/sharnn/kernels.h"
#include "segment_codec.h"
#include "shz/shz.h"
#include "util/bytes.h"
#include "util/hash.h"
#include "util/parallel.h"

namespace shz {
namespace {

// Reads `n` payload bytes, growing the buffer only as bytes arrive.
std::vector<uint8_t> payload_read(ArchiveReader& r, uint64_t n) {
  std::vector<uint8_t> buf;
  constexpr uint64_t kStep = uint64_t(1) << 20;
  while (buf.size() < n) {
    const size_t old = buf.size();
    const size_t want = size_t(std::min<uint64_t>(kStep, n - old));
    buf.resize(old + want);
    r.read_exact(buf.data() + old, want);
  }
  return buf;
}

// The embedded model file's bytes, checked against the hash the header records.
std::vector<uint8_t> embedded_model_read(const ArchiveInfo& info, ArchiveReader& r) {
  std::vector<uint8_t> bytes = payload_read(r, info.model_size);
  if (hash_bytes(bytes.data(), bytes.size()) != info.model.hash)
    throw Error(ErrorCode::kInput, "embedded model checksum mismatch (corrupt archive)");
  return bytes;
}

// The model an archive needs: embedded, built in, or the file the user gave; or
// Error(kModel) saying which one it needs.
std::shared_ptr<const LoadedModel> model_for(const ArchiveInfo& info, ArchiveReader& r, const std::string& user_model,
                                             const std::string& device) {
  const std::string want = "'" + info.model.name + "' (xxh64 " + hex(info.model.hash) + ")";
  if (info.model_embedded) return model_load_bytes(embedded_model_read(info, r), "embedded model", device);
  if (info.model_is_builtin) {
    std::shared_ptr<const LoadedModel> m;
    try {
      m = model_load(info.model.name);
    } catch (const Error&) {
      throw Error(ErrorCode::kModel, "unknown model " + want + " (built-in: " + predictor_builtin_names() + ")");
    }
    if (m->id.hash != info.model.hash)
      throw Error(ErrorCode::kModel, "archive needs model " + want + ", this shz has revision " + hex(m->id.hash));
    return m;
  }
  if (user_model.empty()) {
    if (std::shared_ptr<const LoadedModel> b = builtin_model_with_hash(info.model.hash, device)) return b;
    throw Error(ErrorCode::kModel, "archive needs model file " + want + " (not given)");
  }
  std::shared_ptr<const LoadedModel> m = model_load(user_model, device);
  if (m->builtin || m->id.hash != info.model.hash)
    throw Error(ErrorCode::kModel, "archive needs model file " + want + ", but " + user_model + " is '" + m->id.name +
                                       "' (xxh64 " + hex(m->id.hash) + ")");
  return m;
}

// Appends a segment's output to the tail of the output (the history of LZMA2 segments),
// dropping what lies more than kLzmaHistory back once the tail has doubled.
void tail_add(std::vector<uint8_t>& tail, const std::vector<uint8_t>& out) {
  tail.insert(tail.end(), out.begin(), out.end());
  if (tail.size() > 2 * kLzmaHistory) tail.erase(tail.begin(), tail.end() - long(kLzmaHistory));
}

}  // namespace

bool archive_needs_model(const ArchiveInfo& info) {
  return std::any_of(info.segments.begin(), info.segments.end(),
                     [](const SegmentInfo& s) { return segment_uses_model(s.method); });
}

void frame_decode(ArchiveReader& r, const ArchiveInfo& info, const WriteFn& out, const DecompressOptions& opt,
                  uint64_t before) {
  engine_tuning_check(opt.engine);  // also where no predictor is made
  const bool avx2 = sharnn::simd_parse(opt.engine.simd) >= sharnn::SimdLevel::kAvx2;  // the match model's loop
  // An archive none of whose segments the model coded (all LZMA2 or stored) decodes without
  // it: a model file left behind costs nothing there.
  std::shared_ptr<const LoadedModel> model;
  if (archive_needs_model(info)) {
    model = model_for(info, r, opt.model, opt.device);
  } else if (info.model_embedded) {
    embedded_model_read(info, r);  // checked, though no segment needs it
  }
  std::unique_ptr<Predictor> probe = model ? model->make(opt.engine) : nullptr;
  const size_t count = info.segments.size();
  const unsigned threads = thread_count(opt.threads, count);
  // Segments are decoded a group at a time (bounded memory), each group split evenly.
  const size_t batch =
      probe ? std::min(probe->preferred_streams(), std::max<size_t>(1, (count + threads - 1) / threads)) : 1;
  // Format 6-7's blocks are large and each holds its tables: a few per worker at a time.
  const bool has_cm = std::any_of(info.segments.begin(), info.segments.end(), [](const SegmentInfo& s) {
    return s.method == SegmentMethod::kCm || s.method == SegmentMethod::kCmModel;
  });
  const size_t group = has_cm ? size_t(threads) : size_t(threads) * batch;

  std::vector<std::unique_ptr<Predictor>> models(threads);
  models[0] = std::move(probe);
  for (unsigned w = 0; model && w < threads; ++w) {
    if (!models[w]) models[w] = model->make(opt.engine);
    models[w]->begin(batch);
  }
  // Format 6-7's blocks with the model: each on all threads, thread g on a predictor of its
  // own (begun for its share of the lanes).
  const unsigned cm_threads = thread_count(opt.threads, SIZE_MAX);
  CmPredictors cm_predictors(cm_threads, opt.engine);
  ProgressCounter counter;
  uint64_t done_in = 0, done_coded = 0;
  auto tick = [&] {
    if (opt.progress)
      opt.progress(Progress{before + done_in + counter.bytes_in, done_coded + counter.bytes_coded,
                            before + done_in + counter.bytes_finished, before + info.original_size});
  };

  StreamHash content;
  std::vector<uint8_t> tail;  // the last output bytes, at least kLzmaHistory of them once there
  // Only LZMA2 segments read the tail: without any, no output is copied into it.
  const bool keep_tail = std::any_of(info.segments.begin(), info.segments.end(),
                                     [](const SegmentInfo& s) { return s.method == SegmentMethod::kLzma; });
  for (size_t first = 0; first < count; first += group) {
    const size_t n = std::min(group, count - first);
    std::vector<std::vector<uint8_t>> payloads(n);
    std::vector<DecodeJob> jobs(n), coded;  // coded: the segments the model decodes
    std::vector<size_t> coded_at;
    std::vector<CmDecodeJob> cm(n);
    std::vector<CmDecodeJob*> cm_model, cm_alone;
    for (size_t i = 0; i < n; ++i) {
      const SegmentInfo& s = info.segments[first + i];
      payloads[i] = payload_read(r, s.coded_size);
      jobs[i].payload = payloads[i].data();
      jobs[i].payload_size = payloads[i].size();
      jobs[i].size = size_t(s.original_size);
      switch (s.method) {
        case SegmentMethod::kStored:
          jobs[i].out = std::move(payloads[i]);  // the buffer moves: payload still points into it
          break;
        case SegmentMethod::kLzma:  // after the model's segments: it needs the bytes before it
          break;
        case SegmentMethod::kModel:
        case SegmentMethod::kModelMatch:
        case SegmentMethod::kModelMix:
          jobs[i].match = s.method != SegmentMethod::kModel;
          jobs[i].match_avx2 = avx2;
          jobs[i].mix = s.method == SegmentMethod::kModelMix;
          coded.push_back(jobs[i]);
          coded_at.push_back(i);
          break;
        case SegmentMethod::kCm:
        case SegmentMethod::kCmModel:
          cm[i].payload = jobs[i].payload;
          cm[i].payload_size = jobs[i].payload_size;
          cm[i].size = jobs[i].size;
          cm[i].model = s.method == SegmentMethod::kCmModel;
          cm[i].version = info.version;
          (cm[i].model ? cm_model : cm_alone).push_back(&cm[i]);
          break;
      }
    }
    counter.bytes_in = 0;
    counter.bytes_coded = 0;
    counter.bytes_finished = 0;
    const std::vector<size_t> bounds = batch_split(coded.size(), batch, threads);
    auto work = [&](unsigned w, size_t b) {
      segments_decode(*models[w], &coded[bounds[b]], bounds[b + 1] - bounds[b], &counter);
    };
    if (!coded.empty()) parallel_run(threads, bounds.size() - 1, work, tick);
    for (size_t t = 0; t < coded.size(); ++t) jobs[coded_at[t]] = std::move(coded[t]);
    // Context-mixing blocks: those with the model one after another, each on all threads
    // (its lanes shared among them, as the encoder did or not: any split decodes the same);
    // those without it side by side.
    parallel_run(1, cm_model.size(), [&](unsigned, size_t k) {
      CmDecodeJob& j = *cm_model[k];
      const size_t lanes = std::max<size_t>(1, cm_payload_lanes(j.payload, j.payload_size, j.size));
      cm_block_decode(cm_predictors.for_block(*model, lanes), j, &counter);
    }, tick);
    uint64_t alone_memory = 0;  // the largest block's, at its level (the preamble's first byte)
    for (const CmDecodeJob* j : cm_alone)
      alone_memory = std::max(alone_memory, cm::cm_memory(j->payload_size ? j->payload[0] : 1, j->size));
    parallel_run(cm_side_by_side(cm_threads, cm_alone.size(), alone_memory), cm_alone.size(),
                 [&](unsigned, size_t k) { cm_block_decode({nullptr}, *cm_alone[k], &counter); }, tick);
    for (size_t i = 0; i < n; ++i)
      if (cm[i].payload) {
        jobs[i].out.swap(cm[i].out);
        jobs[i].corrupt = cm[i].corrupt;
      }
    // LZMA2 segments in order, each primed with the output before it (fast beside the model,
    // so on this thread).
    for (size_t i = 0; i < n; ++i) {
      if (info.segments[first + i].method == SegmentMethod::kLzma) {
        const size_t h = size_t(lzma_segment_history(uint64_t(first + i) * info.segment_size));
        DecodeJob& j = jobs[i];
        // A short tail means a segment before this one was damaged (and is reported first).
        j.corrupt = tail.size() < h || !lzma_segment_decode(tail.data() + tail.size() - h, h, j.payload,
                                                             j.payload_size, j.size, j.out);
      }
      if (keep_tail) tail_add(tail, jobs[i].out);
    }
    for (size_t i = 0; i < n; ++i) {
      const size_t k = first + i;
      if (jobs[i].corrupt || jobs[i].out.size() != jobs[i].size)
        throw Error(ErrorCode::kInput, "corrupt data in segment " + std::to_string(k) + " (payload inconsistent)");
      if (hash_bytes(jobs[i].out.data(), jobs[i].out.size()) != info.segments[k].hash)
        throw Error(ErrorCode::kInput, "checksum mismatch in segment " + std::to_string(k));
    }
    for (size_t i = 0; i < n; ++i) {
      content.add(jobs[i].out.data(), jobs[i].out.size());
      out(jobs[i].out.data(), jobs[i].out.size());
      done_in += jobs[i].size;
      done_coded += jobs[i].payload_size;
    }
  }
  if (content.value() != info.content_hash) throw Error(ErrorCode::kInput, "content checksum mismatch");
  tick();
}

void frame_skip(ArchiveReader& r, const ArchiveInfo& info) {
  uint8_t buf[65536];
  for (uint64_t left = info.model_size + info.payload_size(); left > 0;) {
    const size_t n = size_t(std::min<uint64_t>(left, sizeof buf));
    r.read_exact(buf, n);
    left -= n;
  }
}

namespace {

// A ReadFn over memory.
ReadFn memory_reader(const uint8_t* data, size_t size, size_t& pos) {
  return [data, size, &pos](uint8_t* buf, size_t n) {
    const size_t k = std::min(n, size - pos);
    std::copy(data + pos, data + pos + k, buf);
    pos += k;
    return k;
  };
}

}  // namespace

std::vector<uint8_t> decompress(const uint8_t* archive, size_t size, const DecompressOptions& opt) {
  size_t pos = 0;
  std::vector<uint8_t> result;
  WriteFn out = [&](const uint8_t* buf, size_t n) { result.insert(result.end(), buf, buf + n); };
  decompress(memory_reader(archive, size, pos), out, opt);
  return result;
}

ArchiveInfo archive_read_info(const ReadFn& in) {
  ArchiveReader r(in);
  ArchiveInfo info = header_parse(r);
  // Walk the model and payloads too, so a truncated or over-long file is reported here as well.
  frame_skip(r, info);
  if (!r.at_end()) throw Error(ErrorCode::kInput, "trailing data after the archive at byte " + std::to_string(r.offset()));
  return info;
}

ArchiveInfo archive_read_info(const uint8_t* archive, size_t size) {
  size_t pos = 0;
  return archive_read_info(memory_reader(archive, size, pos));
}

StreamInfo stream_read_info(const uint8_t* stream, size_t size) {
  size_t pos = 0;
  return stream_read_info(memory_reader(stream, size, pos));
}

}  // namespace shz
