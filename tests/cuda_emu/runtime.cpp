// The CUDA emulator's runtime calls (cuda_runtime.h): allocations in host memory, recorded
// so that copies and kernel arguments can be checked against them; errors; stream capture
// into graphs; events; and the emulated device's description.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "internal.h"

namespace cuda_emu {
namespace {

std::mutex g_mu;  // guards the allocations (tests may use several threads)
std::map<uintptr_t, size_t> g_alloc;
thread_local cudaError_t tl_last = cudaSuccess;
thread_local Graph* tl_capture = nullptr;
thread_local bool tl_capture_broken = false;
Stream g_stream;

// A call that a stream capture does not allow breaks the capture, as in CUDA.
bool capture_forbids() {
  if (!tl_capture) return false;
  tl_capture_broken = true;
  return true;
}

}  // namespace

cudaError_t set_error(cudaError_t e) {
  if (e != cudaSuccess) tl_last = e;
  return e;
}

Graph* capturing() { return tl_capture; }
void break_capture() { tl_capture_broken = true; }
Stream* per_thread_stream() { return &g_stream; }

bool is_device(const void* p, size_t n) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_alloc.upper_bound(a);
  if (it == g_alloc.begin()) return false;
  --it;
  return a >= it->first && a - it->first + n <= it->second && a - it->first < it->second;
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
  if (n == 0) return set_error(cudaErrorInvalidValue);
  if (posix_memalign(&q, 256, n) != 0) return set_error(cudaErrorMemoryAllocation);
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
