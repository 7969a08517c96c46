#include "anatomy/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace anatomy::core {

Status ParallelFor(size_t n, int threads, const std::function<Status(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  size_t first_failed = n;
  Status error;
  auto worker = [&] {
    for (size_t i = next++; i < n && !failed.load(); i = next++) {
      Status st = task(i);
      if (st.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (i < first_failed) {
        first_failed = i;
        error = std::move(st);
      }
      failed = true;
    }
  };
  const size_t extra = std::min(n, static_cast<size_t>(std::max(threads, 1))) - (n > 0 ? 1 : 0);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return error;
}

}  // namespace anatomy::core
