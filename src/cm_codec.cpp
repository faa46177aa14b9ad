#include "cm_codec.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "cm_bit_coders.h"
#include "coder/range_coder.h"
#include "model/cm/cm_model.h"
#include "util/bytes.h"
#include "x86_filter.h"

namespace shz {
namespace {

// Whose turn it is to code: ticket t·G + g belongs to group g at step t. Each group waits
// for its ticket, codes its lanes' bytes and passes the ticket on (release/acquire: what one
// group wrote to the model, the coder and the block, the next one sees).
class Turns {
 public:
  void wait(uint64_t mine) const {
    for (int spin = 0; ticket_.load(std::memory_order_acquire) != mine; ++spin)
      if (spin > 4096) std::this_thread::yield();  // more threads than cores
  }
  void pass() { ticket_.fetch_add(1, std::memory_order_release); }

 private:
  std::atomic<uint64_t> ticket_{0};
};

// One block being coded, shared by its groups: the one who holds the ticket touches it.
struct Block {
  cm::CmModel cm;
  std::vector<uint8_t> buf;  // the (filtered) bytes: the encoder's input, the decoder's output
  size_t lane_size = 1, lanes = 0;
  bool model = false;
  Turns turns;
  bool stop = false;  // gave up (encoder) or found corrupt (decoder): read with the ticket
  std::mutex error_mutex;
  std::exception_ptr error;
  size_t lane_length(size_t lane) const { return std::min(lane_size, buf.size() - lane * lane_size); }
};

// Group g of `groups` codes its lanes of the block, step by step, in turn with the others:
// code(lane, model bits) codes one byte and returns it (setting b.stop to end the block).
template <class Code>
void group_run(Block& b, Predictor* p, size_t groups, size_t g, ProgressCounter* progress, Code code) {
  const size_t first = cm_group_first(b.lanes, groups, g), last = cm_group_first(b.lanes, groups, g + 1);
  const size_t n = last - first;
  std::vector<size_t> slots, next;
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> pmfs(b.model ? 256 * std::max<size_t>(n, 1) : 0);
  uint32_t cum[257];
  ProgressBatch pc(progress);
  bool failed = false;  // this thread's model threw: it still takes its turns, coding nothing
  if (b.model)
    for (size_t i = 0; i < n; ++i) p->reset(i);
  for (size_t t = 0; t < b.lane_size; ++t) {
    slots.clear();
    for (size_t l = first; l < last; ++l)
      if (t < b.lane_length(l)) {
        b.cm.prefetch(l);
        slots.push_back(l - first);
      }
    if (b.model && !slots.empty() && !failed) {
      try {
        p->predict(slots.data(), slots.size(), pmfs.data());
      } catch (...) {
        std::lock_guard<std::mutex> lock(b.error_mutex);
        if (!b.error) b.error = std::current_exception();
        failed = true;
      }
    }
    b.turns.wait(uint64_t(t) * groups + g);
    if (failed) b.stop = true;
    const bool stopped = b.stop;
    next.clear();
    bytes.clear();
    if (!stopped) {
      for (size_t k = 0; k < slots.size() && !b.stop; ++k) {
        const size_t lane = first + slots[k];
        cm::ModelBits mb;
        if (b.model) {
          cm::pmf_cumulative(&pmfs[256 * k], cum);
          mb.cum = cum;
        }
        const uint8_t byte = code(lane, mb);
        if (t + 1 < b.lane_length(lane)) {
          next.push_back(slots[k]);
          bytes.push_back(byte);
        }
      }
    }
    const bool end = stopped || b.stop;  // read before passing: the next group may write it
    b.turns.pass();
    if (end) break;
    pc.add(slots.size());
    if (b.model && !next.empty()) p->update(next.data(), next.size(), bytes.data());
  }
}

// Runs group_run for every group, groups 1.. on threads of their own, group 0 here.
template <class Code>
void groups_run(Block& b, const std::vector<Predictor*>& p, ProgressCounter* progress, Code code) {
  const size_t groups = std::max<size_t>(1, std::min(p.size(), b.lanes));
  std::vector<std::thread> threads;
  for (size_t g = 1; g < groups; ++g)
    threads.emplace_back([&, g] { group_run(b, p[g], groups, g, progress, code); });
  group_run(b, p.empty() ? nullptr : p[0], groups, 0, progress, code);
  for (std::thread& t : threads) t.join();
  if (b.error) std::rethrow_exception(b.error);
}

// The CM revision a block's flags name (1..5).
int flag_revision(uint8_t flags) {
  return 1 + ((flags & kCmFlagRev2) != 0) + ((flags & kCmFlagRev3) != 0) + ((flags & kCmFlagRev4) != 0) +
         ((flags & kCmFlagRev5) != 0);
}

// The flags of a block of revision r (every revision's bit up to r).
uint8_t revision_flags(int r) {
  return uint8_t((r >= 2 ? kCmFlagRev2 : 0) | (r >= 3 ? kCmFlagRev3 : 0) | (r >= 4 ? kCmFlagRev4 : 0) |
                 (r >= 5 ? kCmFlagRev5 : 0));
}

// Whether a preamble is valid for a block of `size` bytes in an archive of format `version`
// (0: any of 6..10): a block's revision flags name revision version - 5 exactly, and a
// revision's flag is never set without the earlier revisions' flags.
bool preamble_valid(const uint8_t* q, size_t payload_size, size_t size, unsigned version) {
  if (payload_size < kCmPreamble || q[0] < 1 || q[0] > 9) return false;
  if ((q[1] & ~(kCmFlagX86 | kCmFlagRevs)) != 0) return false;
  if ((q[1] & kCmFlagRevs) != revision_flags(flag_revision(q[1]))) return false;
  if (version != 0 && flag_revision(q[1]) != int(version) - 5) return false;
  const size_t lane = get_le32(q + 2);
  return lane != 0 && lane <= std::max<size_t>(size, 1) && cm_lane_count(size, lane) <= kCmMaxLanes;
}

}  // namespace

size_t cm_lane_count(size_t size, size_t lane_size) {
  return lane_size == 0 || size == 0 ? 1 : (size + lane_size - 1) / lane_size;
}

std::vector<Predictor*> CmPredictors::for_block(const LoadedModel& model, size_t lanes) {
  const size_t groups = std::max<size_t>(1, std::min(models_.size(), lanes));
  const size_t per = (lanes + groups - 1) / groups;
  std::vector<Predictor*> p(groups);
  for (size_t g = 0; g < groups; ++g) {
    if (!models_[g] || slots_[g] < per) {
      models_[g] = model.make(tuning_);
      models_[g]->begin(per);
      slots_[g] = per;
    }
    p[g] = models_[g].get();
  }
  return p;
}

size_t cm_payload_lanes(const uint8_t* payload, size_t payload_size, size_t size) {
  if (!preamble_valid(payload, payload_size, size, 0)) return 0;
  return cm_lane_count(size, get_le32(payload + 2));
}

unsigned cm_side_by_side(unsigned threads, size_t blocks, uint64_t memory_each) {
  constexpr uint64_t kBudget = uint64_t(1) << 30;
  const uint64_t most = std::max<uint64_t>(1, std::min<uint64_t>(threads, blocks));
  return unsigned(std::clamp<uint64_t>(kBudget / std::max<uint64_t>(memory_each, 1), 1, most));
}

void cm_block_encode(const std::vector<Predictor*>& p, CmEncodeJob& j, ProgressCounter* progress) {
  Block b;
  if (j.x86)
    x86_filter_encode(j.data, j.size, b.buf);
  else
    b.buf.assign(j.data, j.data + j.size);
  b.lane_size = j.lane_size == 0 ? std::max<size_t>(j.size, 1) : j.lane_size;
  b.lanes = j.size == 0 ? 0 : cm_lane_count(j.size, b.lane_size);
  b.model = j.model;
  const cm::CmConfig cfg = cm::cm_config_for(j.level, j.size);
  b.cm.reset(cfg, b.buf.data(), j.size, b.lane_size);
  j.payload.clear();
  j.gave_up = false;
  j.payload.push_back(uint8_t(j.level));
  // The flag says which revision coded the block: the one the config was made for.
  j.payload.push_back(uint8_t((j.x86 ? kCmFlagX86 : 0) | revision_flags(cfg.revision)));
  put_le32(j.payload, uint32_t(b.lane_size));
  RangeEncoder enc(j.payload);
  EncodeBit bits(enc);
  if (b.lanes > 0)
    groups_run(b, p, progress, [&](size_t lane, const cm::ModelBits& mb) {
      const uint8_t byte = b.buf[lane * b.lane_size + b.cm.coded(lane)];
      bits.byte = byte;
      b.cm.code(lane, mb, bits);
      if (j.payload.size() >= j.limit || (j.cancel && j.cancel->load(std::memory_order_relaxed))) {
        b.stop = true;
        j.gave_up = true;
      }
      return byte;
    });
  if (!j.gave_up && j.size > 0) enc.finish();
  if (progress) {
    progress->bytes_coded += j.payload.size();
    progress->bytes_finished += j.size;
  }
}

void cm_block_decode(const std::vector<Predictor*>& p, CmDecodeJob& j, ProgressCounter* progress) {
  j.corrupt = false;
  j.out.clear();
  const uint8_t* q = j.payload;
  if (!preamble_valid(q, j.payload_size, j.size, j.version)) {
    j.corrupt = true;
    return;
  }
  Block b;
  b.buf.assign(j.size, 0);
  b.lane_size = get_le32(q + 2);
  b.lanes = j.size == 0 ? 0 : cm_lane_count(j.size, b.lane_size);
  b.model = j.model;
  b.cm.reset(cm::cm_config_for(q[0], j.size, flag_revision(q[1])), b.buf.data(), j.size, b.lane_size);
  RangeDecoder dec(q + kCmPreamble, j.payload_size - kCmPreamble);
  DecodeBit bits(dec);
  if (b.lanes > 0)
    groups_run(b, p, progress, [&](size_t lane, const cm::ModelBits& mb) {
      const uint8_t byte = b.cm.code(lane, mb, bits);
      // A valid payload is consumed exactly: reading past it proves corruption.
      if (dec.overrun() > 0 || dec.corrupt()) {
        b.stop = true;
        j.corrupt = true;
      }
      return byte;
    });
  if (!j.corrupt && j.size > 0 && !dec.finished_cleanly()) j.corrupt = true;
  if (!j.corrupt) {
    if (q[1] & kCmFlagX86)
      x86_filter_decode(b.buf.data(), j.size, j.out);
    else
      j.out.swap(b.buf);
  }
  if (progress) {
    progress->bytes_coded += j.payload_size;
    progress->bytes_finished += j.size;
  }
}

}  // namespace shz
