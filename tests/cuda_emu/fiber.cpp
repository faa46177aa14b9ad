// The fiber switch (fiber.h). On x86-64 it saves only what the ABI asks a callee to keep, six
// registers and the stack pointer: glibc's swapcontext also makes a system call for the
// signal mask, which made it 90% of the emulator's time. Elsewhere, ucontext.
#include "fiber.h"

#include <cstdint>

#if SHZ_EMU_FAST_SWITCH
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
#endif

namespace cuda_emu {

void switch_context(Context& from, Context& to) {
#if SHZ_EMU_FAST_SWITCH
  shz_emu_switch(&from.sp, to.sp);
#else
  swapcontext(&from.uc, &to.uc);
#endif
}

void start_context(Context& c, void* stack, size_t size, void (*entry)()) {
#if SHZ_EMU_FAST_SWITCH
  auto* top = reinterpret_cast<void**>((reinterpret_cast<uintptr_t>(stack) + size) & ~uintptr_t(15));
  top[-1] = nullptr;                               // entry's return address: none
  top[-2] = reinterpret_cast<void*>(entry);        // where the first switch's ret goes
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

}  // namespace cuda_emu
