#include "engine/ne/laplacian_eigenmaps.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/connected_components.h"

#include <Eigen/SparseCholesky>
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
#pragma omp parallel for schedule(static) if (n > 5000)
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

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

/// Sparse LDL^T with AMD ordering that also reports the size of its factor
/// after the symbolic phase (Eigen keeps the column counts protected).
class FillAwareLdlt : public Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower,
                                                   Eigen::AMDOrdering<int>> {
public:
  double factor_nonzeros() const {
    double total = 0;
    for (Eigen::Index j = 0; j < m_nonZerosPerCol.size(); ++j)
      total += m_nonZerosPerCol[j];
    return total;
  }
};

/// y = P (L_sym - sigma I)^-1 P x with P = I - u_1 u_1^T: eigenvalue 0 on
/// u_1 and 1 / (lambda_k - sigma) on the other eigenvectors of L_sym, so the
/// largest are the wanted smallest lambda_k, well separated even when the
/// lambda_k cluster near 0 (shift-invert, e.g. Saad 2011, "Numerical
/// methods for large eigenvalue problems", sec. 4.1).
class DeflatedShiftInvert {
public:
  using Scalar = double;

  DeflatedShiftInvert(const FillAwareLdlt &ldlt, const std::vector<double> &u1)
      : ldlt_(ldlt), u1_(u1.data(), static_cast<Eigen::Index>(u1.size())) {}

  Eigen::Index rows() const { return u1_.size(); }
  Eigen::Index cols() const { return u1_.size(); }

  void perform_op(const double *x, double *y) const {
    Eigen::Map<const Eigen::VectorXd> in(x, u1_.size());
    Eigen::VectorXd t = in - u1_.dot(in) * u1_;
    Eigen::Map<Eigen::VectorXd> out(y, u1_.size());
    out = ldlt_.solve(t);
    out -= u1_.dot(out) * u1_;
  }

private:
  const FillAwareLdlt &ldlt_;
  Eigen::Map<const Eigen::VectorXd> u1_;
};

/// The nev largest algebraic eigenpairs of `op` by Spectra's implicitly
/// restarted Lanczos, descending; ok = false when they did not converge.
struct LanczosResult {
  bool ok = false;
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
  std::int64_t restarts = 0;
  std::int64_t matvecs = 0;
};

template <class Op>
LanczosResult largest_eigenpairs(Op &op, int nev, int ncv, int max_restarts,
                                 double tolerance,
                                 const Eigen::VectorXd &start) {
  Spectra::SymEigsSolver<Op> eigs(op, nev, ncv);
  eigs.init(start.data());
  eigs.compute(Spectra::SortRule::LargestAlge, max_restarts, tolerance,
               Spectra::SortRule::LargestAlge);
  LanczosResult r;
  r.restarts = eigs.num_iterations();
  r.matvecs = eigs.num_operations();
  r.ok = eigs.info() == Spectra::CompInfo::Successful;
  if (r.ok) {
    r.values = eigs.eigenvalues();
    r.vectors = eigs.eigenvectors(nev);
  }
  return r;
}

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
        throw NebenchError(
            "Laplacian eigenmaps: weight " + std::to_string(W.values[p]) +
            " at (" + std::to_string(i) + ", " + std::to_string(W.indices[p]) +
            ") must be finite and >= 0");
    }
  }
  // Symmetry: the transpose (built by counting sort, so its rows are sorted
  // by column) must equal W with sorted rows, up to relative rounding 1e-12.
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
    // Values may differ by rounding (e.g. a fuzzy union summed in another
    // order), not more.
    for (std::size_t e = 0; same && e < row.size(); ++e) {
      const auto q = tptr[i] + static_cast<std::int64_t>(e);
      same = row[e].first == tcol[q] &&
             std::fabs(row[e].second - tval[q]) <=
                 1e-12 * std::max(row[e].second, tval[q]);
    }
    if (!same)
      throw NebenchError("Laplacian eigenmaps: the graph is not symmetric "
                         "(row " +
                         std::to_string(i) + " differs from column " +
                         std::to_string(i) +
                         "); store both directions of every edge");
  }
}

} // namespace

MatrixD laplacian_eigenmaps(const Csr &W, int dim,
                            const LaplacianEigenmapsOptions &options,
                            LaplacianEigenmapsInfo *info) {
  validate(W, dim);
  if (!(options.tolerance > 0) || options.ncv < 0 || options.max_restarts < 1 ||
      !(options.shift > 0) || !(options.max_factor_nonzeros >= 0))
    throw NebenchError("Laplacian eigenmaps: tolerance and shift must be > 0, "
                       "ncv >= 0, max_restarts >= 1, max_factor_nonzeros >= "
                       "0");
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

  // 1. Lanczos on N' (matrix-free, fast when the wanted eigenvalues are
  // separated, as on kNN graphs of high-dimensional data).
  LanczosResult lanczos = largest_eigenpairs(op, nev, ncv, options.max_restarts,
                                             options.tolerance, start);
  LaplacianEigenmapsInfo result;
  result.restarts = lanczos.restarts;
  result.matvecs = lanczos.matvecs;
  Eigen::VectorXd mu;
  Eigen::MatrixXd U;
  if (lanczos.ok) {
    mu = lanczos.values;
    U = std::move(lanczos.vectors);
  } else {
    // 2. Shift-invert on L_sym - sigma I (sigma = -options.shift < 0 keeps
    // it positive definite although L_sym u_1 = 0) when its sparse factor
    // fits: clustered eigenvalues near 0 (chains, low-dimensional
    // manifolds) converge slowly in 1. but such graphs have small
    // separators, hence little fill.
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(W.values.size() + static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      entries.emplace_back(i, i, 1.0 + options.shift);
      for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
        if (W.indices[p] <= i) // lower triangle (Eigen reads only Lower)
          entries.emplace_back(i, W.indices[p],
                               -W.values[p] * inv_sqrt[i] *
                                   inv_sqrt[W.indices[p]]);
    }
    SparseMatrix shifted(n, n);
    shifted.setFromTriplets(entries.begin(), entries.end());
    FillAwareLdlt ldlt;
    ldlt.analyzePattern(shifted);
    const double fill = ldlt.factor_nonzeros();
    if (fill > options.max_factor_nonzeros)
      throw NumericalError(
          "Laplacian eigenmaps: Lanczos did not converge to tolerance " +
          std::to_string(options.tolerance) + " in " +
          std::to_string(options.max_restarts) + " restarts (ncv = " +
          std::to_string(ncv) + ") and the shift-invert factor would hold " +
          std::to_string(static_cast<std::int64_t>(fill)) +
          " nonzeros (limit " +
          std::to_string(
              static_cast<std::int64_t>(options.max_factor_nonzeros)) +
          "); raise max_restarts, ncv or the tolerance");
    ldlt.factorize(shifted);
    if (ldlt.info() != Eigen::Success)
      throw NumericalError("Laplacian eigenmaps: the sparse factorization of "
                           "the shifted Laplacian failed");
    DeflatedShiftInvert inverse(ldlt, trivial);
    LanczosResult si = largest_eigenpairs(
        inverse, nev, ncv, options.max_restarts, options.tolerance, start);
    result.restarts += si.restarts;
    result.matvecs += si.matvecs;
    result.shift_invert = true;
    if (!si.ok)
      throw NumericalError(
          "Laplacian eigenmaps: neither Lanczos nor shift-invert Lanczos "
          "converged to tolerance " +
          std::to_string(options.tolerance) + " in " +
          std::to_string(options.max_restarts) + " restarts (ncv = " +
          std::to_string(ncv) + "); raise max_restarts, ncv or the tolerance");
    // nu = 1 / (lambda + shift): lambda = 1 / nu - shift, mu = 1 - lambda.
    mu.resize(nev);
    for (int c = 0; c < nev; ++c)
      mu[c] = 1.0 - (1.0 / si.values[c] - options.shift);
    U = std::move(si.vectors);
  }

  MatrixD V(n, dim);
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
