// The engine's hot kernels: int8 x int8 -> int32 products of a weight matrix with a batch of
// input rows, and the attention head's two products with its memory. Integer accumulation is
// exact, so every kernel (scalar, AVX2, AVX-512 VNNI, CUDA) returns identical numbers
// whatever its blocking; tests compare them all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sharnn_model.h"

namespace shz::sharnn {

enum class SimdLevel { kScalar = 0, kAvx2 = 1, kAvx512Vnni = 2 };

// Best level this CPU supports.
SimdLevel simd_detect();
// Levels this CPU can run, lowest first (for tests and benchmarks).
std::vector<SimdLevel> simd_available();
const char* simd_name(SimdLevel l);
// scalar|avx2|avx512|auto (auto: simd_detect()); throws Error(kUsage) for an unknown name
// or a level this CPU lacks.
SimdLevel simd_parse(const std::string& name);

// A weight matrix laid out for one kernel.
struct PackedMatrix {
  SimdLevel level = SimdLevel::kScalar;
  int rows = 0, cols = 0;
  int rows_pad = 0, cols_pad = 0;
  std::vector<int8_t> w8;    // scalar: [rows][cols]; VNNI: [rows_pad/16][cols_pad/4][16][4]
  std::vector<int16_t> w16;  // AVX2: [rows_pad/8][cols_pad/2][8][2]
  std::vector<int32_t> row_sum;  // VNNI: 128 * (sum of each row), padded to rows_pad
};

PackedMatrix matrix_pack(const QLinear& q, SimdLevel level);

// acc[r * rows + o] = sum_i x[r * cols + i] * W[o][i], for r < k, o < rows.
// Preconditions: cols <= 32768 (so sums stay below 2^31), x values in [-127, 127].
void matmul(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc);

// The attention memory of one stream: `window` int8 rows of d values, addressed by ring
// position. Each level keeps the layouts its kernels read fastest; the values are the same.
struct AttnMemory {
  SimdLevel level = SimdLevel::kScalar;
  int window = 0, d = 0;
  int wpad = 0;              // SIMD: window rounded up to the position lanes (a multiple of 8)
  std::vector<int8_t> rows;  // scalar: [window][d]
  // SIMD, lanes are positions (the scores): [wpad/L][d/2][L][2], L = 16 (AVX-512) or 8
  // (AVX2): a block of L positions holds, for each pair of columns, L pairs of values.
  std::vector<int8_t> by_pos;
  // SIMD, lanes are columns (the mix): chunks of up to kMixChunk columns, each
  // [wpad/4][chunk width][4], so a quad of positions is one sequential run per chunk.
  std::vector<int8_t> by_col;
};
constexpr int kMixChunk = 128;

void attn_memory_init(AttnMemory& m, SimdLevel level, int window, int d);
// Stores `row` (d int8 values) at ring position `pos`.
void attn_memory_write(AttnMemory& m, int pos, const int8_t* row);
// Reads ring position `pos` back into `row` (d values; for tests comparing backends).
void attn_memory_read(const AttnMemory& m, int pos, int8_t* row);

// Attention scores: scores[j] = sum_i q[i] * mem_j[i] for positions j < n, exactly.
// Preconditions: |q[i]| <= 32767, d a multiple of 16 and <= 4096.
void attn_scores(const AttnMemory& m, const int16_t* q, int n, int64_t* scores);

// Attention mix: acc[i] = sum_j p[j] * mem_j[i] for i < d, exactly in int32.
// Precondition: 0 <= p[j] <= 32767 and sum_j p[j] <= 2^15, so |acc[i]| < 2^22.
void attn_mix(const AttnMemory& m, const int32_t* p, int n, int32_t* acc);

// Per-kernel entry points (the functions above dispatch to these).
void matmul_scalar(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc);
void matmul_avx2(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc);
void matmul_avx512(const PackedMatrix& m, const int8_t* x, int k, int32_t* acc);
void attn_scores_avx2(const AttnMemory& m, const int16_t* q, int n, int64_t* scores);
void attn_scores_avx512(const AttnMemory& m, const int16_t* q, int n, int64_t* scores);
void attn_mix_avx2(const AttnMemory& m, const int32_t* p, int n, int32_t* acc);
void attn_mix_avx512(const AttnMemory& m, const int32_t* p, int n, int32_t* acc);

}  // namespace shz::sharnn
