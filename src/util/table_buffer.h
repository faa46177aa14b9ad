// An array for tables read at random positions (the mixing stage's counters): from 2 MiB up
// it is placed on a 2 MiB boundary and, on Linux, marked for transparent huge pages, so one
// TLB entry covers 2 MiB instead of 4 KiB. With many segments in flight (a GPU batch) their
// tables far exceed what 4 KiB pages' TLB entries can reach, and every lookup paid a page
// walk. Placement only: no value read from it depends on it.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace shz {

template <class T>
class TableBuffer {
 public:
  // n elements, each set to v; earlier contents are dropped.
  void assign(size_t n, const T& v) {
    if (n != n_) {
      constexpr size_t kHuge = size_t(2) << 20;
      const size_t bytes = n * sizeof(T);
      const size_t align = bytes >= kHuge ? kHuge : 64;
      const size_t rounded = (bytes + align - 1) / align * align;
      void* p = rounded ? std::aligned_alloc(align, rounded) : nullptr;
      if (rounded && !p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (align == kHuge) madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
      data_.reset(static_cast<T*>(p));
      n_ = n;
    }
    for (size_t i = 0; i < n; ++i) data_.get()[i] = v;
  }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }
  size_t size() const { return n_; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t n_ = 0;
};

}  // namespace shz
