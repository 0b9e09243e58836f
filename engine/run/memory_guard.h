#pragma once
// Refuses a spec before it starts when its estimated memory exceeds what the
// machine has, instead of dying hours later: checked once the data is loaded
// (n and d known) and before the kNN graph is built.

#include "engine/run/plan.h"
#include "metrics/metric_spec.h"

#include <cstdint>

namespace nebench {

/// Physical memory of this machine in bytes (MemTotal of /proc/meminfo).
double machine_memory_bytes();

/// Peak bytes of one metric on n points beyond the data, graph and
/// embedding: the pairwise metrics keep every pair of their row sample
/// (distance_correlation: two condensed float distance sets, 8 bytes per
/// pair; spearman: about 24 bytes per pair at its peak; silhouette streams);
/// the others are O(n).
double estimated_metric_bytes(const MetricSpec &metric, std::int64_t n);

/// Throws ResourceError naming the spec file, the run or metric (with its
/// JSON path) and the estimate in GB when data + graph + the largest run or
/// metric would not fit in 90% of `available_bytes`.
void check_memory(const Plan &plan, std::int64_t n, std::int64_t d,
                  double available_bytes = machine_memory_bytes());

} // namespace nebench
