#pragma once
// The t-SNE objective with exaggeration (Boehm et al. 2022, sec. 2.1):
//   L_rho(Y) = -rho sum_ij p_ij log w_ij + log sum_{k != l} w_kl,
// its gradient in openTSNE's convention (without the factor 4):
//   g_i = rho * sum_j p_ij base_ij (y_i - y_j) - (1/Z) sum_j w_ij base_ij
//         (y_i - y_j)  =  (1/4) dL_rho/dy_i,
// and the KL divergence KL(P || Q), Q = W / Z, reported in traces.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "engine/ne/repulsion.h"

namespace nebench {

/// Exact L_rho(Y), O(n^2) (for tests of the gradient).
double tsne_loss(const Csr &P, const MatrixD &Y, double exaggeration,
                 double dof);

/// g = rho * attraction - forces / Z with the given repulsion estimator;
/// `grad` is resized to Y's shape. Returns Z as estimated.
double tsne_gradient(const Csr &P, const MatrixD &Y, double exaggeration,
                     double dof, RepulsionEstimator &repulsion, MatrixD &grad);

/// KL(P || W/Z) = sum p log p - sum p log w + (sum p) log Z over the stored
/// entries of P, for a given (exact or estimated) Z.
double kl_divergence(const Csr &P, const MatrixD &Y, double dof, double Z);

} // namespace nebench
