#include "kernels.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "shz/shz.h"

namespace shz::sharnn {

SimdLevel simd_detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vnni"))
    return SimdLevel::kAvx512Vnni;
  if (__builtin_cpu_supports("avx2")) return SimdLevel::kAvx2;
#endif
  return SimdLevel::kScalar;
}

std::vector<SimdLevel> simd_available() {
  std::vector<SimdLevel> v;
  for (int l = 0; l <= int(simd_detect()); ++l) v.push_back(SimdLevel(l));
  return v;
}

const char* simd_name(SimdLevel l) {
  switch (l) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512Vnni: return "avx512";
  }
  return "?";
}

SimdLevel simd_parse(const std::string& name) {
  if (name == "auto" || name.empty()) return simd_detect();
  SimdLevel l;
  if (name == "scalar") l = SimdLevel::kScalar;
  else if (name == "avx2") l = SimdLevel::kAvx2;
  else if (name == "avx512") l = SimdLevel::kAvx512Vnni;
  else throw Error(ErrorCode::kUsage, "unknown SIMD level '" + name + "' (scalar, avx2, avx512, auto)");
  if (int(l) > int(simd_detect()))
    throw Error(ErrorCode::kUsage, std::string("this CPU lacks the SIMD level ") + simd_name(l));
  return l;
}


PackedMatrix matrix_pack(const QLinear& q, SimdLevel level) {
  PackedMatrix p;
  p.level = level;
  p.rows = q.rows;
  p.cols = q.cols;
  auto at = [&](int r, int c) -> int8_t {
    return r < q.rows && c < q.cols ? q.w[size_t(r) * size_t(q.cols) + size_t(c)] : int8_t(0);
  };
  switch (level) {
    case SimdLevel::kScalar:
      p.rows_pad = q.rows;
      p.cols_pad = q.cols;
      p.w8 = q.w;
      break;
    case SimdLevel::kAvx2:  // pairs of columns for 8 rows: one vpmaddwd per 16 products
      p.rows_pad = (q.rows + 7) / 8 * 8;
      p.cols_pad = (q.cols + 1) / 2 * 2;
      p.w16.reserve(size_t(p.rows_pad) * size_t(p.cols_pad));
      for (int rb = 0; rb < p.rows_pad; rb += 8)
        for (int c = 0; c < p.cols_pad; c += 2)
          for (int r = rb; r < rb + 8; ++r) {
            p.w16.push_back(at(r, c));
            p.w16.push_back(at(r, c + 1));
          }
      break;
    case SimdLevel::kAvx512Vnni:  // quads of columns for 16 rows: one vpdpbusd per 64 products
      p.rows_pad = (q.rows + 15) / 16 * 16;
      p.cols_pad = (q.cols + 3) / 4 * 4;
      p.w8.reserve(size_t(p.rows_pad) * size_t(p.cols_pad));
      for (int rb = 0; rb < p.rows_pad; rb += 16)
        for (int c = 0; c < p.cols_pad; c += 4)
          for (int r = rb; r < rb + 16; ++r)
            for (int j = 0; j < 4; ++j) p.w8.push_back(at(r, c + j));
      p.row_sum.assign(size_t(p.rows_pad), 0);  // the kernel reads whole blocks
      for (int r = 0; r < q.rows; ++r) p.row_sum[size_t(r)] = 128 * q.row_sum[size_t(r)];
      break;
  }
  return p;
}

void matmul_scalar(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc) {
  for (int r = 0; r < k; ++r) {
    const int8_t* xr = x + size_t(r) * size_t(m.cols);
    for (int o = 0; o < m.rows; ++o) {
      const int8_t* w = m.w8.data() + size_t(o) * size_t(m.cols);
      int32_t s = 0;
      for (int i = 0; i < m.cols; ++i) s += int32_t(xr[i]) * int32_t(w[i]);
      acc[size_t(r) * size_t(m.rows) + size_t(o)] = s;
    }
  }
}

namespace {
int pos_lanes(SimdLevel l) { return l == SimdLevel::kAvx512Vnni ? 16 : 8; }
}  // namespace

void attn_memory_init(AttnMemory& m, SimdLevel level, int window, int d) {
  m.level = level;
  m.window = window;
  m.d = d;
  if (level == SimdLevel::kScalar) {
    m.rows.assign(size_t(window) * size_t(d), 0);
    return;
  }
  const int lanes = pos_lanes(level);
  const size_t wpad = size_t((window + lanes - 1) / lanes * lanes);  // a multiple of 4 too
  m.wpad = int(wpad);
  m.by_pos.assign(wpad * size_t(d), 0);
  m.by_col.assign(wpad * size_t(d), 0);
}

void attn_memory_write(AttnMemory& m, int pos, const int8_t* row) {
  const size_t d = size_t(m.d);
  if (m.level == SimdLevel::kScalar) {
    std::copy(row, row + d, m.rows.begin() + long(size_t(pos) * d));
    return;
  }
  const size_t lanes = size_t(pos_lanes(m.level));
  int8_t* blk = m.by_pos.data() + size_t(pos) / lanes * lanes * d;
  const size_t lane = size_t(pos) % lanes;
  for (size_t i = 0; i < d; ++i) blk[((i / 2) * lanes + lane) * 2 + (i % 2)] = row[i];
  const size_t wpad = size_t(m.wpad), chunk = size_t(kMixChunk);
  for (size_t c0 = 0; c0 < d; c0 += chunk) {
    const size_t cw = d - c0 < chunk ? d - c0 : chunk;
    int8_t* run = m.by_col.data() + c0 * wpad + size_t(pos) / 4 * cw * 4 + size_t(pos) % 4;
    for (size_t i = 0; i < cw; ++i) run[4 * i] = row[c0 + i];
  }
}

void attn_memory_read(const AttnMemory& m, int pos, int8_t* row) {
  const size_t d = size_t(m.d);
  if (m.level == SimdLevel::kScalar) {
    std::copy(m.rows.begin() + long(size_t(pos) * d), m.rows.begin() + long(size_t(pos + 1) * d), row);
    return;
  }
  const size_t lanes = size_t(pos_lanes(m.level));
  const int8_t* blk = m.by_pos.data() + size_t(pos) / lanes * lanes * d;
  const size_t lane = size_t(pos) % lanes;
  for (size_t i = 0; i < d; ++i) row[i] = blk[((i / 2) * lanes + lane) * 2 + (i % 2)];
}

void attn_scores(const AttnMemory& m, const int16_t* q, int n, int64_t* scores) {
  assert(m.d % 16 == 0 && m.d <= 4096 && n <= m.window);
  if (m.level == SimdLevel::kAvx512Vnni) return attn_scores_avx512(m, q, n, scores);
  if (m.level == SimdLevel::kAvx2) return attn_scores_avx2(m, q, n, scores);
  for (int j = 0; j < n; ++j) {
    const int8_t* k = m.rows.data() + size_t(j) * size_t(m.d);
    int64_t s = 0;
    for (int i = 0; i < m.d; ++i) s += int64_t(q[i]) * k[i];
    scores[j] = s;
  }
}

void attn_mix(const AttnMemory& m, const int32_t* p, int n, int32_t* acc) {
#ifndef NDEBUG
  int64_t total = 0;
  for (int j = 0; j < n; ++j) {
    assert(p[j] >= 0 && p[j] <= 32767);
    total += p[j];
  }
  assert(total <= 32768);
#endif
  if (m.level == SimdLevel::kAvx512Vnni) return attn_mix_avx512(m, p, n, acc);
  if (m.level == SimdLevel::kAvx2) return attn_mix_avx2(m, p, n, acc);
  for (int i = 0; i < m.d; ++i) acc[i] = 0;
  for (int j = 0; j < n; ++j) {
    if (p[j] == 0) continue;
    const int8_t* v = m.rows.data() + size_t(j) * size_t(m.d);
    for (int i = 0; i < m.d; ++i) acc[i] += p[j] * v[i];
  }
}

void matmul(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc) {
  assert(m.cols <= 32768);
#ifndef NDEBUG
  for (size_t i = 0; i < size_t(k) * size_t(m.cols); ++i) assert(x[i] >= -127);
#endif
  switch (m.level) {
    case SimdLevel::kScalar: return matmul_scalar(m, x, k, acc);
    case SimdLevel::kAvx2: return matmul_avx2(m, x, k, acc);
    case SimdLevel::kAvx512Vnni: return matmul_avx512(m, x, k, acc);
  }
}

}  // namespace shz::sharnn
