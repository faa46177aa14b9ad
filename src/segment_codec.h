// Coding whole segments with a predictor: several segments advance in lock-step as one
// batch of predictor slots, each with its own range coder. Results never depend on how
// segments are grouped into batches (the Predictor contract).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shz/predictor.h"

namespace shz {

// Shared by worker threads; read by the thread that reports progress.
struct ProgressCounter {
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_coded{0};     // payload bytes of finished segments
  std::atomic<uint64_t> bytes_finished{0};  // original bytes of finished segments
};

// Publishes progress in chunks so workers do not contend on the shared counters.
class ProgressBatch {
 public:
  explicit ProgressBatch(ProgressCounter* c) : c_(c) {}
  ~ProgressBatch() { flush(); }
  ProgressBatch(const ProgressBatch&) = delete;
  ProgressBatch& operator=(const ProgressBatch&) = delete;
  void add(uint64_t bytes) {
    pending_ += bytes;
    if (pending_ >= 16384) flush();
  }
  void flush() {
    if (c_ && pending_) c_->bytes_in += pending_;
    pending_ = 0;
  }

 private:
  ProgressCounter* c_;
  uint64_t pending_ = 0;
};

struct EncodeJob {
  const uint8_t* data = nullptr;
  size_t size = 0;
  // Coding stops once the payload reaches this many bytes: another method is known to be at
  // least as small (the payload only grows, so the result could not win). It also stops
  // once a quarter or more is coded and the payload is on course for 3/2 of the limit (a
  // text model on code or binaries): the model could then win only with a rest far cheaper
  // than its start, so it is given up for the other method. (5/4 lost 0.3% on the Jargon
  // File and zstd.h; 3/2 lost nothing measurable and halves the time on C++ source.)
  size_t limit = SIZE_MAX;
  bool match = false;            // refine the model's pmfs with the match model (format 4)
  bool match_avx2 = false;       // the match model's AVX2 loop (same results; the context's SIMD level)
  bool mix = false;              // then code them through the mixing stage (format 5; needs match)
  std::vector<uint8_t> payload;  // out: the coded segment (incomplete when gave_up)
  bool gave_up = false;          // out: stopped at or on course for `limit`
};

struct DecodeJob {
  const uint8_t* payload = nullptr;
  size_t payload_size = 0;
  size_t size = 0;           // original bytes to produce
  bool match = false;        // the segment was coded with the match model (format 4)
  bool match_avx2 = false;   // the match model's AVX2 loop (same results; the context's SIMD level)
  bool mix = false;          // ... and the mixing stage (format 5)
  std::vector<uint8_t> out;  // out: decoded bytes (grows as decoded; never pre-sized from the header)
  bool corrupt = false;      // out: the payload ran out or was inconsistent
};

// Encodes jobs[0..n) using predictor slots 0..n-1. Precondition: p.begin(m) with m >= n.
// A job that reaches its limit leaves the batch (the others' results do not change).
void segments_encode(Predictor& p, EncodeJob* jobs, size_t n, ProgressCounter* progress);

// Decodes jobs[0..n) using predictor slots 0..n-1. Precondition: p.begin(m) with m >= n.
// A job whose payload proves corrupt stops early with corrupt = true.
void segments_decode(Predictor& p, DecodeJob* jobs, size_t n, ProgressCounter* progress);

}  // namespace shz
