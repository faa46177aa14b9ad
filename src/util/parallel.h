// A tiny work queue: items handed out in order to a fixed set of worker threads.
#pragma once

#include <cstddef>
#include <functional>

namespace shz {

// Runs work(worker, item) for every item in [0, items) on `threads` worker threads
// (each worker id in [0, threads) is used by one thread only, so per-worker state needs
// no locks). Meanwhile the calling thread calls tick() about every 100 ms, and once at
// the end. The first exception thrown by work stops the hand-out and is rethrown here.
void parallel_run(unsigned threads, size_t items, const std::function<void(unsigned, size_t)>& work,
                  const std::function<void()>& tick);

// Worker threads to use for `requested` (0 means one per core), never more than `items`.
unsigned thread_count(unsigned requested, size_t items);

}  // namespace shz
