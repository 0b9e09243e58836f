#pragma once
// Attractive forces of t-SNE along the edges of the sparse affinity matrix P
// (the first term of the gradient in Boehm et al. 2022, sec. 2.1; openTSNE's
// estimate_positive_gradient_nn).

#include "engine/core/csr.h"
#include "engine/core/matrix.h"

namespace nebench {

/// forces(i) = sum_j p_ij * base_ij * (y_i - y_j) = -1/2 d/dy_i sum_j p_ij
/// log w_ij with base = (1 + d_ij^2/dof)^-1 (engine/ne/kernel.h). `forces`
/// is resized to Y's shape and overwritten. Parallel over rows; each row is
/// summed in CSR order, so the result does not depend on the thread count.
void attractive_forces(const Csr &P, const MatrixD &Y, double dof,
                       MatrixD &forces);

/// sum_ij p_ij log w_ij over the stored entries of P (for the loss).
double sum_p_log_w(const Csr &P, const MatrixD &Y, double dof);

/// sum_ij p_ij log p_ij over the stored positive entries (entropy part of KL).
double sum_p_log_p(const Csr &P);

/// sum of the stored values of P.
double sum_values(const Csr &P);

} // namespace nebench
