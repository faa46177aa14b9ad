// The CUDA emulator's machinery (see cuda_runtime.h): launches, the running thread's indices,
// barriers and warp exchanges. Kernels run synchronously on the calling thread, or are
// recorded while a stream capture is open and run when the graph is launched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_emu {

struct Stream;
struct Event;
struct Graph;
Stream* per_thread_stream();

// The indices of the GPU thread now running.
const dim3& thread_idx();
const dim3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();

// Reports a misuse a GPU would punish (hang, fault or undefined result) and aborts.
[[noreturn]] void fail(const char* what);

// __syncthreads: every thread of the block must reach it.
void sync_block();
// What a warp-wide operation waits at; lanes of one warp must all be at the same kind.
enum class WarpOp { kSync, kShuffle, kMatrix };
// Every lane of the calling warp arrives; returns when all have (mask must be the full warp).
void warp_barrier(unsigned mask, WarpOp op);
inline void sync_warp(unsigned mask) { warp_barrier(mask, WarpOp::kSync); }
int lane_id();
// 32 eight-byte slots per warp for exchanges between its lanes, and a larger scratch for
// WMMA tiles (kWarpScratch bytes).
uint64_t* warp_slots();
constexpr size_t kWarpScratch = 4096;
void* warp_scratch();

template <class T, class Src>
T shuffle(unsigned mask, T v, int width, Src src_of) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "a shuffle moves at most 8 bytes");
  if (width != 32) fail("shuffle width other than 32 is not emulated");
  const int lane = lane_id();
  uint64_t* slots = warp_slots();
  std::memcpy(&slots[lane], &v, sizeof(T));
  warp_barrier(mask, WarpOp::kShuffle);
  const int src = src_of(lane);
  T r = v;  // a source lane outside the warp leaves the value as it was (as shfl_down does)
  if (src >= 0 && src < 32) std::memcpy(&r, &slots[src], sizeof(T));
  warp_barrier(mask, WarpOp::kShuffle);  // nobody overwrites a slot before every lane has read
  return r;
}

// The running block's copy of the shared variable `tag` stands for (`__shared__ T name[N]`):
// fresh for each block and filled with a pattern, so a value left by an earlier block or
// never written does not pass for a result.
void* block_shared_bytes(const void* tag, size_t size);
template <class T>
T& block_shared(const void* tag) {
  return *static_cast<T*>(block_shared_bytes(tag, sizeof(T)));
}

// Dynamic shared memory of the running block (`extern __shared__ T name[]`).
void* dynamic_shared_bytes();
template <class T>
T* dynamic_shared() {
  return static_cast<T*>(dynamic_shared_bytes());
}

// True when [p, p + n) lies in one live device allocation.
bool is_device(const void* p, size_t n);

void submit(dim3 grid, dim3 block, size_t shared, Stream* stream, const char* name, std::function<void()> body);

// `kernel<<<grid, block, shared, stream>>>(args...)`, as rewrite_cu.cmake spells it.
struct Launch {
  dim3 grid, block;
  size_t shared;
  Stream* stream;
  Launch(dim3 g, dim3 b, size_t s = 0, Stream* st = nullptr) : grid(g), block(b), shared(s), stream(st) {}

  template <class... P, class... A>
  void run(const char* name, void (*kernel)(P...), A&&... a) const {
    static_assert(sizeof...(P) == sizeof...(A), "kernel argument count");
    // Arguments are converted and copied at launch, as the runtime does.
    std::tuple<std::decay_t<P>...> args(std::forward<A>(a)...);
    check_pointers(name, args, std::index_sequence_for<P...>{});
    submit(grid, block, shared, stream, name, [kernel, args] { std::apply(kernel, args); });
  }

 private:
  template <class Tuple, size_t... I>
  static void check_pointers(const char* name, const Tuple& t, std::index_sequence<I...>) {
    (void)name, (void)t;  // a kernel may take no arguments
    (check_pointer(name, int(I), std::get<I>(t)), ...);
  }
  template <class T>
  static void check_pointer(const char* name, int i, const T& v) {
    if constexpr (std::is_pointer_v<T>) {
      if (v && !is_device(v, 1)) bad_pointer(name, i);
    }
  }
  [[noreturn]] static void bad_pointer(const char* name, int i);
};

}  // namespace cuda_emu
