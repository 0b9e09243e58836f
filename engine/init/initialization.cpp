#include "engine/init/initialization.h"

#include "engine/ne/laplacian_eigenmaps.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/knn/pca.h"

#include <cmath>
#include <string>

namespace nebench {

namespace {

double first_column_std(const MatrixD &Y) {
  if (Y.rows < 1 || Y.cols < 1)
    return 0.0;
  double mean = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    mean += Y(i, 0);
  mean /= static_cast<double>(Y.rows);
  double ss = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    ss += (Y(i, 0) - mean) * (Y(i, 0) - mean);
  // numpy's np.std: population standard deviation (ddof = 0).
  return std::sqrt(ss / static_cast<double>(Y.rows));
}

} // namespace

MatrixD pca_init(const Matrix &X, int dim, double target_std) {
  MatrixD Y = convert<double>(pca_transform(X, dim));
  rescale(Y, target_std);
  return Y;
}

MatrixD spectral_init(const Csr &adjacency, int dim, double target_std) {
  MatrixD Y = laplacian_eigenmaps(adjacency, dim);
  if (target_std > 0)
    rescale(Y, target_std);
  return Y;
}

MatrixD random_init(std::int64_t n, int dim, double std, std::uint64_t seed) {
  MatrixD Y(n, dim);
  Rng rng(seed);
  for (double &v : Y.data)
    v = std * rng.normal();
  return Y;
}

void rescale(MatrixD &Y, double target_std) {
  const double s = first_column_std(Y);
  if (!(s > 0) || !std::isfinite(s))
    throw NumericalError("rescale: the first column of the initial embedding "
                         "has standard deviation " +
                         std::to_string(s) + ", cannot rescale");
  const double f = target_std / s;
  for (double &v : Y.data)
    v *= f;
}

void jitter(MatrixD &Y, double scale, std::uint64_t seed) {
  const double s = first_column_std(Y) * scale;
  Rng rng(seed, /*stream=*/1);
  for (double &v : Y.data)
    v += s * rng.normal();
}

} // namespace nebench
