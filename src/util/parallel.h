// A tiny work queue: items handed out in order to a fixed set of worker threads.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace shz {

// Runs work(worker, item) for every item in [0, items) on `threads` worker threads
// (each worker id in [0, threads) is used by one thread only, so per-worker state needs
// no locks). Meanwhile the calling thread calls tick() about every 100 ms, and once at
// the end. The first exception thrown by work stops the hand-out and is rethrown here.
void parallel_run(unsigned threads, size_t items, const std::function<void(unsigned, size_t)>& work,
                  const std::function<void()>& tick);

// Worker threads to use for `requested` (0 means one per core), never more than `items`.
unsigned thread_count(unsigned requested, size_t items);

// Splits `count` items into batches of at most `preferred`, as many as it takes rounded up to
// a multiple of `threads` (never more than `count`), with sizes differing by at most one: so
// no worker idles while another codes a big batch (14 segments and batches of 16 on 2 threads
// are two batches of 7, not one of 14). Returns each batch's first item, then `count`.
std::vector<size_t> batch_split(size_t count, size_t preferred, unsigned threads);
// The largest batch of a batch_split (at least 1): what each worker's predictor must hold.
size_t batch_largest(const std::vector<size_t>& bounds);

}  // namespace shz
