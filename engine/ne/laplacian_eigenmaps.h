#pragma once
// Laplacian eigenmaps (Belkin & Niyogi 2003) on a weighted symmetric graph W
// with degrees D = diag(W 1): the generalized eigenvectors
//
//   L v = lambda D v,   L = D - W,
//
// for the `dim` smallest eigenvalues after the trivial lambda_1 = 0 (v = 1).
// The spectrum paper's end point of the attraction-repulsion spectrum
// (Boehm et al. 2022, sec. 2.2 of our notes: binary kNN graph, k = 15,
// normalized Laplacian, drop the first eigenvector, divide by sqrt(degree);
// its code used LOBPCG with an AMG preconditioner at tol 1e-5), and UMAP's
// spectral initialization.
//
// Method: with u = D^1/2 v the problem is the symmetric
//   N u = mu u,   N = D^-1/2 W D^-1/2,   mu = 1 - lambda,
// so the wanted vectors are the largest eigenvalues of N below the trivial
// mu = 1, whose eigenvector u_1 = D^1/2 1 / |D^1/2 1| is known exactly. We
// deflate it (N' = N - u_1 u_1^T, eigenvalue 0 on u_1) and ask Spectra's
// implicitly restarted Lanczos (SymEigsSolver) for the `dim` largest
// algebraic eigenvalues of N' (all in [-1, 1]), with a matrix-free product
// over the CSR that runs in parallel over rows, each row in CSR order (the
// result does not depend on the thread count). This converges fast when the
// wanted eigenvalues are separated (kNN graphs of high-dimensional data:
// Fashion-MNIST, n = 70,000, needs ~350 products).
//
// When the lambda_k cluster near 0 (long chains, low-dimensional manifolds:
// gaps of 1e-7 make Lanczos on N' hopeless) and Lanczos has not converged
// after max_restarts, we switch to shift-invert: Lanczos on P (L_sym + s I)^-1
// P (P = I - u_1 u_1^T, s = `shift` > 0), whose eigenvalues 1 / (lambda_k +
// s) are well separated, using a sparse LDL^T factorization (Eigen,
// AMD ordering). Such graphs have small separators and thus little fill;
// the factorization is only attempted when the symbolic phase predicts at
// most max_factor_nonzeros entries (kNN graphs of high-dimensional data
// would need ~1e8 and are not factorized).
//
// A disconnected graph has eigenvalue 0 with multiplicity = number of
// components and no unique embedding; we detect it up front and throw (see
// laplacian_eigenmaps()).

#include "engine/core/csr.h"
#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct LaplacianEigenmapsOptions {
  /// Spectra's convergence tolerance: a Ritz pair (theta, u) of the
  /// operator is accepted when its residual is below tolerance *
  /// max(|theta|, eps^(2/3)); theta = mu for N' (an absolute bound on
  /// |N u - mu u|), theta = 1 / (lambda + shift) in the fallback (a bound
  /// relative to lambda).
  double tolerance = 1e-10;
  /// Krylov subspace size; 0 = max(2 dim + 1, 20) (capped at n). Larger
  /// values need fewer restarts when eigenvalues cluster near 0.
  int ncv = 0;
  /// Maximum number of Lanczos restarts (Spectra's maxit), for each of the
  /// two attempts (on N', then shift-invert).
  int max_restarts = 1000;
  /// s in the shift-invert fallback: L_sym + s I is factorized. Must be
  /// small next to lambda_2 (else the wanted eigenvalues blur) but keeps the
  /// factor's condition number at about 2 / s.
  double shift = 1e-10;
  /// The shift-invert fallback is only tried when its sparse factor holds
  /// at most this many nonzeros (12 bytes each).
  double max_factor_nonzeros = 3e7;
  /// Seed of the random start vector (results agree to the tolerance for
  /// every seed; the seed only makes the run reproducible bit for bit).
  std::uint64_t seed = 0;
};

struct LaplacianEigenmapsInfo {
  /// lambda_2 <= ... <= lambda_{dim+1} of L v = lambda D v.
  std::vector<double> eigenvalues;
  /// |N u - mu u| of every returned vector (|u| = 1), recomputed after
  /// convergence.
  std::vector<double> residuals;
  std::int64_t restarts = 0; ///< Lanczos restarts used (both attempts)
  std::int64_t matvecs = 0;  ///< operator applications (both attempts)
  bool shift_invert = false; ///< whether the shift-invert fallback ran
};

/// n x dim embedding: column c is the generalized eigenvector v of the
/// (c+2)-th smallest eigenvalue, D-normalized (v^T D v = 1, i.e. v = D^-1/2 u
/// with |u| = 1, as the spectrum paper's code) and signed so that its
/// largest-magnitude entry (the first one on ties) is positive.
///
/// W must be square, symmetric (same pattern, values equal up to a relative
/// 1e-12), with finite non-negative values; self-loops are allowed. Throws
/// NebenchError for an invalid W or dim (1 <= dim <= n - 2), NumericalError
/// when W is disconnected (message: number of components and the largest sizes;
/// the caller may fall back, e.g. UMAP to random init) or when neither attempt
/// converges within max_restarts (or the fallback's factor is too large).
MatrixD laplacian_eigenmaps(const Csr &W, int dim,
                            const LaplacianEigenmapsOptions &options = {},
                            LaplacianEigenmapsInfo *info = nullptr);

} // namespace nebench
