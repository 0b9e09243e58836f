#pragma once
// Mean silhouette coefficient (Rousseeuw 1987, "Silhouettes: a graphical aid
// to the interpretation and validation of cluster analysis") of an embedding
// with the class labels as clusters: how compact and separated the classes
// are. The CNE paper's C1 ("clusters get more compact as Z-bar grows") and
// the medical paper's M1 read it; t-SimCNE reports it too.
//
// For point i of cluster A (Euclidean distances d, all within the sample):
//   a(i) = mean d(i, j) over the other points j of A,
//   b(i) = min over clusters B != A of the mean d(i, j) over j in B,
//   s(i) = (b(i) - a(i)) / max(a(i), b(i)),
// s(i) = 0 when A has no other point (Rousseeuw's convention) or when
// a(i) = b(i) = 0 (coincident points; sklearn's nan_to_num gives the same).
// The score is the mean of s(i), in [-1, 1], as sklearn's silhouette_score.

#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// Mean silhouette of rows `rows` of `y` with clusters labels[row], computed
/// exactly within that subset: O(m^2 d) for m rows, parallel over points,
/// the per-point values summed in row order (the result does not depend on
/// the thread count). NaN when the rows hold fewer than 2 clusters (the
/// coefficient is undefined). Throws NebenchError when labels.size() !=
/// y.rows, a row is out of range or repeated, or fewer than 2 rows.
double silhouette_score(const MatrixD &y,
                        const std::vector<std::int32_t> &labels,
                        const std::vector<std::int64_t> &rows);

/// silhouette_score on min(points, n) rows drawn without replacement by
/// Rng(seed).sample(n, m), the sample convention of spearman (all rows when
/// points >= n).
double silhouette(const MatrixD &y, const std::vector<std::int32_t> &labels,
                  std::int64_t points, std::uint64_t seed);

} // namespace nebench
