#include "engine/ne/laplacian_eigenmaps.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/connected_components.h"

#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {

namespace {

/// y = N' x = D^-1/2 W D^-1/2 x - u_1 (u_1 . x), matrix-free over the CSR
/// (Spectra's operator interface).
class DeflatedNormalizedAdjacency {
public:
  using Scalar = double;

  DeflatedNormalizedAdjacency(const Csr &W, std::vector<double> values,
                              std::vector<double> trivial)
      : W_(W), values_(std::move(values)), trivial_(std::move(trivial)) {}

  Eigen::Index rows() const { return W_.n; }
  Eigen::Index cols() const { return W_.n; }

  /// Undeflated y = N x.
  void multiply(const double *x, double *y) const {
    const std::int64_t n = W_.n;
#pragma omp parallel for schedule(static) if (n > 20000)
    for (std::int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (auto p = W_.row_begin(i); p < W_.row_end(i); ++p)
        s += values_[p] * x[W_.indices[p]];
      y[i] = s;
    }
  }

  void perform_op(const double *x, double *y) const {
    multiply(x, y);
    double dot = 0; // serial: the same sum whatever the thread count
    for (std::int64_t i = 0; i < W_.n; ++i)
      dot += trivial_[i] * x[i];
    for (std::int64_t i = 0; i < W_.n; ++i)
      y[i] -= dot * trivial_[i];
  }

private:
  const Csr &W_;
  std::vector<double> values_;  ///< w_ij / sqrt(d_i d_j) per stored entry
  std::vector<double> trivial_; ///< u_1 = D^1/2 1 / |D^1/2 1|
};

void validate(const Csr &W, int dim) {
  const std::int64_t n = W.n;
  if (static_cast<std::int64_t>(W.indptr.size()) != n + 1 || W.indptr[0] != 0 ||
      W.indptr[n] != W.nnz() || W.values.size() != W.indices.size())
    throw NebenchError("Laplacian eigenmaps: malformed CSR matrix");
  if (dim < 1 || dim > n - 2)
    throw NebenchError("Laplacian eigenmaps: dim = " + std::to_string(dim) +
                       " must be in [1, n - 2] for n = " + std::to_string(n) +
                       " nodes (the trivial eigenvector is dropped)");
  for (std::int64_t i = 0; i < n; ++i) {
    if (W.indptr[i + 1] < W.indptr[i])
      throw NebenchError("Laplacian eigenmaps: malformed CSR matrix");
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p) {
      if (W.indices[p] < 0 || W.indices[p] >= n)
        throw NebenchError("Laplacian eigenmaps: row " + std::to_string(i) +
                           " holds column " + std::to_string(W.indices[p]) +
                           " outside [0, " + std::to_string(n) + ")");
      if (!(W.values[p] >= 0) || !std::isfinite(W.values[p]))
        throw NebenchError("Laplacian eigenmaps: weight " +
                           std::to_string(W.values[p]) + " at (" +
                           std::to_string(i) + ", " +
                           std::to_string(W.indices[p]) +
                           ") must be finite and >= 0");
    }
  }
  // Symmetry: the transpose (built by counting sort, so its rows are sorted
  // by column) must equal W with sorted rows.
  std::vector<std::int64_t> tptr(n + 1, 0);
  for (std::int32_t j : W.indices)
    ++tptr[j + 1];
  for (std::int64_t i = 0; i < n; ++i)
    tptr[i + 1] += tptr[i];
  std::vector<std::int32_t> tcol(W.indices.size());
  std::vector<double> tval(W.indices.size());
  std::vector<std::int64_t> fill(tptr.begin(), tptr.end() - 1);
  for (std::int64_t i = 0; i < n; ++i)
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p) {
      const auto q = fill[W.indices[p]]++;
      tcol[q] = static_cast<std::int32_t>(i);
      tval[q] = W.values[p];
    }
  std::vector<std::pair<std::int32_t, double>> row;
  for (std::int64_t i = 0; i < n; ++i) {
    row.clear();
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      row.emplace_back(W.indices[p], W.values[p]);
    std::sort(row.begin(), row.end());
    bool same = static_cast<std::int64_t>(row.size()) == tptr[i + 1] - tptr[i];
    for (std::size_t e = 0; same && e < row.size(); ++e)
      same = row[e].first == tcol[tptr[i] + static_cast<std::int64_t>(e)] &&
             row[e].second == tval[tptr[i] + static_cast<std::int64_t>(e)];
    if (!same)
      throw NebenchError("Laplacian eigenmaps: the graph is not symmetric "
                         "(row " +
                         std::to_string(i) +
                         " differs from column " + std::to_string(i) +
                         "); store both directions of every edge");
  }
}

} // namespace

MatrixD laplacian_eigenmaps(const Csr &W, int dim,
                            const LaplacianEigenmapsOptions &options,
                            LaplacianEigenmapsInfo *info) {
  validate(W, dim);
  if (!(options.tolerance > 0) || options.ncv < 0 || options.max_restarts < 1)
    throw NebenchError("Laplacian eigenmaps: tolerance must be > 0, ncv >= 0 "
                       "and max_restarts >= 1");
  const std::int64_t n = W.n;

  const GraphComponents cc = connected_components(W);
  if (cc.count > 1) {
    std::vector<std::int64_t> sizes = cc.sizes;
    std::sort(sizes.rbegin(), sizes.rend());
    std::string listed;
    for (std::size_t c = 0; c < std::min<std::size_t>(sizes.size(), 5); ++c)
      listed += (c ? ", " : "") + std::to_string(sizes[c]);
    throw NumericalError(
        "Laplacian eigenmaps: the graph has " + std::to_string(cc.count) +
        " connected components (largest sizes: " + listed +
        (sizes.size() > 5 ? ", ..." : "") +
        "), so the eigenvalue 0 of L v = lambda D v is repeated and the "
        "embedding is not determined; use a larger k or a connected graph");
  }

  std::vector<double> degree(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      degree[i] += W.values[p];
  for (std::int64_t i = 0; i < n; ++i)
    if (!(degree[i] > 0))
      throw NumericalError("Laplacian eigenmaps: node " + std::to_string(i) +
                           " has degree 0 (its edges all have weight 0)");
  std::vector<double> inv_sqrt(static_cast<std::size_t>(n));
  std::vector<double> trivial(static_cast<std::size_t>(n));
  double total = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    inv_sqrt[i] = 1.0 / std::sqrt(degree[i]);
    total += degree[i];
  }
  for (std::int64_t i = 0; i < n; ++i)
    trivial[i] = std::sqrt(degree[i] / total);
  std::vector<double> values(W.values.size());
  for (std::int64_t i = 0; i < n; ++i)
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      values[p] = W.values[p] * inv_sqrt[i] * inv_sqrt[W.indices[p]];
  DeflatedNormalizedAdjacency op(W, std::move(values), trivial);

  const int nev = dim;
  int ncv = options.ncv > 0 ? options.ncv : std::max(2 * nev + 1, 20);
  ncv = static_cast<int>(std::min<std::int64_t>(ncv, n));
  if (ncv <= nev)
    throw NebenchError("Laplacian eigenmaps: ncv = " + std::to_string(ncv) +
                       " must exceed dim = " + std::to_string(nev));

  // Seeded random start, orthogonal to the trivial vector.
  Eigen::VectorXd start(n);
  Rng rng(options.seed);
  for (std::int64_t i = 0; i < n; ++i)
    start[i] = rng.uniform() - 0.5;
  const double proj = start.dot(Eigen::Map<const Eigen::VectorXd>(
      trivial.data(), static_cast<Eigen::Index>(n)));
  for (std::int64_t i = 0; i < n; ++i)
    start[i] -= proj * trivial[i];

  Spectra::SymEigsSolver<DeflatedNormalizedAdjacency> eigs(op, nev, ncv);
  eigs.init(start.data());
  eigs.compute(Spectra::SortRule::LargestAlge, options.max_restarts,
               options.tolerance, Spectra::SortRule::LargestAlge);
  if (eigs.info() != Spectra::CompInfo::Successful)
    throw NumericalError(
        "Laplacian eigenmaps: Lanczos did not converge to tolerance " +
        std::to_string(options.tolerance) + " in " +
        std::to_string(options.max_restarts) + " restarts (ncv = " +
        std::to_string(ncv) + "); raise max_restarts, ncv or the tolerance");
  const Eigen::VectorXd mu = eigs.eigenvalues();    // descending
  const Eigen::MatrixXd U = eigs.eigenvectors(nev); // n x nev, orthonormal

  MatrixD V(n, dim);
  LaplacianEigenmapsInfo result;
  result.restarts = eigs.num_iterations();
  result.matvecs = eigs.num_operations();
  std::vector<double> Nu(static_cast<std::size_t>(n));
  for (int c = 0; c < dim; ++c) {
    const Eigen::VectorXd u = U.col(c);
    op.multiply(u.data(), Nu.data());
    double r2 = 0;
    for (std::int64_t i = 0; i < n; ++i)
      r2 += (Nu[i] - mu[c] * u[i]) * (Nu[i] - mu[c] * u[i]);
    result.eigenvalues.push_back(1.0 - mu[c]);
    result.residuals.push_back(std::sqrt(r2));
    // v = D^-1/2 u, then the sign: largest |entry| (first on ties) > 0.
    std::int64_t arg = 0;
    double best = -1;
    for (std::int64_t i = 0; i < n; ++i) {
      V(i, c) = u[i] * inv_sqrt[i];
      if (std::fabs(V(i, c)) > best) {
        best = std::fabs(V(i, c));
        arg = i;
      }
    }
    if (V(arg, c) < 0)
      for (std::int64_t i = 0; i < n; ++i)
        V(i, c) = -V(i, c);
  }
  if (info)
    *info = std::move(result);
  return V;
}

} // namespace nebench
