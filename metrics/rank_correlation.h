#pragma once
// Spearman rank correlation of pairwise distances, input space vs embedding:
// the global-structure metric of CNE (papers/spectrum_and_cne.md section 1.5,
// Spearman on 5,000 points) and claim S2. The paper samples points with
// replacement (np.random.randint); we sample WITHOUT replacement so that no
// zero-distance self-pairs enter the ranking (documented deviation).

#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// 1-based ranks of `v`, tied values sharing the average of their ranks
/// (scipy.stats.rankdata "average"). Throws NebenchError on NaN.
std::vector<double> average_ranks(const std::vector<double> &v);

/// Spearman's rho: the Pearson correlation of the average ranks of `a` and
/// `b`. NaN when either vector is constant (its ranks have no variance).
/// Throws NebenchError when the sizes differ, fewer than 2 values, or NaN.
double spearman_correlation(const std::vector<double> &a,
                            const std::vector<double> &b);

/// Spearman correlation between the Euclidean distances of `x` (input) and
/// of `y` (embedding) over all pairs i < j of min(points, n) rows drawn
/// without replacement by Rng(seed).sample. Memory: about 24 bytes per pair
/// at the peak (m = 5000: 12.5 M pairs, ~300 MB): one distance set at a time
/// is sorted as (value, index) records, and ranks are kept as doubled
/// integers (uint32).
/// Throws NebenchError when the row counts differ or fewer than 3 points.
double distance_rank_correlation(const Matrix &x, const MatrixD &y,
                                 std::int64_t points, std::uint64_t seed);

} // namespace nebench
