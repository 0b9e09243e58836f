#pragma once
// Refuses a spec before it starts when its estimated memory exceeds what the
// machine has, instead of dying hours later.

#include "engine/run/plan.h"

#include <cstdint>

namespace nebench {

/// Physical memory of this machine in bytes (MemTotal of /proc/meminfo).
double machine_memory_bytes();

/// Throws ResourceError naming the run and its estimate when data + graph +
/// the largest run would not fit in memory.
void check_memory(const Plan &plan, std::int64_t n, std::int64_t d);

} // namespace nebench
