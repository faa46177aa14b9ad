#include "cm_model.h"

#include <algorithm>
#include <cstring>

#include "logistic.h"

namespace shz::cm {
namespace {

constexpr uint32_t kPhi = 0x9E3779B1u;
constexpr int kMaxContexts = 24;
constexpr int kInputsPerContext = 2;
constexpr int kFinders = 2;
constexpr int kLayer1 = 5;  // first-layer mixers, each selected by its own context
constexpr uint32_t kMaxMatch = 65535;
constexpr int kMaxVerify = 48;  // a new match's length is counted back this far at most

// A 32-bit finaliser (xorshift-multiply, as in MurmurHash3's fmix32): every input bit moves
// about half of the output bits, so both the bucket index (top bits) and the check (low
// bits) are well spread.
constexpr uint32_t fmix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}
constexpr uint32_t hash_ctx(uint32_t kind, uint64_t v) {
  return fmix(uint32_t(v) * kPhi + fmix(uint32_t(v >> 32) + kind * 0x632BE5ABu));
}
constexpr uint32_t hash_ctx(uint32_t kind, uint32_t a, uint32_t b) {
  return fmix(fmix(a + kind * 0x632BE5ABu) + b * kPhi);
}

// A letter for the word contexts: ASCII letters (upper case folded) and every byte >= 128
// (UTF-8 of other scripts); 0 for anything else.
uint32_t word_char(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32u;
  if ((c >= 'a' && c <= 'z') || c >= 128) return c;
  return 0;
}

// Bucket of a match length for the mixer's selector and the StateMap: 0 (none), then
// 1..15 growing about logarithmically past 8.
int length_bucket(uint32_t len) {
  if (len == 0) return 0;
  if (len < 8) return int(len);
  if (len < 16) return 8 + int((len - 8) >> 2);
  if (len < 32) return 10 + int((len - 16) >> 3);
  if (len < 64) return 12;
  if (len < 256) return 13;
  if (len < 1024) return 14;
  return 15;
}

// The bucket of a context with hash h for nibble `nib` of the byte: 0 for the first, 1 + the
// first nibble's value for the second.
constexpr uint32_t bucket_hash(uint32_t h, uint32_t nib) { return nib == 0 ? h : fmix(h + nib * kPhi); }

struct ContextKind {
  Ctx flag;
  int count;  // contexts it adds
};
constexpr ContextKind kKinds[] = {
    {kOrder0, 1}, {kOrder1, 1}, {kOrder2, 1}, {kOrder3, 1},   {kOrder4, 1},    {kOrder5, 1},   {kOrder6, 1},
    {kOrder8, 1}, {kWord, 1},   {kWordPair, 1}, {kSparse, 3}, {kColumn, 2}, {kIndirect, 2}, {kRecord, 2},
    {kWordText, 1}, {kWordSkip, 2},
};

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
  size_t t = 0;               // bytes coded so far
  uint64_t hist = 0;          // the last 8 bytes, the latest in the low byte (0 before the start)
  uint32_t word0 = 0, word1 = 0, word2 = 0;  // hashes of the word being written and the two before
  size_t line = 0;            // offset of the current line's first byte
  size_t prev_line = 0, prev_len = 0;  // the previous line's first byte and length
  bool has_prev_line = false;
  // Record detection: the last four offsets (+1) of each byte value, and the candidates.
  uint32_t cpos[4][256];
  uint32_t rlen = 0, rlen1 = 0, rcount1 = 0, rlen2 = 0, rcount2 = 0;
  uint32_t mptr[kFinders] = {}, mlen[kFinders] = {};  // current matches: next byte's position, length
  uint32_t h[kMaxContexts] = {};                      // context hashes of the next byte
};

struct CmModel::Impl {
  CmConfig cfg;
  uint8_t* buf = nullptr;
  size_t size = 0, lane_size = 1;
  std::vector<Ctx> kinds;  // one per context, in input order
  int hashed_from = 0;     // contexts [hashed_from, n) live in the bucket table
  int n = 0;               // contexts
  int inputs = 0;
  BucketTable table;
  std::vector<uint8_t> order0, order1;  // direct contexts: 17 nibble buckets per context
  std::vector<StateMap> maps;
  std::vector<uint32_t> finder[kFinders];
  StateMap match_map[kFinders];
  std::vector<uint16_t> ind1, ind2;  // the two bytes that followed each last byte / last two bytes
  // The mixers, one set per lane: lanes are different parts of the block, and a mixer that
  // follows one part's habits helps it more than one that averages over all of them
  // (the tables above, shared, are where lanes learn from each other).
  struct LaneMixers {
    Mixer layer1[kLayer1], layer2;
  };
  std::vector<LaneMixers> mixers;
  Apm<12, 1024> apm1, apm2;
  std::vector<int32_t> x;  // the inputs of one bit
  int32_t x2[Mixer::padded(kLayer1)] = {};  // the first layer's outputs
  uint8_t* cur[kMaxContexts];  // each context's bucket for the current nibble
  uint8_t* state[kMaxContexts];

  // Whether buf[q] is known to the decoder at this point: coded already in its lane.
  bool known(const std::vector<Lane>& lanes, size_t q) const {
    const size_t j = q / lane_size;
    return j < lanes.size() && q - j * lane_size < lanes[j].t;
  }
};

CmModel::CmModel() : m_(std::make_unique<Impl>()) {}
CmModel::~CmModel() = default;
size_t CmModel::lanes() const { return lanes_.size(); }
size_t CmModel::coded(size_t lane) const { return lanes_[lane].t; }

void CmModel::reset(const CmConfig& cfg, uint8_t* buf, size_t size, size_t lane_size) {
  Impl& m = *m_;
  m.cfg = cfg;
  m.buf = buf;
  m.size = size;
  m.lane_size = std::max<size_t>(lane_size, 1);
  m.kinds.clear();
  for (const ContextKind& k : kKinds)
    if (cfg.contexts & k.flag)
      for (int i = 0; i < k.count; ++i) m.kinds.push_back(k.flag);
  m.n = int(m.kinds.size());
  m.hashed_from = int(std::count(m.kinds.begin(), m.kinds.end(), kOrder0) +
                      std::count(m.kinds.begin(), m.kinds.end(), kOrder1));
  m.table.reset(cfg.table_bits);
  m.order0.assign(17 * 16, 0);
  m.order1.assign(256 * 17 * 16, 0);
  // Each StateMap starts from what its state's counts say: (n1 + 1/2) / (n0 + n1 + 1).
  const BitHistoryTable& bh = bit_history();
  uint16_t p0[256];
  for (int s = 0; s < 256; ++s)
    p0[s] = s < bh.count ? uint16_t(std::clamp((2 * bh.n1[s] + 1) * 32768 / (bh.n0[s] + bh.n1[s] + 1), 64, 65472))
                         : 32768;
  m.maps.assign(size_t(m.n), StateMap());
  for (StateMap& sm : m.maps) sm.reset(256, cfg.counter_limit, p0);
  for (int f = 0; f < kFinders; ++f) {
    m.finder[f].assign(cfg.match_min[f] ? size_t(1) << cfg.match_bits : 0, 0);
    m.match_map[f].reset(64, 1023);
  }
  m.ind1.assign(256, 0);
  m.ind2.assign(65536, 0);
  m.inputs = m.n * kInputsPerContext + kFinders * 2 + 2 + 1;
  m.x.assign(size_t(Mixer::padded(m.inputs)), 0);
  const int sets[kLayer1] = {256, 32 * 8, 256, 17 * 8, 72 * 8};
  Impl::LaneMixers fresh;
  for (int i = 0; i < kLayer1; ++i) fresh.layer1[i].reset(m.inputs, sets[i], 1 << 12, cfg.mixer_shift);
  fresh.layer2.reset(kLayer1, 256, 65536 / kLayer1, cfg.mixer_shift);
  const int apm_rows = 1 << cfg.apm_bits;
  m.apm1.reset(apm_rows);
  m.apm2.reset(cfg.apm_order2 ? apm_rows : 1);

  const size_t count = size == 0 ? 0 : (size + m.lane_size - 1) / m.lane_size;
  lanes_.assign(count, Lane());
  m.mixers.assign(count, fresh);
  for (size_t i = 0; i < count; ++i) {
    Lane& l = lanes_[i];
    l.base = i * m.lane_size;
    l.size = std::min(m.lane_size, size - l.base);
    std::memset(l.cpos, 0, sizeof l.cpos);
  }
  for (Lane& l : lanes_) hashes(l);
}

// The hashed contexts of lane l's next byte, from its history (bytes before the lane's
// start count as 0).
void CmModel::hashes(Lane& l) {
  Impl& m = *m_;
  const uint64_t h8 = l.hist;
  const uint32_t c1 = uint32_t(h8 & 255), c2 = uint32_t(h8 >> 8 & 255);
  const uint8_t* lane = m.buf + l.base;
  const uint32_t col = uint32_t(std::min<size_t>(l.t - l.line, 255));
  uint32_t above = 0;
  if (l.has_prev_line && l.t - l.line < l.prev_len) above = lane[l.prev_line + (l.t - l.line)];
  uint32_t r1 = 0, r2 = 0;
  if (l.rlen && l.t >= l.rlen) r1 = lane[l.t - l.rlen];
  if (l.rlen && l.t >= 2 * l.rlen) r2 = lane[l.t - 2 * l.rlen];
  int i = m.hashed_from;
  int sparse = 0, column = 0, indirect = 0, record = 0, skip = 0;
  for (int k = m.hashed_from; k < m.n; ++k) {
    uint32_t v = 0;
    switch (m.kinds[size_t(k)]) {
      case kOrder2: v = hash_ctx(2, h8 & 0xFFFF); break;
      case kOrder3: v = hash_ctx(3, h8 & 0xFFFFFF); break;
      case kOrder4: v = hash_ctx(4, h8 & 0xFFFFFFFF); break;
      case kOrder5: v = hash_ctx(5, h8 & 0xFFFFFFFFFF); break;
      case kOrder6: v = hash_ctx(6, h8 & 0xFFFFFFFFFFFF); break;
      case kOrder8: v = hash_ctx(8, h8); break;
      case kWord: v = l.word0 ? hash_ctx(9, l.word0, 0) : hash_ctx(9, 0, c1 + 1); break;
      case kWordPair: v = hash_ctx(10, l.word0, l.word1); break;
      case kWordText: v = hash_ctx(11, l.word1 + l.word2 * kPhi, c1); break;
      case kWordSkip:
        v = skip == 0 ? hash_ctx(21, l.word0, l.word2) : hash_ctx(22, l.word1, l.word2 + c1 * kPhi);
        ++skip;
        break;
      case kSparse:
        if (sparse == 0) v = hash_ctx(12, uint32_t(h8 >> 8 & 0xFFFF), 0);
        if (sparse == 1) v = hash_ctx(13, uint32_t(h8 & 0xFF) | uint32_t(h8 >> 8 & 0xFF00), 0);
        if (sparse == 2) v = hash_ctx(14, uint32_t(h8 >> 24 & 0xFF), uint32_t(h8 >> 32 & 0xFF));
        ++sparse;
        break;
      case kColumn:
        v = column == 0 ? hash_ctx(15, above, col) : hash_ctx(16, above, c1);
        ++column;
        break;
      case kIndirect:
        v = indirect == 0 ? hash_ctx(17, c1, m.ind1[c1]) : hash_ctx(18, c2 << 8 | c1, m.ind2[c2 << 8 | c1]);
        ++indirect;
        break;
      case kRecord:
        v = record == 0 ? hash_ctx(19, r1 << 8 | c1, l.rlen) : hash_ctx(20, r1 << 8 | r2, l.rlen);
        ++record;
        break;
      default: break;
    }
    l.h[i++] = v;
  }
}

void CmModel::prefetch(size_t lane) const {
  const Lane& l = lanes_[lane];
  const Impl& m = *m_;
  for (int k = m.hashed_from; k < m.n; ++k) m.table.prefetch(bucket_hash(l.h[k], 0));
}

}  // namespace shz::cm

namespace shz::cm {

uint8_t CmModel::code(size_t lane, const ModelBits& mb, BitCoder& coder) {
  Impl& m = *m_;
  Lane& l = lanes_[lane];
  const BitHistoryTable& bh = bit_history();
  const int16_t* stretch = logistic::stretch_table();
  const uint32_t c1 = uint32_t(l.hist & 255), c2 = uint32_t(l.hist >> 8 & 255);
  const bool model = mb.path || mb.cum;
  // The matches' expected bytes, where the byte they point at is known.
  int expected[kFinders];
  for (int f = 0; f < kFinders; ++f) {
    expected[f] = -1;
    if (l.mlen[f] > 0) {
      if (m.known(lanes_, l.mptr[f]))
        expected[f] = m.buf[l.mptr[f]];
      else
        l.mlen[f] = 0;
    }
  }
  int32_t* x = m.x.data();
  uint32_t c0 = 1, j = 1;
  for (int bit = 7; bit >= 0; --bit) {
    if (bit == 7 || bit == 3) {
      const uint32_t nib = bit == 7 ? 0 : c0 - 15;  // 0, or 1 + the first nibble
      int k = 0;
      for (; k < m.n && m.kinds[size_t(k)] == kOrder0; ++k) m.cur[k] = &m.order0[nib * 16];
      for (; k < m.n && m.kinds[size_t(k)] == kOrder1; ++k) m.cur[k] = &m.order1[(c1 * 17 + nib) * 16];
      for (; k < m.n; ++k) m.cur[k] = m.table.find(bucket_hash(l.h[k], nib));
      j = 1;
    }
    // Inputs: each context's bit history through its StateMap, as a stretched probability
    // and as a probability (which weighs confident states more).
    StateMap* maps = m.maps.data();
    int in = 0;
    int known = 0;  // the order contexts that have seen this decision
    for (int k = 0; k < m.n; ++k) {
      m.state[k] = &m.cur[k][j];
      if (m.kinds[size_t(k)] <= kOrder8 && *m.state[k]) ++known;
      const uint32_t p = maps[k].p(*m.state[k]);
      if (*m.state[k] == 0) {  // never seen: no opinion
        x[in++] = 0;
        x[in++] = 0;
      } else {
        x[in++] = stretch[p];
        x[in++] = (int32_t(p) - 32768) >> 6;
      }
    }
    int match_sel = 0;
    for (int f = 0; f < kFinders; ++f) {
      int ctx = 0, eb = 0;
      if (expected[f] >= 0 && uint32_t(expected[f] + 256) >> (bit + 1) == c0) {
        eb = expected[f] >> bit & 1;
        ctx = length_bucket(l.mlen[f]) * 2 + eb;
      }
      const uint32_t p = m.match_map[f].p(uint32_t(ctx));
      x[in++] = stretch[p];
      x[in++] = ctx ? (eb ? 1 : -1) * std::min<int32_t>(int32_t(l.mlen[f]) * 32, 1024) : 0;
      if (f == 0) match_sel = ctx;
    }
    int model_sel = 0;
    if (model) {
      const uint32_t p = mb.p1(bit, c0);
      x[in++] = stretch[p];
      x[in++] = (int32_t(p) - 32768) >> 6;
      model_sel = 1 + std::min(std::abs(int(stretch[p])) >> 7, 15);
    } else {
      x[in++] = 0;
      x[in++] = 0;
    }
    x[in++] = 256;
    const int sel[kLayer1] = {int(c0), match_sel * 8 + bit, int(c1), model_sel * 8 + bit,
                              (known * 8 + std::min(match_sel, 7)) * 8 + bit};
    Mixer* l1 = m.mixers[lane].layer1;
    Mixer* l2 = &m.mixers[lane].layer2;
    for (int i = 0; i < kLayer1; ++i) m.x2[i] = l1[i].mix(x, sel[i]);
    const int xm = l2->mix(m.x2, int(c0));
    const uint32_t pm = l2->p();
    // The second nibble's bucket is one of two once three bits are known: fetch both
    // while this bit is coded.
    if (bit == 4)
      for (int k = m.hashed_from; k < m.n; ++k) {
        m.table.prefetch(bucket_hash(l.h[k], (c0 << 1) - 15));
        m.table.prefetch(bucket_hash(l.h[k], (c0 << 1 | 1) - 15));
      }
    const uint32_t o1 = c0 | c1 << 8;
    const uint32_t a1 = m.apm1.map(int(m.cfg.apm_bits == 16 ? o1 : o1 * kPhi >> (32 - m.cfg.apm_bits)), xm);
    uint32_t p;
    if (m.cfg.apm_order2) {
      const uint32_t a2 = m.apm2.map(int((c0 | c1 << 8 | c2 << 16) * kPhi >> (32 - m.cfg.apm_bits)), xm);
      p = (2 * pm + a1 + a2 + 2) >> 2;
    } else {
      p = (pm + a1 + 1) >> 1;
    }
    p = std::clamp<uint32_t>(p, 32, 65504);
    const int y = coder.code(p, bit);
    // Learn.
    for (int i = 0; i < kLayer1; ++i) l1[i].update(y);
    l2->update(y);
    m.apm1.update(y != 0);
    if (m.cfg.apm_order2) m.apm2.update(y != 0);
    for (int k = 0; k < m.n; ++k) {
      maps[k].update(y);
      *m.state[k] = bh.next[*m.state[k]][y];
    }
    for (int f = 0; f < kFinders; ++f) m.match_map[f].update(y);
    c0 = c0 << 1 | uint32_t(y);
    j = j << 1 | uint32_t(y);
  }
  const uint8_t b = uint8_t(c0);
  m.buf[l.base + l.t] = b;
  byte_end(l, b);
  return b;
}

// After byte b of lane l: its history, words, lines, records, the indirect tables and the
// matches learn it, and the next byte's contexts are hashed.
void CmModel::byte_end(Lane& l, uint8_t b) {
  Impl& m = *m_;
  const uint32_t c1 = uint32_t(l.hist & 255), c2 = uint32_t(l.hist >> 8 & 255);
  m.ind1[c1] = uint16_t(m.ind1[c1] << 8 | b);
  m.ind2[c2 << 8 | c1] = uint16_t(m.ind2[c2 << 8 | c1] << 8 | b);
  const size_t pos = l.base + l.t;  // b's position in the block
  // Matches: follow on, or look for a new one (the latest earlier occurrence of the last
  // match_min bytes, checked byte by byte within known bytes of one lane).
  for (int f = 0; f < kFinders; ++f) {
    const int min = m.cfg.match_min[f];
    if (!min) continue;
    if (l.mlen[f] > 0) {
      if (m.buf[l.mptr[f]] == b && l.mlen[f] < kMaxMatch) {
        ++l.mlen[f];
        ++l.mptr[f];
      } else {
        l.mlen[f] = 0;
      }
    }
    if (l.t + 1 < size_t(min)) continue;
    uint32_t h = uint32_t(f + 1) * kPhi;
    for (int i = 0; i < min; ++i) h = (h ^ m.buf[pos - size_t(i)]) * kPhi;
    h = fmix(h) >> (32 - m.cfg.match_bits);
    uint32_t& slot = m.finder[f][h];
    if (l.mlen[f] == 0 && slot != 0) {
      const size_t cand = slot;  // the position after the earlier occurrence
      const size_t cand_lane_start = (cand - 1) / m.lane_size * m.lane_size;
      uint32_t n = 0;
      while (n < uint32_t(kMaxVerify) && n <= l.t && cand - 1 >= cand_lane_start + n &&
             m.buf[cand - 1 - n] == m.buf[pos - n])
        ++n;
      if (n >= uint32_t(min)) {
        l.mlen[f] = n;
        l.mptr[f] = uint32_t(cand);
      }
    }
    slot = uint32_t(pos + 1);
  }
  // Words: letters extend the current word; anything else ends it.
  if (const uint32_t w = word_char(b)) {
    l.word0 = (l.word0 ^ w) * kPhi + 1;
  } else if (l.word0) {
    l.word2 = l.word1;
    l.word1 = l.word0;
    l.word0 = 0;
  }
  // Lines.
  if (b == '\n') {
    l.prev_line = l.line;
    l.prev_len = l.t + 1 - l.line;
    l.has_prev_line = true;
    l.line = l.t + 1;
  }
  // Records: a byte value seen at four equal distances suggests a record of that length;
  // one candidate seen 16 times more than another becomes the record length.
  {
    const uint32_t now = uint32_t(l.t + 1);
    const uint32_t r = now - l.cpos[0][b];
    if (l.cpos[3][b] && r > 1 && r == l.cpos[0][b] - l.cpos[1][b] && r == l.cpos[1][b] - l.cpos[2][b] &&
        r == l.cpos[2][b] - l.cpos[3][b]) {
      if (r == l.rlen1) {
        ++l.rcount1;
      } else if (r == l.rlen2) {
        ++l.rcount2;
      } else if (l.rcount1 > l.rcount2) {
        l.rlen2 = r;
        l.rcount2 = 1;
      } else {
        l.rlen1 = r;
        l.rcount1 = 1;
      }
      if (l.rcount1 > 16 && l.rlen != l.rlen1) {
        l.rlen = l.rlen1;
        l.rcount1 = l.rcount2 = 0;
      }
      if (l.rcount2 > 16 && l.rlen != l.rlen2) {
        l.rlen = l.rlen2;
        l.rcount1 = l.rcount2 = 0;
      }
    }
    l.cpos[3][b] = l.cpos[2][b];
    l.cpos[2][b] = l.cpos[1][b];
    l.cpos[1][b] = l.cpos[0][b];
    l.cpos[0][b] = now;
  }
  l.hist = l.hist << 8 | b;
  ++l.t;
  hashes(l);
}

}  // namespace shz::cm
