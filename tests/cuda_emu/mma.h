// The CUDA emulator's WMMA (see cuda_runtime.h): 16x16x16 int8 tiles with int32 accumulation.
// On a GPU a fragment is spread over the warp's lanes in an undocumented layout; here every
// lane holds the whole tile, which is equivalent for code that only loads, multiplies and
// stores fragments (as shz's does). Each operation is warp-wide: all 32 lanes must reach it.
// The pointer and stride rules a GPU imposes (256-bit aligned tiles; a stride of a multiple
// of 16 bytes) are checked.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cuda_emu.h"

namespace nvcuda::wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static_assert(M == 16 && N == 16 && K == 16, "only 16x16x16 tiles are emulated");
  T x[256];  // [row][column] of the tile, whatever the memory layout it came from
  static constexpr int num_elements = 256;
};

namespace detail {
inline void check_tile(const void* p, unsigned ldm, size_t elem) {
  if (reinterpret_cast<uintptr_t>(p) % 32 != 0) cuda_emu::fail("WMMA tile pointer not 256-bit aligned");
  if ((size_t(ldm) * elem) % 16 != 0) cuda_emu::fail("WMMA stride not a multiple of 16 bytes");
}
}  // namespace detail

template <class Use, class T, class Layout>
void fill_fragment(fragment<Use, 16, 16, 16, T, Layout>& f, T v) {
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);
  for (auto& e : f.x) e = v;
}

// A(i, k) or B(k, j): element (r, c) of the tile from a row-major (p[r * ldm + c]) or a
// column-major (p[c * ldm + r]) layout.
template <class Use, class T, class Layout>
void load_matrix_sync(fragment<Use, 16, 16, 16, T, Layout>& f, const T* p, unsigned ldm) {
  static_assert(!std::is_same_v<Use, accumulator>, "accumulators are not loaded here");
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);
  detail::check_tile(p, ldm, sizeof(T));
  constexpr bool row = std::is_same_v<Layout, row_major>;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) f.x[r * 16 + c] = row ? p[r * ldm + c] : p[c * ldm + r];
}

// D = A B + C, computed once for the warp (by lane 0, after checking that every lane holds
// the same fragments) and handed to every lane.
template <class TA, class LA, class TB, class LB>
void mma_sync(fragment<accumulator, 16, 16, 16, int>& d, const fragment<matrix_a, 16, 16, 16, TA, LA>& a,
              const fragment<matrix_b, 16, 16, 16, TB, LB>& b, const fragment<accumulator, 16, 16, 16, int>& c) {
  static_assert(sizeof(TA) == 1 && sizeof(TB) == 1, "only int8 products are emulated");
  struct Operands {
    const void *a, *b, *c;
  };
  const int lane = cuda_emu::lane_id();
  // Each lane leaves its operands' addresses in its slot (3 pointers do not fit: scratch).
  auto* ops = static_cast<Operands*>(cuda_emu::warp_scratch());
  int* out = reinterpret_cast<int*>(static_cast<unsigned char*>(cuda_emu::warp_scratch()) + 32 * sizeof(Operands));
  static_assert(32 * sizeof(Operands) + 256 * sizeof(int) <= cuda_emu::kWarpScratch, "scratch");
  ops[lane] = {&a, &b, &c};
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);
  if (lane == 0) {
    for (int l = 1; l < 32; ++l)
      if (std::memcmp(ops[l].a, &a, sizeof a) || std::memcmp(ops[l].b, &b, sizeof b) ||
          std::memcmp(ops[l].c, &c, sizeof c))
        cuda_emu::fail("lanes of a warp hold different WMMA fragments");
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j) {
        int s = c.x[i * 16 + j];
        for (int k = 0; k < 16; ++k) s += int(a.x[i * 16 + k]) * int(b.x[k * 16 + j]);
        out[i * 16 + j] = s;
      }
  }
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);
  std::memcpy(d.x, out, sizeof d.x);
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);  // scratch stays until all have copied
}

inline void store_matrix_sync(int* p, const fragment<accumulator, 16, 16, 16, int>& f, unsigned ldm, layout_t l) {
  cuda_emu::warp_barrier(0xffffffffu, cuda_emu::WarpOp::kMatrix);
  detail::check_tile(p, ldm, sizeof(int));
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) p[l == mem_row_major ? i * ldm + j : j * ldm + i] = f.x[i * 16 + j];
}

}  // namespace nvcuda::wmma
