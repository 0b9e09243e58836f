#pragma once
// Picks the repulsion estimator named in a spec ("auto", "exact", "bh",
// "fft").

#include "engine/ne/fft_repulsion.h"
#include "engine/ne/repulsion.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nebench {

/// Largest n for which "auto" chooses the exact O(n^2) estimator.
inline constexpr std::int64_t kExactRepulsionMaxPoints = 2000;
/// Largest n for which "auto" chooses Barnes-Hut over FFT interpolation
/// (openTSNE's negative_gradient_method="auto" switches at 10,000).
inline constexpr std::int64_t kBarnesHutMaxPoints = 10000;

/// Estimator names accepted by make_repulsion (besides "auto").
std::vector<std::string> repulsion_types();

/// Resolves "auto": exact when n <= kExactRepulsionMaxPoints or the
/// embedding is not 2-D, Barnes-Hut when n <= kBarnesHutMaxPoints, else
/// FFT interpolation. Other names are returned as is.
std::string resolve_repulsion(const std::string &type, std::int64_t n, int dim);

/// The estimator for a resolved name. theta is used by "bh" only, `fft` by
/// "fft" only (its dof is replaced by `dof`). Throws NebenchError for an
/// unknown name or a 2-D-only estimator with dim != 2.
std::unique_ptr<RepulsionEstimator>
make_repulsion(const std::string &type, int dim, double dof, double theta,
               const FftRepulsionParams &fft = {});

} // namespace nebench
