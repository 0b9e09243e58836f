#pragma once
// Principal component analysis through faiss::PCAMatrix: the preprocessing
// step "pca" of specs and the PCA initialization of t-SNE.

#include "engine/core/matrix.h"

#include <vector>

namespace nebench {

struct PcaResult {
  Matrix projected;  ///< n x dim: centered data projected on the components
  Matrix components; ///< dim x d: orthonormal principal axes, leading first
  std::vector<float> mean; ///< d: column means of the data
  /// dim: variance of each projected column (denominator n - 1, as
  /// scikit-learn's explained_variance_), in decreasing order.
  std::vector<double> explained_variance;
};

/// The first `dim` principal components of X (centered, no whitening).
/// Signs are fixed so that the largest-magnitude loading of every component
/// is positive, which makes results reproducible across FAISS/LAPACK
/// versions. Uses every row for training (FAISS would subsample otherwise).
/// Throws NebenchError unless 1 <= dim <= d and n >= 2.
PcaResult pca(const Matrix &X, int dim);

/// pca(X, dim).projected.
Matrix pca_transform(const Matrix &X, int dim);

} // namespace nebench
