#include "segment_codec.h"

#include <cassert>
#include <memory>

#include "coder/pmf_coding.h"
#include "coder/range_coder.h"
#include "model/stages/match_model.h"
#include "model/stages/mix_stage.h"

namespace shz {
namespace {

// Whether job j, `done` bytes in, should give up (EncodeJob::limit).
bool over_limit(const EncodeJob& j, size_t done) {
  const uint64_t paid = j.payload.size(), limit = j.limit;
  if (paid >= limit) return true;
  if (limit == SIZE_MAX || done < j.size / 4) return false;
  return paid * j.size * 2 > limit * done * 3;  // < 2^63: sizes are at most 2^30
}

}  // namespace

void segments_encode(Predictor& p, EncodeJob* jobs, size_t n, ProgressCounter* progress) {
  const int bits = p.pmf_bits();
  std::vector<std::unique_ptr<RangeEncoder>> enc;
  std::vector<MatchModel> mm(n);
  std::vector<MixStage> mix(n);
  size_t longest = 0;
  for (size_t i = 0; i < n; ++i) {
    p.reset(i);
    if (jobs[i].match) mm[i].reset(jobs[i].size, jobs[i].match_avx2);
    if (jobs[i].mix) mix[i].reset(jobs[i].size);
    jobs[i].payload.clear();
    jobs[i].gave_up = false;
    enc.push_back(std::make_unique<RangeEncoder>(jobs[i].payload));
    if (jobs[i].size > longest) longest = jobs[i].size;
  }
  std::vector<uint32_t> pmfs(256 * n);
  std::vector<size_t> slots(n), next_slots(n);
  std::vector<uint8_t> bytes(n);
  ProgressBatch pb(progress);
  for (size_t t = 0; t < longest; ++t) {
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
      if (jobs[i].size > t && !jobs[i].gave_up) slots[k++] = i;
    if (k == 0) break;
    p.predict(slots.data(), k, pmfs.data());
    size_t m = 0;  // slots that still have bytes to predict after this one
    for (size_t j = 0; j < k; ++j) {
      const size_t i = slots[j];
      const uint8_t b = jobs[i].data[t];
      if (jobs[i].match) mm[i].refine(jobs[i].data, &pmfs[256 * j], bits);
      assert(pmf_valid(&pmfs[256 * j], bits));
      if (jobs[i].mix)
        mix[i].encode(*enc[i], &pmfs[256 * j], jobs[i].data, t);
      else
        pmf_encode(*enc[i], &pmfs[256 * j], bits, b);
      if (jobs[i].match) mm[i].update(jobs[i].data, t);
      if (over_limit(jobs[i], t + 1)) {
        jobs[i].gave_up = true;
        pb.add(jobs[i].size - t - 1);  // the rest of it is settled: progress counts it done
        continue;
      }
      if (jobs[i].size > t + 1) {
        next_slots[m] = i;
        bytes[m++] = b;
      }
    }
    p.update(next_slots.data(), m, bytes.data());
    pb.add(k);
  }
  for (size_t i = 0; i < n; ++i)
    if (jobs[i].size > 0 && !jobs[i].gave_up) enc[i]->finish();
  if (progress)
    for (size_t i = 0; i < n; ++i) {
      progress->bytes_coded += jobs[i].payload.size();
      progress->bytes_finished += jobs[i].size;
    }
}

void segments_decode(Predictor& p, DecodeJob* jobs, size_t n, ProgressCounter* progress) {
  const int bits = p.pmf_bits();
  std::vector<std::unique_ptr<RangeDecoder>> dec;
  std::vector<MatchModel> mm(n);
  std::vector<MixStage> mix(n);
  for (size_t i = 0; i < n; ++i) {
    p.reset(i);
    if (jobs[i].match) mm[i].reset(jobs[i].size, jobs[i].match_avx2);
    if (jobs[i].mix) mix[i].reset(jobs[i].size);
    jobs[i].out.clear();
    jobs[i].corrupt = false;
    dec.push_back(std::make_unique<RangeDecoder>(jobs[i].payload, jobs[i].payload_size));
  }
  std::vector<uint32_t> pmfs(256 * n);
  std::vector<size_t> slots(n), next_slots(n);
  std::vector<uint8_t> bytes(n);
  ProgressBatch pb(progress);
  for (size_t t = 0;; ++t) {
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
      if (!jobs[i].corrupt && jobs[i].size > t) slots[k++] = i;
    if (k == 0) break;
    p.predict(slots.data(), k, pmfs.data());
    size_t m = 0;
    for (size_t j = 0; j < k; ++j) {
      const size_t i = slots[j];
      if (jobs[i].match) mm[i].refine(jobs[i].out.data(), &pmfs[256 * j], bits);
      const uint8_t b = jobs[i].mix ? mix[i].decode(*dec[i], &pmfs[256 * j], jobs[i].out.data(), t)
                                    : pmf_decode(*dec[i], &pmfs[256 * j], bits);
      jobs[i].out.push_back(b);
      if (jobs[i].match) mm[i].update(jobs[i].out.data(), t);
      // A valid payload is consumed exactly: reading past it proves corruption.
      if (dec[i]->overrun() > 0 || dec[i]->corrupt()) {
        jobs[i].corrupt = true;
        continue;
      }
      if (jobs[i].size > t + 1) {
        next_slots[m] = i;
        bytes[m++] = b;
      }
    }
    p.update(next_slots.data(), m, bytes.data());
    pb.add(k);
  }
  for (size_t i = 0; i < n; ++i)
    if (jobs[i].size > 0 && !dec[i]->finished_cleanly()) jobs[i].corrupt = true;
  if (progress)
    for (size_t i = 0; i < n; ++i) {
      progress->bytes_coded += jobs[i].payload_size;
      progress->bytes_finished += jobs[i].size;
    }
}

}  // namespace shz
