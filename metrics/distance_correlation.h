#pragma once
// Bias-corrected distance correlation (Szekely & Rizzo 2014, "Partial
// distance correlation with methods for dissimilarities", U-centering), the
// same estimator as python dcor.u_distance_correlation_sqr. The spectrum
// paper (papers/spectrum_and_cne.md section 2.3) reports
// sqrt(dCor^2_unbiased) between embeddings on 5,000 random points to place
// UMAP and FA2 on the t-SNE exaggeration spectrum; we also use it between the
// input and an embedding ("dcor_input").
//
// With a_ij the distances of an m-point sample (m > 3), the U-centred matrix
//   A~_ij = a_ij - a_i./(m-2) - a_.j/(m-2) + a../((m-1)(m-2)),  A~_ii = 0,
// the inner product (A~.B~) = sum_{i!=j} A~_ij B~_ij / (m(m-3)) is an
// unbiased estimator of dCov^2, and
//   dCor^2_u = (A~.B~) / sqrt((A~.A~)(B~.B~))   (0 when the denominator is 0).
// It can be slightly negative for independent data, hence sqrt(max(0, .)).
//
// Memory: never builds the m x m matrices (two 200 MB double matrices at
// m = 5000). Distances are kept once, condensed (pairs i < j), as float
// (2 x 50 MB at m = 5000); row sums a_i. and the inner products are
// accumulated in double, and A~_ij is formed on the fly. The float rounding
// of each distance (relative 6e-8) changes dCor by far less than 1e-6.

#include "engine/core/matrix.h"

#include <cstdint>

namespace nebench {

/// dCor^2_u between the rows of `x` and the rows of `y` (same row count, any
/// dimensions), using every row. Throws NebenchError when the row counts
/// differ or there are fewer than 4 rows. Instantiated for float and double.
template <class A, class B>
double u_distance_correlation_sqr(const DenseMatrix<A> &x,
                                  const DenseMatrix<B> &y);

/// sqrt(max(0, dCor^2_u)) on min(points, n) rows drawn without replacement
/// by Rng(seed).sample (the same rows of x and y). Throws NebenchError as
/// above (fewer than 4 sampled rows).
template <class A, class B>
double distance_correlation(const DenseMatrix<A> &x, const DenseMatrix<B> &y,
                            std::int64_t points, std::uint64_t seed);

} // namespace nebench
