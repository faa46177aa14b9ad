// order2: an adaptive, integer-only context model over the last 0, 1 and 2 bytes.
//
// Each order keeps byte counts per context. The three distributions are blended
// PPM-C style without exclusion: the order-2 context gets weight T/(T + e*d) of the
// probability budget (T = total count, d = distinct bytes seen, e = escape factor),
// the rest falls to order 1, then order 0, then a uniform floor. All arithmetic is
// integer, so every machine computes the same pmf.
//
// Memory: 32 MiB of order-2 counts per slot, cleared lazily (a context is zeroed the
// first time a segment touches it), so a reset costs O(1) rather than a 32 MiB memset.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "shz/predictor.h"

namespace shz {

class Order2Model final : public Predictor {
 public:
  Order2Model();
  ModelIdentity identity() const override;
  int pmf_bits() const override { return 16; }
  size_t preferred_streams() const override { return 1; }
  uint64_t default_segment_size() const override { return uint64_t(1) << 20; }
  void begin(size_t streams) override;
  void reset(size_t slot) override;
  void predict(const size_t* slots, size_t n, uint32_t* pmfs) override;
  void update(const size_t* slots, size_t n, const uint8_t* bytes) override;

 private:
  // Counts of one context: cnt[256], their sum and how many are nonzero.
  struct Context {
    uint16_t cnt[256];
    uint32_t total;
    uint32_t distinct;
  };
  struct Slot {
    // 65536 contexts, valid only where stamp == epoch. Left uninitialised on purpose: the
    // stamps clear a context on first use, and untouched pages are never faulted in.
    std::unique_ptr<Context[]> o2;
    std::vector<uint32_t> stamp;   // per order-2 context: epoch it was last cleared in
    std::vector<Context> o1;       // 256 contexts
    Context o0;
    uint32_t epoch = 0;
    uint8_t c1 = 0, c2 = 0;        // last and second-to-last byte
  };

  static void context_clear(Context& c);
  static void context_add(Context& c, uint8_t byte, uint32_t limit);
  Context& order2_context(Slot& s);
  void slot_pmf(Slot& s, uint32_t* freq);

  std::vector<Slot> slots_;
};

}  // namespace shz
