#include "engine/knn/pca.h"

#include "engine/core/errors.h"

#include <faiss/VectorTransform.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {

PcaResult pca(const Matrix &X, int dim) {
  const std::int64_t n = X.rows, d = X.cols;
  if (dim < 1 || dim > d)
    throw NebenchError("PCA: dim = " + std::to_string(dim) +
                       " must be in [1, " + std::to_string(d) +
                       "] (the data has " + std::to_string(d) + " columns)");
  if (n < 2)
    throw NebenchError("PCA: needs at least 2 points, got " +
                       std::to_string(n));

  faiss::PCAMatrix transform(static_cast<int>(d), dim, 0.0f, false);
  // FAISS trains on at most max_points_per_d * d rows (a random subsample);
  // raise the cap so the components are those of all the data.
  transform.max_points_per_d = std::max<std::size_t>(
      transform.max_points_per_d, static_cast<std::size_t>(n / d + 1));
  try {
    transform.train(n, X.data.data());
  } catch (const std::exception &e) {
    throw NebenchError(std::string("PCA: FAISS training failed: ") + e.what());
  }

  // Sign convention: the largest-|value| loading of each component is
  // positive. A is dim x d (rows = components), b = -A * mean.
  for (int c = 0; c < dim; ++c) {
    float *a = transform.A.data() + static_cast<std::size_t>(c) * d;
    std::int64_t best = 0;
    for (std::int64_t j = 1; j < d; ++j)
      if (std::fabs(a[j]) > std::fabs(a[best]))
        best = j;
    if (a[best] < 0) {
      for (std::int64_t j = 0; j < d; ++j)
        a[j] = -a[j];
      if (transform.have_bias)
        transform.b[c] = -transform.b[c];
    }
  }

  PcaResult out;
  out.projected = Matrix(n, dim);
  transform.apply_noalloc(n, X.data.data(), out.projected.data.data());
  out.components = Matrix(dim, d);
  std::copy(transform.A.begin(), transform.A.begin() + dim * d,
            out.components.data.begin());
  out.mean = transform.mean;

  out.explained_variance.assign(dim, 0.0);
  for (int c = 0; c < dim; ++c) {
    double mean = 0;
    for (std::int64_t i = 0; i < n; ++i)
      mean += out.projected(i, c);
    mean /= static_cast<double>(n);
    double ss = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = out.projected(i, c) - mean;
      ss += v * v;
    }
    out.explained_variance[c] = ss / static_cast<double>(n - 1);
  }
  return out;
}

Matrix pca_transform(const Matrix &X, int dim) { return pca(X, dim).projected; }

} // namespace nebench
