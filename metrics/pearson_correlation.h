#pragma once
// Pearson's r of two samples: the shortest-path correlation of the graph
// paper (papers/graph.md sec. 3.6) correlates hop distances with embedding
// distances this way (scipy.stats.pearsonr).

#include <vector>

namespace nebench {

/// sum (a - mean a)(b - mean b) / sqrt(sum (a - mean a)^2 sum (b - mean b)^2),
/// with the means subtracted first (two passes, no cancellation). NaN when
/// either sample is constant. Throws NebenchError when the sizes differ,
/// fewer than 2 values, or a value is not finite.
double pearson_correlation(const std::vector<double> &a,
                           const std::vector<double> &b);

} // namespace nebench
