// Hot loops that the sanitizer build (tools/test's second pass) checks once a call instead of
// at every access: per-access checks kept them from vectorising and cost most of that pass's
// time. SHZ_CHECKED_ONCE is 1 in that build only; SHZ_CHECKED_ONCE_ATTR exempts a function
// from ASan and UBSan; checked_once_fail reports what a call's check found, in one line, and
// aborts. Release builds compile none of it.
#pragma once

#if defined(__SANITIZE_ADDRESS__) && !defined(NDEBUG)
#include <sanitizer/asan_interface.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#define SHZ_CHECKED_ONCE 1
#define SHZ_CHECKED_ONCE_ATTR __attribute__((no_sanitize("address", "undefined")))

namespace shz {

[[noreturn]] __attribute__((format(printf, 1, 2))) inline void checked_once_fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
  std::abort();
}

}  // namespace shz
#else
#define SHZ_CHECKED_ONCE 0
#define SHZ_CHECKED_ONCE_ATTR
#endif
