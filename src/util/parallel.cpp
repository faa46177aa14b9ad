#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace shz {

unsigned thread_count(unsigned requested, size_t items) {
  if (items == 0) return 1;
  unsigned t = requested ? requested : std::thread::hardware_concurrency();
  if (t == 0) t = 1;
  if (t > items) t = unsigned(items);
  return t;
}

std::vector<size_t> batch_split(size_t count, size_t preferred, unsigned threads) {
  if (preferred == 0) preferred = 1;
  if (threads == 0) threads = 1;
  size_t n = (count + preferred - 1) / preferred;
  n = (n + threads - 1) / threads * threads;
  if (n > count) n = count;
  std::vector<size_t> bounds;
  for (size_t i = 0; i <= n; ++i) bounds.push_back(n ? i * count / n : 0);  // i * count < 2^64 for any real count
  return bounds;
}

size_t batch_largest(const std::vector<size_t>& bounds) {
  size_t most = 1;
  for (size_t b = 0; b + 1 < bounds.size(); ++b) most = std::max(most, bounds[b + 1] - bounds[b]);
  return most;
}

void parallel_run(unsigned threads, size_t items, const std::function<void(unsigned, size_t)>& work,
                  const std::function<void()>& tick) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mu;
  std::condition_variable cv;
  unsigned running = threads;

  auto body = [&](unsigned worker) {
    try {
      for (size_t i; !failed && (i = next++) < items;) work(worker, i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      failed = true;
    }
    std::lock_guard<std::mutex> lock(mu);
    if (--running == 0) cv.notify_all();
  };

  std::vector<std::thread> pool;
  for (unsigned w = 0; w < threads; ++w) pool.emplace_back(body, w);
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      if (tick && running > 0) {
        lock.unlock();
        tick();
        lock.lock();
      }
    }
  }
  for (std::thread& t : pool) t.join();
  if (tick) tick();
  if (error) std::rethrow_exception(error);
}

}  // namespace shz
