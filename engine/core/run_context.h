#pragma once
// What a long computation needs from its caller: the seed, a progress sink and
// a stop flag set by SIGINT/SIGTERM. Methods call check() at iteration
// boundaries; it throws Interrupted so the runner can finish its write.

#include "engine/core/errors.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace nebench {

struct RunContext {
  std::uint64_t seed = 0;
  /// Called as progress(done, total, what); may be empty.
  std::function<void(std::int64_t, std::int64_t, const std::string &)> progress;
  /// Set asynchronously by the signal handler; may be null.
  const std::atomic<bool> *stop = nullptr;

  void report(std::int64_t done, std::int64_t total,
              const std::string &what) const {
    if (progress)
      progress(done, total, what);
  }
  void check() const {
    if (stop && stop->load(std::memory_order_relaxed))
      throw Interrupted();
  }
};

} // namespace nebench
