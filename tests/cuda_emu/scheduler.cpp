// The CUDA emulator's device side (cuda_runtime.h): a block's threads are fibers (fiber.h)
// on the calling thread, run until each reaches a barrier or ends; a barrier opens when every
// thread it needs has arrived, and a barrier that cannot open (some threads ended, or wait
// elsewhere) is reported, as a GPU would hang or misbehave there. Blocks run one after
// another.
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fiber.h"
#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define SHZ_EMU_ASAN 1
#else
#define SHZ_EMU_ASAN 0
#endif

namespace cuda_emu {
namespace {

constexpr int kMaxThreads = 1024;
constexpr size_t kMaxShared = 48 << 10;  // dynamic shared memory without an opt-in
constexpr size_t kStack = 256 << 10;     // a fiber's stack (sanitizer frames are large)

enum class State { kReady, kBlockBarrier, kWarpBarrier, kDone };

struct Fiber {
  Context ctx;
  void* stack = nullptr;
  dim3 tid;
  State state = State::kReady;
  WarpOp op = WarpOp::kSync;
  void* fake_stack = nullptr;  // ASan's bookkeeping while switched away
};

struct Warp {
  uint64_t slots[32];
  alignas(32) unsigned char scratch[kWarpScratch];
};

// The block now running on this thread.
struct Block {
  dim3 grid, block, idx;
  const char* name = "";
  const std::function<void()>* body = nullptr;
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  std::vector<unsigned char> shared;  // dynamic
  std::map<const void*, std::vector<unsigned char>> statics;  // __shared__ variables by tag
  size_t static_bytes = 0;
  Fiber* current = nullptr;
  Context sched;
  const void* sched_stack = nullptr;
  size_t sched_stack_size = 0;
};

thread_local Block* tl_block = nullptr;
std::vector<void*> g_stacks;  // fiber stacks, reused by every launch
std::mutex g_stacks_mu;       // held by the launch running (host threads may launch at once)

Block& block() {
  if (!tl_block || !tl_block->current) fail("device function called outside a kernel");
  return *tl_block;
}

int linear(const Block& b, const dim3& t) { return int(t.x + b.block.x * (t.y + b.block.y * t.z)); }

[[noreturn]] void fail_in(const Block& b, const std::string& what) {
  std::fprintf(stderr, "cuda emulator: %s (kernel %s, block %u,%u,%u)\n", what.c_str(), b.name, b.idx.x, b.idx.y,
               b.idx.z);
  std::abort();
}

// Switches from the running fiber back to the scheduler.
void yield() {
  Block& b = *tl_block;
  Fiber& f = *b.current;
#if SHZ_EMU_ASAN
  __sanitizer_start_switch_fiber(&f.fake_stack, b.sched_stack, b.sched_stack_size);
#endif
  switch_context(f.ctx, b.sched);
#if SHZ_EMU_ASAN
  __sanitizer_finish_switch_fiber(f.fake_stack, &b.sched_stack, &b.sched_stack_size);
#endif
}

void fiber_main() {
  Block& b = *tl_block;
#if SHZ_EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &b.sched_stack, &b.sched_stack_size);
#endif
  (*b.body)();
  Fiber& f = *b.current;
  f.state = State::kDone;
#if SHZ_EMU_ASAN
  __sanitizer_start_switch_fiber(nullptr, b.sched_stack, b.sched_stack_size);  // this fiber ends
#endif
  Context gone;  // this fiber is not resumed again
  switch_context(gone, b.sched);
}

void resume(Block& b, Fiber& f) {
  b.current = &f;
#if SHZ_EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, f.stack, kStack);
#endif
  switch_context(b.sched, f.ctx);
#if SHZ_EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  b.current = nullptr;
}

// Opens the barriers every waiting thread can pass; false when none can.
bool open_barriers(Block& b) {
  const int n = int(b.fibers.size());
  bool opened = false;
  for (int w0 = 0; w0 < n; w0 += 32) {
    const int w1 = std::min(n, w0 + 32);
    int waiting = 0, live = 0;
    for (int i = w0; i < w1; ++i) {
      live += b.fibers[size_t(i)].state != State::kDone;
      waiting += b.fibers[size_t(i)].state == State::kWarpBarrier;
    }
    if (!waiting || waiting != live) continue;
    if (live != 32) fail_in(b, "a warp operation not reached by all 32 lanes of warp " + std::to_string(w0 / 32));
    for (int i = w0; i < w1; ++i)
      if (b.fibers[size_t(i)].op != b.fibers[size_t(w0)].op)
        fail_in(b, "lanes of warp " + std::to_string(w0 / 32) + " wait at different warp operations");
    for (int i = w0; i < w1; ++i) b.fibers[size_t(i)].state = State::kReady;
    opened = true;
  }
  if (opened) return true;
  int at_barrier = 0, live = 0;
  for (const Fiber& f : b.fibers) {
    live += f.state != State::kDone;
    at_barrier += f.state == State::kBlockBarrier;
  }
  if (at_barrier && at_barrier == live) {
    if (live != n) fail_in(b, "__syncthreads not reached by threads that have returned");
    for (Fiber& f : b.fibers) f.state = State::kReady;
    return true;
  }
  return false;
}

void run_block(Block& b) {
  const int n = int(b.block.x * b.block.y * b.block.z);
  b.fibers.assign(size_t(n), Fiber{});
  b.warps.resize(size_t((n + 31) / 32));
  // Uninitialised shared memory reads as this pattern, not as the previous block's data.
  std::fill(b.shared.begin(), b.shared.end(), 0xA5);
  b.statics.clear();
  b.static_bytes = 0;
  for (int i = 0; i < n; ++i) {
    Fiber& f = b.fibers[size_t(i)];
    f.tid = dim3(unsigned(i) % b.block.x, (unsigned(i) / b.block.x) % b.block.y, unsigned(i) / (b.block.x * b.block.y));
    f.stack = g_stacks[size_t(i)];
#if SHZ_EMU_ASAN
    ASAN_UNPOISON_MEMORY_REGION(f.stack, kStack);  // frames the last user left behind
#endif
    // Stack tops 256 KiB apart would share cache sets; a per-fiber offset spreads them.
    start_context(f.ctx, f.stack, kStack - size_t(i % 128) * 448, fiber_main);
  }
  // Rounds between barriers run the threads forwards, then backwards: a read of another
  // thread's write with no barrier between them then sees stale data in one of the two.
  for (bool forward = true;; forward = !forward) {
    for (int i = 0; i < n; ++i) {
      Fiber& f = b.fibers[size_t(forward ? i : n - 1 - i)];
      if (f.state == State::kReady) resume(b, f);
    }
    bool done = true;
    for (const Fiber& f : b.fibers) done = done && f.state == State::kDone;
    if (done) return;
    if (!open_barriers(b)) fail_in(b, "deadlock: threads wait at barriers that cannot open");
  }
}

void execute(dim3 grid, dim3 block_dim, size_t shared, const char* name, const std::function<void()>& body) {
  if (tl_block) fail("a kernel launched from inside a kernel");
  Block b;
  b.grid = grid, b.block = block_dim, b.name = name, b.body = &body;
  b.shared.resize(shared);
  const size_t n = size_t(block_dim.x) * block_dim.y * block_dim.z;
  std::lock_guard<std::mutex> lock(g_stacks_mu);  // the stacks are shared: one launch at a time
  while (g_stacks.size() < n) {
    void* s = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) fail("no memory for fiber stacks");
    g_stacks.push_back(s);
  }
  tl_block = &b;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        b.idx = dim3(x, y, z);
        run_block(b);
      }
  tl_block = nullptr;
}

}  // namespace

const dim3& thread_idx() { return block().current->tid; }
const dim3& block_idx() { return block().idx; }
const dim3& block_dim() { return block().block; }
const dim3& grid_dim() { return block().grid; }
int lane_id() {
  const Block& b = block();
  return linear(b, b.current->tid) % 32;
}

void fail(const char* what) {
  if (tl_block && tl_block->current) fail_in(*tl_block, what);
  std::fprintf(stderr, "cuda emulator: %s\n", what);
  std::abort();
}

void sync_block() {
  block().current->state = State::kBlockBarrier;
  yield();
}

void warp_barrier(unsigned mask, WarpOp op) {
  Block& b = block();
  if (mask != 0xffffffffu) fail("a warp operation with a partial mask is not emulated");
  b.current->state = State::kWarpBarrier;
  b.current->op = op;
  yield();
}

uint64_t* warp_slots() {
  Block& b = block();
  return b.warps[size_t(linear(b, b.current->tid) / 32)].slots;
}

void* warp_scratch() {
  Block& b = block();
  return b.warps[size_t(linear(b, b.current->tid) / 32)].scratch;
}

void* block_shared_bytes(const void* tag, size_t size) {
  Block& b = block();
  auto it = b.statics.find(tag);
  if (it == b.statics.end()) {
    b.static_bytes += size;
    if (b.static_bytes + b.shared.size() > kMaxShared) fail("more than 48 KiB of shared memory in a block");
    it = b.statics.emplace(tag, std::vector<unsigned char>(size + 128, 0xA5)).first;
  }
  // Aligned to 128 bytes, beyond any __align__ a kernel asks for.
  const uintptr_t p = reinterpret_cast<uintptr_t>(it->second.data());
  return reinterpret_cast<void*>((p + 127) & ~uintptr_t(127));
}

void* dynamic_shared_bytes() {
  Block& b = block();
  return b.shared.empty() ? nullptr : b.shared.data();
}

void submit(dim3 grid, dim3 block, size_t shared, Stream* stream, const char* name, std::function<void()> body) {
  const uint64_t threads = uint64_t(block.x) * block.y * block.z;
  const bool bad = threads == 0 || threads > uint64_t(kMaxThreads) || block.z > 64 || grid.x == 0 ||
                   grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 || shared > kMaxShared ||
                   (stream && stream != per_thread_stream());
  if (bad) {
    set_error(cudaErrorInvalidConfiguration);
    if (capturing()) break_capture();
    return;
  }
  if (Graph* g = capturing()) {
    g->ops.push_back([grid, block, shared, name, body] { execute(grid, block, shared, name, body); });
    return;
  }
  execute(grid, block, shared, name, body);
}

void Launch::bad_pointer(const char* name, int i) {
  const std::string what = "kernel " + std::string(name) + ": argument " + std::to_string(i);
  fail((what + " is a pointer outside device memory").c_str());
}

}  // namespace cuda_emu
