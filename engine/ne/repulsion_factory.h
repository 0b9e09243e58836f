#pragma once
// Picks the repulsion estimator named in a spec ("auto", "exact", "bh"; the
// FFT-interpolation estimator plugs in here).

#include "engine/ne/repulsion.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nebench {

/// Largest n for which "auto" chooses the exact O(n^2) estimator.
inline constexpr std::int64_t kExactRepulsionMaxPoints = 2000;

/// Estimator names accepted by make_repulsion (besides "auto").
std::vector<std::string> repulsion_types();

/// Resolves "auto": exact when n <= kExactRepulsionMaxPoints or the
/// embedding is not 2-D, else Barnes-Hut. Other names are returned as is.
std::string resolve_repulsion(const std::string &type, std::int64_t n, int dim);

/// The estimator for a resolved name. theta is used by "bh" only. Throws
/// NebenchError for an unknown name or a 2-D-only estimator with dim != 2.
std::unique_ptr<RepulsionEstimator>
make_repulsion(const std::string &type, int dim, double dof, double theta);

} // namespace nebench
