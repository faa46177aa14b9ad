// The CUDA emulator (cuda_runtime.h): a block's threads are fibers on the calling thread,
// run until each reaches a barrier or ends; a barrier opens when every thread it needs has
// arrived, and a barrier that cannot open (some threads ended, or wait elsewhere) is
// reported, as a GPU would hang or misbehave there. Blocks run one after another.
#include <sys/mman.h>
#include <ucontext.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cuda_runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define SHZ_EMU_ASAN 1
#else
#define SHZ_EMU_ASAN 0
#endif

// A fiber switch saves only what the ABI asks a callee to keep: on x86-64 six registers and
// the stack pointer (glibc's swapcontext also makes a system call for the signal mask, which
// made it 90% of the emulator's time). Elsewhere, ucontext.
#if defined(__x86_64__)
extern "C" void shz_emu_switch(void** save_sp, void* to_sp);
asm(R"(
  .text
  .globl shz_emu_switch
  .hidden shz_emu_switch
  .type shz_emu_switch, @function
shz_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size shz_emu_switch, .-shz_emu_switch
)");
#define SHZ_EMU_FAST_SWITCH 1
#else
#define SHZ_EMU_FAST_SWITCH 0
#endif

namespace cuda_emu {

// A saved execution context: a stack pointer, or a ucontext.
struct Context {
#if SHZ_EMU_FAST_SWITCH
  void* sp = nullptr;
#else
  ucontext_t uc;
#endif
};

static void switch_context(Context& from, Context& to) {
#if SHZ_EMU_FAST_SWITCH
  shz_emu_switch(&from.sp, to.sp);
#else
  swapcontext(&from.uc, &to.uc);
#endif
}

// Prepares `c` to start `entry` (which never returns) on the given stack.
static void start_context(Context& c, void* stack, size_t size, void (*entry)()) {
#if SHZ_EMU_FAST_SWITCH
  auto* top = reinterpret_cast<void**>((reinterpret_cast<uintptr_t>(stack) + size) & ~uintptr_t(15));
  top[-1] = nullptr;                              // entry's return address: none
  top[-2] = reinterpret_cast<void*>(entry);       // where the first switch's ret goes
  for (int r = 3; r <= 8; ++r) top[-r] = nullptr;  // the six registers it pops
  c.sp = top - 8;
#else
  getcontext(&c.uc);
  c.uc.uc_stack.ss_sp = stack;
  c.uc.uc_stack.ss_size = size;
  c.uc.uc_link = nullptr;
  makecontext(&c.uc, entry, 0);
#endif
}

struct Stream {};
struct Event {
  std::chrono::steady_clock::time_point t;
};
struct Graph {
  std::vector<std::function<void()>> ops;
};

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
std::vector<void*> g_stacks;  // reused across launches; launches on one thread at a time
std::mutex g_mu;              // guards allocations and stacks (tests may use several threads)
std::map<uintptr_t, size_t> g_alloc;
thread_local cudaError_t tl_last = cudaSuccess;
thread_local Graph* tl_capture = nullptr;
thread_local bool tl_capture_broken = false;
Stream g_stream;

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
    // Stack tops 64 KiB apart would share cache sets; a per-fiber offset spreads them.
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
  {
    std::lock_guard<std::mutex> lock(g_mu);
    while (g_stacks.size() < n) {
      void* s = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (s == MAP_FAILED) fail("no memory for fiber stacks");
      g_stacks.push_back(s);
    }
  }
  static std::mutex run_mu;  // the stacks are shared: one launch runs at a time
  std::lock_guard<std::mutex> lock(run_mu);
  tl_block = &b;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        b.idx = dim3(x, y, z);
        run_block(b);
      }
  tl_block = nullptr;
}

cudaError_t set_error(cudaError_t e) {
  if (e != cudaSuccess) tl_last = e;
  return e;
}

// A call that a stream capture does not allow breaks the capture, as in CUDA.
bool capture_forbids() {
  if (!tl_capture) return false;
  tl_capture_broken = true;
  return true;
}

}  // namespace

Stream* per_thread_stream() { return &g_stream; }

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

bool is_device(const void* p, size_t n) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_alloc.upper_bound(a);
  if (it == g_alloc.begin()) return false;
  --it;
  return a >= it->first && a - it->first + n <= it->second && a - it->first < it->second;
}

void submit(dim3 grid, dim3 block, size_t shared, Stream* stream, const char* name, std::function<void()> body) {
  const uint64_t threads = uint64_t(block.x) * block.y * block.z;
  const bool bad = threads == 0 || threads > uint64_t(kMaxThreads) || block.z > 64 || grid.x == 0 ||
                   grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 || shared > kMaxShared ||
                   (stream && stream != &g_stream);
  if (bad) {
    set_error(cudaErrorInvalidConfiguration);
    if (tl_capture) tl_capture_broken = true;
    return;
  }
  if (tl_capture) {
    tl_capture->ops.push_back([grid, block, shared, name, body] { execute(grid, block, shared, name, body); });
    return;
  }
  execute(grid, block, shared, name, body);
}

void Launch::bad_pointer(const char* name, int i) {
  std::fprintf(stderr, "cuda emulator: kernel %s: argument %d is a pointer outside device memory\n", name, i);
  std::abort();
}

}  // namespace cuda_emu

using namespace cuda_emu;

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated: return "operation failed due to a previous error during capture";
    case cudaErrorIllegalState: return "the operation cannot be performed in the present state";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  const cudaError_t e = tl_last;
  tl_last = cudaSuccess;
  return e;
}

cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* dev) {
  *dev = 0;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int dev) {
  if (dev != 0) return set_error(cudaErrorInvalidValue);
  std::memset(p, 0, sizeof *p);
  std::snprintf(p->name, sizeof p->name, "shz CUDA emulator (host CPU)");
  p->major = 9, p->minor = 0;
  p->totalGlobalMem = size_t(16) << 30;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr, int dev) {
  if (dev != 0) return set_error(cudaErrorInvalidValue);
  *v = 0;  // no meaningful clock or bus: bandwidth figures read 0
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  std::lock_guard<std::mutex> lock(g_mu);
  size_t used = 0;
  for (const auto& kv : g_alloc) used += kv.second;
  *total = size_t(16) << 30;
  *free_bytes = *total - used;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;  // kernels ran when launched
}

cudaError_t cudaMalloc(void** p, size_t n) {
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  void* q = nullptr;
  if (n == 0 || posix_memalign(&q, 256, n) != 0) return set_error(n ? cudaErrorMemoryAllocation : cudaErrorInvalidValue);
  std::lock_guard<std::mutex> lock(g_mu);
  g_alloc[reinterpret_cast<uintptr_t>(q)] = n;
  *p = q;
  return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_alloc.find(reinterpret_cast<uintptr_t>(p));
    if (it == g_alloc.end()) return set_error(cudaErrorInvalidDevicePointer);
    g_alloc.erase(it);
  }
  std::free(p);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind) {
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  if (n == 0) return cudaSuccess;
  const bool dst_dev = is_device(dst, n), src_dev = is_device(src, n);
  bool ok = false;
  switch (kind) {
    case cudaMemcpyHostToDevice: ok = dst_dev && !is_device(src, 1); break;
    case cudaMemcpyDeviceToHost: ok = src_dev && !is_device(dst, 1); break;
    case cudaMemcpyDeviceToDevice: ok = dst_dev && src_dev; break;
    default: return set_error(cudaErrorInvalidMemcpyDirection);
  }
  if (!ok) return set_error(cudaErrorInvalidValue);
  std::memmove(dst, src, n);
  return cudaSuccess;
}

cudaError_t cudaMemset(void* p, int v, size_t n) {
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  if (n == 0) return cudaSuccess;
  if (!is_device(p, n)) return set_error(cudaErrorInvalidValue);
  std::memset(p, v, n);
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = new Event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
  if (!e) return set_error(cudaErrorInvalidResourceHandle);
  e->t = std::chrono::steady_clock::now();  // kernels before it have run
  return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b) {
  if (!a || !b) return set_error(cudaErrorInvalidResourceHandle);
  *ms = std::chrono::duration<float, std::milli>(b->t - a->t).count();
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete e;
  return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode) {
  if (s != &g_stream || tl_capture) return set_error(cudaErrorIllegalState);
  tl_capture = new Graph;
  tl_capture_broken = false;
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* g) {
  if (s != &g_stream || !tl_capture) return set_error(cudaErrorIllegalState);
  Graph* captured = tl_capture;
  tl_capture = nullptr;
  if (tl_capture_broken) {
    delete captured;
    *g = nullptr;
    return set_error(cudaErrorStreamCaptureInvalidated);
  }
  *g = captured;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* e, cudaGraph_t g, unsigned long long) {
  if (!g) return set_error(cudaErrorInvalidValue);
  *e = new Graph(*g);
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t e, cudaStream_t s) {
  if (!e || s != &g_stream) return set_error(cudaErrorInvalidResourceHandle);
  if (capture_forbids()) return set_error(cudaErrorStreamCaptureUnsupported);
  for (const auto& op : e->ops) op();
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t g) {
  delete g;
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t e) {
  delete e;
  return cudaSuccess;
}
