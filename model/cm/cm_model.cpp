#include "cm_model.h"

#include <algorithm>

#include "contexts.h"
#include "hashing.h"
#include "model/stages/logistic.h"
#include "match_finder.h"
#include "util/fixed_point.h"

namespace shz::cm {
namespace {

// A context's inputs: 2, or 3 from revision 3 (the stretched probability again where the
// history is one-sided: only zeros or only ones seen).
constexpr int kInputsPerContext(int revision) { return revision >= 3 ? 3 : 2; }
// The final mixer's weight sets: by the bits of the byte so far; from revision 3, also by the
// class of the previous byte (digit 0, letter 1, space 2, other 3).
constexpr int kLayer2Sets = 256 * 4;
// Revision 5 adds 256 sets selected by a bitmap's pixels (below) to it and to the first
// first-layer mixer.
constexpr int kImageSets = 256;
uint32_t byte_class(uint8_t c) {
  if (word_char(c)) return 1;
  if (c == ' ') return 2;
  return c >= '0' && c <= '9' ? 0 : 3;
}
constexpr int kFinders = 2;
constexpr int kLayer1 = 6;  // first-layer mixers, each selected by its own context
static_assert(kLayer1 == kBank, "the first layer runs as one bank");
// Weight sets of the first-layer mixers, by what selects them: the bits of the byte so far;
// the first finder's match (length bucket and expected bit) and the bit's position; the
// previous byte; the model's confidence and the bit's position; how many order contexts
// have seen this decision, the match's state (at most 7) and the bit's position; (revision
// 2) the byte two back and the bit's position.
constexpr int kSets[kLayer1] = {256, 32 * 8, 256, 17 * 8, 9 * 8 * 8, 256 * 8};

// Revision 5's bitmap contexts (1 bit per pixel, 8 pixels a byte, the leftmost in the top
// bit, one row a record; fax pages, scans): each a direct table indexed by pixels around the
// one being coded, from the three rows above (their bits aligned to the pixel) and the
// pixels to its left. Used while the lane has a bitmap row length (LaneHistory::ilen) of at
// least kImageMinRecord bytes; their inputs are 0 otherwise. Their tables: cm_config.h.
constexpr uint32_t kImageMinRecord = 8;
constexpr int kImageLimit = 255;  // StateMap limit: a page's statistics drift

}  // namespace

uint32_t ModelBits::p1(int bit, uint32_t c0) const {
  if (path) return path[7 - bit];
  // The symbols still possible: [lo, lo + 2^(bit + 1)); the upper half has the bit set.
  const uint32_t lo = (c0 - (1u << (7 - bit))) << (bit + 1);
  const uint64_t all = cum[lo + (2u << bit)] - cum[lo];
  const uint64_t ones = cum[lo + (2u << bit)] - cum[lo + (1u << bit)];
  return uint32_t(std::clamp<uint64_t>((ones << 16) / all, 1, 65535));
}

void pmf_cumulative(const uint32_t* f, uint32_t* cum) {
  cum[0] = 0;
  for (int s = 0; s < 256; ++s) cum[s + 1] = cum[s] + f[s];
}

void model_bits_path(const uint32_t* cum, uint8_t b, uint16_t* path) {
  ModelBits mb;
  mb.cum = cum;
  uint32_t c0 = 1;
  for (int bit = 7; bit >= 0; --bit) {
    path[7 - bit] = uint16_t(mb.p1(bit, c0));
    c0 = c0 << 1 | ((b >> bit) & 1u);
  }
}

struct CmModel::Lane {
  size_t base = 0, size = 0;  // its bytes: buf[base, base + size)
  LaneHistory history;
  LaneMatch match[kFinders];
  uint32_t h[kMaxContexts] = {};  // context hashes of the next byte
  // The mixers, one set per lane: lanes are different parts of the block, and a mixer that
  // follows one part's habits helps it more than one that averages over all of them (the
  // tables, shared, are where lanes learn from each other).
  Mixer layer1[kLayer1], layer2;
  // Revision 5: whether the lane is a bitmap, judged by the running mean squared errors
  // (Q24, rate 2^-10) of the first pixel context and of the order-2 context.
  int64_t err_image = 0, err_order2 = 0;
};

struct CmModel::Impl {
  CmConfig cfg;
  uint8_t* buf = nullptr;
  size_t size = 0, lane_size = 1;
  std::vector<Ctx> kinds;  // one per context, in input order
  size_t hashed_from = 0;  // contexts [hashed_from, n) live in the bucket table
  int n = 0;               // contexts
  int inputs = 0;
  int image_at = 0;  // revision 5: where the bitmap inputs start (a multiple of 8)
  BucketTable table;
  std::vector<uint8_t> order0, order1;  // direct contexts: 17 nibble buckets per context
  std::vector<StateMap> maps;
  MatchFinder finder[kFinders];
  StateMap match_map[kFinders];
  Indirect indirect;
  Apm<12, 1024> apm1, apm2;
  Apm<12, 1024> apm_model;  // revision 2: the model's probability refined by order 1
  bool image = false;        // revision 5: bitmap contexts
  bool image_ready = false;  // their tables allocated (when a lane first has a row length)
  StateMap image_maps[kImageContexts];
  int layer1 = 5;           // first-layer mixers in use (6 in revision 2)
  std::vector<int32_t> x;                   // the inputs of one bit
  int32_t x2[Mixer::padded(kLayer1)] = {};  // the first layer's outputs
  // The first layer runs as one bank of kBank mixers (mixer_dot_bank); with fewer (5 before
  // revision 2) the rest read and train this scratch vector, whose results are not used.
  std::vector<int32_t> spare;
  uint8_t* cur[kMaxContexts];               // each context's bucket for the current nibble
  uint8_t is_order[kMaxContexts] = {};      // 1 for the order contexts (order 0 to 8)
  int order2_at = -1;                       // the order-2 context's index (-1: none)
  uint8_t one_sided[256] = {};              // 1 for the bit-history states of one bit value only
  uint8_t* state[kMaxContexts];
};

CmModel::CmModel() : m_(std::make_unique<Impl>()) {}
CmModel::~CmModel() = default;
size_t CmModel::lanes() const { return lanes_.size(); }
size_t CmModel::coded(size_t lane) const { return lanes_[lane].history.t; }

bool CmModel::known(size_t q) const {
  const size_t j = q / m_->lane_size;
  return j < lanes_.size() && q - j * m_->lane_size < lanes_[j].history.t;
}

void CmModel::reset(const CmConfig& cfg, uint8_t* buf, size_t size, size_t lane_size) {
  Impl& m = *m_;
  m.cfg = cfg;
  m.buf = buf;
  m.size = size;
  m.lane_size = std::max<size_t>(lane_size, 1);
  m.kinds = context_kinds(cfg.contexts);
  m.n = int(m.kinds.size());
  for (int k = 0; k < m.n; ++k) m.is_order[k] = m.kinds[size_t(k)] <= kOrder8;
  m.order2_at = int(std::find(m.kinds.begin(), m.kinds.end(), kOrder2) - m.kinds.begin());
  if (m.order2_at == m.n) m.order2_at = -1;
  m.hashed_from = size_t(std::count(m.kinds.begin(), m.kinds.end(), kOrder0) +
                         std::count(m.kinds.begin(), m.kinds.end(), kOrder1));
  m.table.reset(cfg.table_bits);
  m.order0.assign(17 * 16, 0);
  m.order1.assign(256 * 17 * 16, 0);
  // Each StateMap starts from what its state's counts say: (n1 + 1/2) / (n0 + n1 + 1).
  const BitHistoryTable& bh = bit_history();
  for (int st = 0; st < 256; ++st) m.one_sided[st] = bh.n0[st] == 0 || bh.n1[st] == 0;
  uint16_t p0[256];
  for (int s = 0; s < 256; ++s)
    p0[s] = s < bh.count ? uint16_t(std::clamp((2 * bh.n1[s] + 1) * 32768 / (bh.n0[s] + bh.n1[s] + 1), 64, 65472))
                         : 32768;
  m.maps.assign(size_t(m.n), StateMap());
  for (StateMap& sm : m.maps) sm.reset(256, cfg.counter_limit, p0);
  for (int f = 0; f < kFinders; ++f) {
    m.finder[f].reset(cfg.match_min[f], cfg.match_bits);
    m.match_map[f].reset(64, 1023);
  }
  m.indirect = Indirect();
  m.layer1 = cfg.revision >= 2 ? 6 : 5;
  m.image = cfg.revision >= 5 && (cfg.contexts & kRecord);
  m.image_ready = false;
  m.inputs = m.n * kInputsPerContext(cfg.revision) + kFinders * 2 + 2 + (cfg.revision >= 2 ? 1 : 0) + 1;
  // The bitmap inputs fill a vector of 8 of their own, which the mixers skip in lanes that
  // are not bitmaps (their inputs are 0 there).
  m.image_at = Mixer::padded(m.inputs);
  if (m.image) m.inputs = m.image_at + kImageContexts;
  m.x.assign(size_t(Mixer::padded(m.inputs)), 0);
  m.spare.assign(m.x.size(), 0);
  m.apm1.reset(1 << cfg.apm_bits);
  m.apm2.reset(cfg.apm_order2 ? 1 << cfg.apm_bits : 1);
  m.apm_model.reset(cfg.revision >= 2 ? 1 << cfg.apm_bits : 1);

  const size_t count = size == 0 ? 0 : (size + m.lane_size - 1) / m.lane_size;
  lanes_.assign(count, Lane());
  for (size_t i = 0; i < count; ++i) {
    Lane& l = lanes_[i];
    l.base = i * m.lane_size;
    l.size = std::min(m.lane_size, size - l.base);
    for (int k = 0; k < m.layer1; ++k)
      l.layer1[k].reset(m.inputs, kSets[k] + (k == 0 && m.image ? kImageSets : 0), 1 << 12, cfg.mixer_shift);
    l.layer2.reset(m.layer1, (cfg.revision >= 3 ? kLayer2Sets : 256) + (m.image ? kImageSets : 0), 65536 / m.layer1,
                   cfg.mixer_shift);
    l.err_image = l.err_order2 = 0;
    context_hashes(l.history, buf + l.base, m.indirect, m.kinds, m.hashed_from, l.h);
  }
}

void CmModel::prefetch(size_t lane) const {
  const Lane& l = lanes_[lane];
  const Impl& m = *m_;
  for (size_t k = m.hashed_from; k < size_t(m.n); ++k) m.table.prefetch(bucket_hash(l.h[k], 0));
}

uint8_t CmModel::code(size_t lane, const ModelBits& mb, BitCoder& coder) {
  Impl& m = *m_;
  Lane& l = lanes_[lane];
  const BitHistoryTable& bh = bit_history();
  const int16_t* stretch = logistic::stretch_table();
  const uint32_t c1 = l.history.c1(), c2 = l.history.c2();
  const bool model = mb.path || mb.cum;
  // The matches' expected bytes, where the byte they point at is known.
  int expected[kFinders];
  for (int f = 0; f < kFinders; ++f) {
    expected[f] = -1;
    LaneMatch& lm = l.match[f];
    if (lm.len > 0) {
      if (known(lm.ptr))
        expected[f] = m.buf[lm.ptr];
      else
        lm.len = 0;
    }
  }
  int32_t* x = m.x.data();
  const bool rev2 = m.cfg.revision >= 2, rev3 = m.cfg.revision >= 3;
  // The APMs' rows for the bits so far c0; fetched as soon as c0 is known, a bit's work
  // before they are read (their tables are megabytes: a miss each otherwise).
  auto o1_row_of = [&](uint32_t c0) {
    const uint32_t o1 = c0 | c1 << 8;
    return int(m.cfg.apm_bits == 16 ? o1 : o1 * kPhi >> (32 - m.cfg.apm_bits));
  };
  auto o2_row_of = [&](uint32_t c0) { return int((c0 | c1 << 8 | c2 << 16) * kPhi >> (32 - m.cfg.apm_bits)); };
  auto prefetch_apms = [&](uint32_t c0) {
    const int row = o1_row_of(c0);
    m.apm1.prefetch(row);
    if (rev2 && model) m.apm_model.prefetch(row);
    if (m.cfg.apm_order2) m.apm2.prefetch(o2_row_of(c0));
  };
  // Bitmap rows: the bytes above-left, above and above-right one, two and three rows up.
  const uint32_t row_len = l.history.ilen;
  const bool image = m.image && row_len >= kImageMinRecord;
  uint32_t rows[3] = {};
  if (image) {
    if (!m.image_ready) {
      for (int i = 0; i < kImageContexts; ++i) m.image_maps[i].reset(1 << kImageBits[i], kImageLimit);
      m.image_ready = true;
    }
    const uint8_t* lane = m.buf + l.base;
    const size_t t = l.history.t;
    for (size_t back = 1; back <= 3; ++back)
      if (t >= back * row_len + 1) {
        const size_t q = t - back * row_len;  // q + 1 < t: row_len >= 2
        rows[back - 1] = uint32_t(lane[q - 1]) << 16 | uint32_t(lane[q]) << 8 | lane[q + 1];
      }
  }
  const uint32_t left16 = uint32_t(l.history.hist & 0xFFFF);
  uint32_t c0 = 1, j = 1;
  prefetch_apms(c0);
  for (int bit = 7; bit >= 0; --bit) {
    if (bit == 7 || bit == 3) {
      const uint32_t nib = bit == 7 ? 0 : c0 - 15;  // 0, or 1 + the first nibble
      size_t k = 0;
      for (; k < m.hashed_from && m.kinds[k] == kOrder0; ++k) m.cur[k] = &m.order0[nib * 16];
      for (; k < m.hashed_from; ++k) m.cur[k] = &m.order1[(c1 * 17 + nib) * 16];
      for (; k < size_t(m.n); ++k) m.cur[k] = m.table.find(bucket_hash(l.h[k], nib));
      j = 1;
    }
    // Inputs: each context's bit history through its StateMap, as a stretched probability
    // and as a probability (which weighs confident states more), and (revision 3) the
    // stretched probability once more where the history is one-sided, so the mixer can
    // trust a context that has never been contradicted more than one that has; a history
    // never seen gives no opinion.
    // (Members read through locals: the stores to x and to the states could alias them,
    // and the compiler would reload each one for every context.)
    int in = 0;
    int known_orders = 0;  // the order contexts that have seen this decision
    uint32_t p_order2 = 32768;
    {
      const int n = m.n, per = kInputsPerContext(m.cfg.revision);
      StateMap* maps = m.maps.data();
      uint8_t** state = m.state;
      uint8_t* const* cur = m.cur;
      const uint8_t* is_order = m.is_order;
      const uint8_t* one_sided = m.one_sided;
      for (int k = 0; k < n; ++k, in += per) {
        uint8_t* sp = cur[k] + j;
        state[k] = sp;
        const uint8_t s = *sp;
        const uint32_t p = maps[k].p(s);
        if (s == 0) {
          x[in] = x[in + 1] = 0;
          if (rev3) x[in + 2] = 0;
        } else {
          known_orders += is_order[k];
          const int32_t st = stretch[p];
          x[in] = st;
          x[in + 1] = int32_t(floor_shift(int32_t(p) - 32768, 6));
          if (rev3) x[in + 2] = one_sided[s] ? st : 0;
        }
      }
      // Order 2's p: only a bitmap lane's judging reads it.
      if (image && m.order2_at >= 0 && *state[m.order2_at] != 0) p_order2 = maps[m.order2_at].p(*state[m.order2_at]);
    }
    // The matches: the expected bit through a StateMap by the match's length, and the
    // length itself, signed by the expected bit; nothing once this byte left the match.
    int match_sel = 0;
    for (int f = 0; f < kFinders; ++f) {
      int ctx = 0, sign = 0;
      if (expected[f] >= 0 && uint32_t(expected[f] + 256) >> (bit + 1) == c0) {
        const int eb = expected[f] >> bit & 1;
        ctx = match_length_bucket(l.match[f].len) * 2 + eb;  // 2..31: the length is at least 1
        sign = eb ? 1 : -1;
      }
      const uint32_t p = m.match_map[f].p(uint32_t(ctx));
      x[in++] = stretch[p];
      x[in++] = sign * int32_t(std::min<uint32_t>(l.match[f].len * 32, 1024));
      if (f == 0) match_sel = ctx;
    }
    // The model: its probability of a 1 given the bits so far, stretched and as it is.
    // Revision 2 adds the model's probability through an APM by the previous byte and the
    // bits so far, which learns where the model is over- or under-confident in this block.
    const int o1_row = o1_row_of(c0);
    int model_sel = 0;
    if (model) {
      const uint32_t p = mb.p1(bit, c0);
      x[in++] = stretch[p];
      x[in++] = int32_t(floor_shift(int32_t(p) - 32768, 6));
      model_sel = 1 + std::min(std::abs(int(stretch[p])) >> 7, 15);
      if (rev2) x[in++] = stretch[std::clamp<uint32_t>(m.apm_model.map(o1_row, stretch[p]), 1, 65535)];
    } else {
      x[in++] = 0;
      x[in++] = 0;
      if (rev2) x[in++] = 0;
    }
    x[in++] = 256;  // a bias
    // Where the lane is judged a bitmap (judged): the weight sets and APM rows the pixels
    // select (image_sel), and the first pixel context's p, whose error is compared with
    // order 2's.
    int image_sel = -1;
    bool judged = false;
    uint32_t image_apm1 = 0, image_apm2 = 0, p_image = 0;
    if (m.image) {
      in = m.image_at;
      if (image) {
        // The pixels to the left (the nearest in bit 0) and 2k + 1 pixels centred above.
        const uint32_t left = left16 << (7 - bit) | (c0 ^ (1u << (7 - bit)));
        auto above = [&](int row, int k) { return rows[row] >> (8 + bit - k) & ((1u << (2 * k + 1)) - 1); };
        const uint32_t cx[kImageContexts] = {
            (left & 15) | above(0, 2) << 4 | above(1, 1) << 9,
            (left & 255) | above(0, 3) << 8,
            (left & 3) | above(0, 1) << 2 | above(1, 2) << 5 | above(2, 2) << 10,
            (left & 4095) | above(0, 4) << 12,
            (left & 1) | above(0, 7) << 1,
            ((left & 127) | above(0, 5) << 7 | above(1, 3) << 18) * kPhi >> 12,
            above(0, 1) | above(1, 1) << 3 | above(2, 1) << 6 | (left & 31) << 9,
        };
        // Judged a bitmap: every pixel context is an input. Otherwise only the first is
        // looked up, to keep judging, and the mixers skip the eight inputs (most lanes with
        // rows are tables and records, where the large tables' misses cost more than they
        // save).
        judged = l.err_image < l.err_order2;
        p_image = m.image_maps[0].p(cx[0]);
        if (judged) {
          x[in++] = stretch[p_image];
          for (int i = 1; i < kImageContexts; ++i) x[in++] = stretch[m.image_maps[i].p(cx[i])];
          image_sel = int((left & 7) | above(0, 2) << 3);
          image_apm1 = (cx[1] | 1u << 25) * kPhi >> (32 - m.cfg.apm_bits);
          image_apm2 = (cx[2] | 1u << 24) * kPhi >> (32 - m.cfg.apm_bits);
        } else {
          std::fill_n(x + m.image_at, kImageContexts, 0);
        }
      } else {
        std::fill_n(x + m.image_at, kImageContexts, 0);
      }
    }
    const int sel[kLayer1] = {image_sel >= 0 ? kSets[0] + image_sel : int(c0), match_sel * 8 + bit, int(c1),
                              model_sel * 8 + bit, (known_orders * 8 + std::min(match_sel, 7)) * 8 + bit,
                              int(c2) * 8 + bit};
    const int active = m.image && !judged ? m.image_at : 0;
    int32_t* w[kBank];
    for (int i = 0; i < kBank; ++i) w[i] = i < m.layer1 ? l.layer1[i].select(x, sel[i], active) : m.spare.data();
    const int n1 = l.layer1[0].active();
    int32_t sums[kBank];
    mixer_dot_bank(x, w, n1, sums);
    for (int i = 0; i < m.layer1; ++i) m.x2[i] = l.layer1[i].finish(sums[i]);
    const int xm = l.layer2.mix(m.x2, image_sel >= 0 ? kLayer2Sets + image_sel
                                      : rev3     ? int(c0 + 256 * byte_class(uint8_t(c1)))
                                                 : int(c0));
    const uint32_t pm = l.layer2.p();
    // The second nibble's bucket is one of two once three bits are known: fetch both
    // while this bit is coded.
    if (bit == 4)
      for (size_t k = m.hashed_from; k < size_t(m.n); ++k) {
        m.table.prefetch(bucket_hash(l.h[k], (c0 << 1) - 15));
        m.table.prefetch(bucket_hash(l.h[k], (c0 << 1 | 1) - 15));
      }
    // Two APMs refine the mix: by the previous byte and the bits so far, and by the last
    // two bytes (hashed); in a bitmap, by two pixel contexts (hashed).
    const uint32_t a1 = m.apm1.map(image_sel >= 0 ? int(image_apm1) : o1_row, xm);
    uint32_t p;
    if (m.cfg.apm_order2) {
      const uint32_t a2 = m.apm2.map(image_sel >= 0 ? int(image_apm2) : o2_row_of(c0), xm);
      p = (2 * pm + a1 + a2 + 2) >> 2;
    } else {
      p = (pm + a1 + 1) >> 1;
    }
    p = std::clamp<uint32_t>(p, 32, 65504);
    const int y = coder.code(p, bit);
    // Learn.
    int32_t err[kBank] = {};
    int shift[kBank] = {};
    for (int i = 0; i < m.layer1; ++i) err[i] = l.layer1[i].error(y, shift[i]);
    mixer_train_bank(x, w, n1, err, shift);
    if (rev2 && model) m.apm_model.update(y != 0);
    l.layer2.update(y);
    m.apm1.update(y != 0);
    if (m.cfg.apm_order2) m.apm2.update(y != 0);
    {
      const int n = m.n;
      StateMap* maps = m.maps.data();
      uint8_t* const* state = m.state;
      for (int k = 0; k < n; ++k) {
        maps[k].update(y);
        *state[k] = bh.next[*state[k]][y];
      }
    }
    for (int f = 0; f < kFinders; ++f) m.match_map[f].update(y);
    if (image) {
      if (judged)
        for (int i = 0; i < kImageContexts; ++i) m.image_maps[i].update(y);
      else
        m.image_maps[0].update(y);
      auto sq = [&](uint32_t p) {
        const int64_t e = (int64_t(y) << 12) - int64_t(p >> 4);
        return e * e;
      };
      l.err_image += floor_shift(sq(p_image) - l.err_image, 10);
      l.err_order2 += floor_shift(sq(p_order2) - l.err_order2, 10);
    }
    c0 = c0 << 1 | uint32_t(y);
    j = j << 1 | uint32_t(y);
    if (bit > 0) prefetch_apms(c0);
  }
  const uint8_t b = uint8_t(c0);
  m.buf[l.base + l.history.t] = b;
  byte_end(l, b);
  return b;
}

void CmModel::byte_end(Lane& l, uint8_t b) {
  Impl& m = *m_;
  const size_t pos = l.base + l.history.t;  // b's position in the block
  m.indirect.learn(l.history.c2(), l.history.c1(), b);
  for (int f = 0; f < kFinders; ++f) m.finder[f].learn(l.match[f], m.buf, pos, l.history.t, m.lane_size, b);
  l.history.learn(b);
  context_hashes(l.history, m.buf + l.base, m.indirect, m.kinds, m.hashed_from, l.h);
}

}  // namespace shz::cm
