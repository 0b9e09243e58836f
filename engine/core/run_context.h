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
  /// run_value(run, column): the last logged value of trace column `column`
  /// of the earlier run named `run` with this seed (engine/ne/
  /// run_value_ref.h). Set by the runner; throws when the value does not
  /// exist. May be empty (then earlier_run_value() throws).
  std::function<double(const std::string &, const std::string &)> run_value;
  /// Where a long method may keep a checkpoint of its state at epoch
  /// boundaries, to resume an interrupted run (the runner: a file beside
  /// the partial result, removed once the run is stored); "" = none.
  std::string checkpoint_path;

  void report(std::int64_t done, std::int64_t total,
              const std::string &what) const {
    if (progress)
      progress(done, total, what);
  }
  double earlier_run_value(const std::string &run,
                           const std::string &column) const {
    if (!run_value)
      throw NebenchError("this method needs trace column \"" + column +
                         "\" of run \"" + run +
                         "\", but it runs outside a spec");
    return run_value(run, column);
  }
  void check() const {
    if (stop && stop->load(std::memory_order_relaxed))
      throw Interrupted();
  }
};

} // namespace nebench
