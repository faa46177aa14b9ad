// The default model's file, linked into the binary (CMake's SHZ_DEFAULT_MODEL), so that
// `shz compress FILE` works with no model file around and archives made with it decode
// anywhere this shz runs.
#include "default_model.h"

#ifdef SHZ_DEFAULT_MODEL_PATH
__asm__(
    ".section .rodata\n"
    ".balign 64\n"
    "shz_default_model_begin:\n"
    ".incbin \"" SHZ_DEFAULT_MODEL_PATH "\"\n"
    "shz_default_model_end:\n"
    ".previous\n");
extern "C" const uint8_t shz_default_model_begin[] __asm__("shz_default_model_begin");
extern "C" const uint8_t shz_default_model_end[] __asm__("shz_default_model_end");
#endif

namespace shz {

std::pair<const uint8_t*, size_t> default_model_bytes() {
#ifdef SHZ_DEFAULT_MODEL_PATH
  return {shz_default_model_begin, size_t(shz_default_model_end - shz_default_model_begin)};
#else
  return {nullptr, 0};
#endif
}

}  // namespace shz
