#include "cm_codec.h"

#include <algorithm>
#include <memory>

#include "coder/range_coder.h"
#include "model/cm/cm_model.h"
#include "util/bytes.h"
#include "x86_filter.h"

namespace shz {
namespace {

class EncodeBit : public cm::BitCoder {
 public:
  explicit EncodeBit(RangeEncoder& enc) : enc_(enc) {}
  uint8_t byte = 0;
  int code(uint32_t p1, int bit) override {
    const int y = byte >> bit & 1;
    if (y)
      enc_.encode(0, p1, 16);
    else
      enc_.encode(p1, 65536 - p1, 16);
    return y;
  }

 private:
  RangeEncoder& enc_;
};

class DecodeBit : public cm::BitCoder {
 public:
  explicit DecodeBit(RangeDecoder& dec) : dec_(dec) {}
  int code(uint32_t p1, int) override { return dec_.decode_bit(p1, 16); }

 private:
  RangeDecoder& dec_;
};

// One block in flight, encoder or decoder side.
struct Block {
  cm::CmModel cm;
  std::vector<uint8_t> buf;  // the (filtered) bytes: the encoder's input, the decoder's output
  size_t lane_size = 0, lanes = 0;
  bool model = false;
  size_t first_slot = 0;  // its lanes' model slots: first_slot + lane
  bool done = false;      // gave up (encoder) or found corrupt (decoder)
  bool stepping = false;  // coding bytes in the current step (not done when it began)
  size_t lane_length(size_t lane) const { return std::min(lane_size, buf.size() - lane * lane_size); }
};

// Publishes progress in chunks so workers do not contend on the shared counter.
class ProgressChunks {
 public:
  explicit ProgressChunks(ProgressCounter* c) : c_(c) {}
  ~ProgressChunks() { flush(); }
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

// Steps every block's lanes in lock-step, byte t of each lane of each block, then t + 1,
// the model's lanes as one batch: code_lane(block, lane, model bits) codes one byte and
// returns it. Blocks without the model run the same loop with no model bits.
template <class CodeLane>
void lockstep(Predictor* p, std::vector<Block>& blocks, ProgressCounter* progress, CodeLane code_lane) {
  size_t slots_total = 0, longest = 0;
  for (Block& b : blocks) {
    if (b.model) {
      b.first_slot = slots_total;
      slots_total += b.lanes;
    }
    longest = std::max(longest, b.lane_size);
  }
  if (p)
    for (size_t s = 0; s < slots_total; ++s) p->reset(s);
  std::vector<uint32_t> pmfs(256 * std::max<size_t>(slots_total, 1));
  std::vector<size_t> slots, next_slots;
  std::vector<uint8_t> bytes;
  uint32_t cum[257];
  ProgressChunks pc(progress);
  for (size_t t = 0; t < longest; ++t) {
    slots.clear();
    size_t active = 0;
    for (Block& b : blocks) {
      b.stepping = !b.done;
      if (b.done) continue;
      for (size_t l = 0; l < b.lanes; ++l)
        if (t < b.lane_length(l)) {
          b.cm.prefetch(l);
          ++active;
          if (b.model) slots.push_back(b.first_slot + l);
        }
    }
    if (active == 0) break;
    if (!slots.empty()) p->predict(slots.data(), slots.size(), pmfs.data());
    next_slots.clear();
    bytes.clear();
    size_t k = 0;  // the next model slot's index in `slots`
    for (Block& b : blocks) {
      if (!b.stepping) continue;
      for (size_t l = 0; l < b.lanes; ++l) {
        if (t >= b.lane_length(l)) continue;
        cm::ModelBits mb;
        if (b.model) {
          cm::pmf_cumulative(&pmfs[256 * k++], cum);
          mb.cum = cum;
        }
        if (b.done) continue;  // gave up or corrupt at an earlier lane of this step
        const uint8_t byte = code_lane(b, l, mb);
        if (b.model && !b.done && t + 1 < b.lane_length(l)) {
          next_slots.push_back(b.first_slot + l);
          bytes.push_back(byte);
        }
      }
    }
    if (!next_slots.empty()) p->update(next_slots.data(), next_slots.size(), bytes.data());
    pc.add(active);
  }
}

// lanes of a block of `size` bytes in lanes of lane_size (0: one lane).
size_t lane_count(size_t size, size_t lane_size) { return lane_size == 0 ? 1 : (size + lane_size - 1) / lane_size; }

}  // namespace

// Whether a preamble is valid for a block of `size` bytes.
bool preamble_valid(const uint8_t* q, size_t payload_size, size_t size) {
  if (payload_size < kCmPreamble || q[0] < 1 || q[0] > 9 || (q[1] & ~kCmFlagX86) != 0) return false;
  const size_t lane = get_le32(q + 2);
  return lane != 0 && lane <= std::max<size_t>(size, 1) && lane_count(size, lane) <= kCmMaxLanes;
}

size_t cm_payload_lanes(const uint8_t* payload, size_t payload_size, size_t size) {
  if (!preamble_valid(payload, payload_size, size)) return 0;
  return lane_count(size, get_le32(payload + 2));
}

void cm_blocks_encode(Predictor* p, CmEncodeJob* const* job_list, size_t n, ProgressCounter* progress) {
  auto job = [&](size_t i) -> CmEncodeJob& { return *job_list[i]; };
  std::vector<Block> blocks(n);
  std::vector<std::unique_ptr<RangeEncoder>> enc(n);
  std::vector<std::unique_ptr<EncodeBit>> bits(n);
  for (size_t i = 0; i < n; ++i) {
    CmEncodeJob& j = job(i);
    Block& b = blocks[i];
    if (j.x86)
      x86_filter_encode(j.data, j.size, b.buf);
    else
      b.buf.assign(j.data, j.data + j.size);
    b.lane_size = j.lane_size == 0 ? std::max<size_t>(j.size, 1) : j.lane_size;
    b.lanes = j.size == 0 ? 0 : lane_count(j.size, b.lane_size);
    b.model = j.model;
    b.cm.reset(cm::cm_config_for(j.level, j.size), b.buf.data(), j.size, b.lane_size);
    j.payload.clear();
    j.gave_up = false;
    j.payload.push_back(uint8_t(j.level));
    j.payload.push_back(j.x86 ? kCmFlagX86 : 0);
    put_le32(j.payload, uint32_t(b.lane_size));
    enc[i] = std::make_unique<RangeEncoder>(j.payload);
    bits[i] = std::make_unique<EncodeBit>(*enc[i]);
  }
  lockstep(p, blocks, progress, [&](Block& b, size_t lane, const cm::ModelBits& mb) {
    const size_t i = size_t(&b - blocks.data());
    const uint8_t byte = b.buf[lane * b.lane_size + b.cm.coded(lane)];
    bits[i]->byte = byte;
    b.cm.code(lane, mb, *bits[i]);
    if (job(i).payload.size() >= job(i).limit) {
      b.done = true;
      job(i).gave_up = true;
    }
    return byte;
  });
  for (size_t i = 0; i < n; ++i) {
    if (!job(i).gave_up) enc[i]->finish();
    if (progress) {
      progress->bytes_coded += job(i).payload.size();
      progress->bytes_finished += job(i).size;
    }
  }
}

void cm_blocks_decode(Predictor* p, CmDecodeJob* const* job_list, size_t n, ProgressCounter* progress) {
  auto job = [&](size_t i) -> CmDecodeJob& { return *job_list[i]; };
  std::vector<Block> blocks(n);
  std::vector<std::unique_ptr<RangeDecoder>> dec(n);
  std::vector<std::unique_ptr<DecodeBit>> bits(n);
  std::vector<uint8_t> x86(n, 0);
  for (size_t i = 0; i < n; ++i) {
    CmDecodeJob& j = job(i);
    Block& b = blocks[i];
    j.corrupt = false;
    j.out.clear();
    const uint8_t* q = j.payload;
    if (!preamble_valid(q, j.payload_size, j.size)) {
      j.corrupt = true;
      b.done = true;
      continue;
    }
    x86[i] = q[1] & kCmFlagX86;
    b.buf.assign(j.size, 0);
    b.lane_size = get_le32(q + 2);
    b.lanes = j.size == 0 ? 0 : lane_count(j.size, b.lane_size);
    b.model = j.model;
    b.cm.reset(cm::cm_config_for(q[0], j.size), b.buf.data(), j.size, b.lane_size);
    dec[i] = std::make_unique<RangeDecoder>(q + kCmPreamble, j.payload_size - kCmPreamble);
    bits[i] = std::make_unique<DecodeBit>(*dec[i]);
  }
  lockstep(p, blocks, progress, [&](Block& b, size_t lane, const cm::ModelBits& mb) {
    const size_t i = size_t(&b - blocks.data());
    const uint8_t byte = b.cm.code(lane, mb, *bits[i]);
    // A valid payload is consumed exactly: reading past it proves corruption.
    if (dec[i]->overrun() > 0 || dec[i]->corrupt()) {
      b.done = true;
      job(i).corrupt = true;
    }
    return byte;
  });
  for (size_t i = 0; i < n; ++i) {
    CmDecodeJob& j = job(i);
    if (!j.corrupt && j.size > 0 && !dec[i]->finished_cleanly()) j.corrupt = true;
    if (!j.corrupt) {
      if (x86[i])
        x86_filter_decode(blocks[i].buf.data(), j.size, j.out);
      else
        j.out.swap(blocks[i].buf);
    }
    if (progress) {
      progress->bytes_coded += j.payload_size;
      progress->bytes_finished += j.size;
    }
  }
}

}  // namespace shz
