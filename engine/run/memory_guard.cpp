#include "engine/run/memory_guard.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <string>

namespace nebench {

double machine_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:")
      return kb * 1024.0;
    in.ignore(1 << 10, '\n');
  }
  return 16.0 * (1ull << 30); // unknown: assume a modest machine
}

double estimated_metric_bytes(const MetricSpec &metric, std::int64_t n) {
  const double m =
      static_cast<double>(metric.points > 0 ? std::min(metric.points, n) : n);
  const double pairs = m * (m - 1.0) / 2.0;
  // metrics/distance_correlation.h: two condensed float distance sets.
  if (metric.type == "distance_correlation" ||
      metric.type == "distance_correlation_to_run")
    return 8.0 * pairs;
  // metrics/rank_correlation.h: about 24 bytes per pair at the peak.
  if (metric.type == "spearman")
    return 24.0 * pairs;
  return 0.0;
}

void check_memory(const Plan &plan, std::int64_t n, std::int64_t d,
                  double available_bytes) {
  const double shared = 4.0 * static_cast<double>(n) * static_cast<double>(d) +
                        12.0 * static_cast<double>(n) * plan.graph_neighbors();
  const double limit = 0.9 * available_bytes;
  const auto refuse = [&](const std::string &json_path, const std::string &what,
                          double need, const std::string &remedy) {
    throw SpecError(
        plan.spec.file, json_path,
        fmt::format("{} needs about {:.1f} GB at n = {} (data and kNN graph "
                    "{:.1f} GB included) but this machine has {:.1f} GB; {}",
                    what, need / 1e9, n, shared / 1e9, available_bytes / 1e9,
                    remedy));
  };
  for (const auto &run : plan.runs) {
    const double need = shared + run.method->estimated_bytes(n);
    if (need > limit)
      refuse(run.spec.method_path, "run " + run.spec.id, need,
             "use a smaller dataset.subsample or another method");
  }
  for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
    const double need = shared + estimated_metric_bytes(plan.metrics[i], n);
    if (need > limit)
      refuse(fmt::format("metrics[{}]", i), "metric " + plan.metrics[i].type,
             need, fmt::format("lower metrics[{}].points", i));
  }
}

} // namespace nebench
