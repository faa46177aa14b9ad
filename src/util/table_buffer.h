// An array for tables read at random positions (the mixing stage's counters): from 2 MiB up
// it is placed on a 2 MiB boundary and, on Linux, its whole 2 MiB stretches are marked for
// transparent huge pages, so one TLB entry covers 2 MiB instead of 4 KiB. With many segments
// in flight (a GPU batch: 256 per thread) their tables far exceed what 4 KiB pages' TLB
// entries reach (stage_bench --batch 256: 10-20% faster; no change at 8 or 64). Placement
// only: no value read from it depends on it.
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
      void* p = nullptr;
      if (bytes && posix_memalign(&p, align, bytes) != 0) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      // Whole huge pages only, so no memory is added (a hint: failure changes nothing).
      if (align == kHuge) madvise(p, bytes / kHuge * kHuge, MADV_HUGEPAGE);
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
