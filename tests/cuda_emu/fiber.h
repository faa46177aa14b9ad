// Fibers for the CUDA emulator: a saved execution context and the switch between two, so
// that a block's GPU threads take turns on one CPU thread (scheduler.cpp).
#pragma once

#include <cstddef>

#if defined(__x86_64__)
#define SHZ_EMU_FAST_SWITCH 1
#else
#define SHZ_EMU_FAST_SWITCH 0
#include <ucontext.h>
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

// Saves the running context in `from` and resumes `to`.
void switch_context(Context& from, Context& to);
// Prepares `c` to start `entry` (which must never return) on the given stack.
void start_context(Context& c, void* stack, size_t size, void (*entry)());

}  // namespace cuda_emu
