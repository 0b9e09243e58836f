#include "engine/run/memory_guard.h"

#include "engine/core/errors.h"

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

void check_memory(const Plan &plan, std::int64_t n, std::int64_t d) {
  const double shared = 4.0 * static_cast<double>(n) * static_cast<double>(d) +
                        12.0 * static_cast<double>(n) * plan.graph_neighbors();
  const double available = machine_memory_bytes();
  for (const auto &run : plan.runs) {
    const double need = shared + run.method->estimated_bytes(n);
    if (need > 0.9 * available)
      throw NebenchError(fmt::format(
          "{}: run {} needs about {:.1f} GB at n = {} but this machine has "
          "{:.1f} GB; use a smaller dataset.subsample or another method",
          plan.spec.file, run.spec.id, need / 1e9, n, available / 1e9));
  }
}

} // namespace nebench
