#pragma once
// Losses that see z only through its direction z / |z|, with analytic
// gradients in double precision: the mean pair cosine and SimCLR's NT-Xent
// (the cosine InfoNCE of engine/torch/image/contrastive_losses.h). They are
// the objects of the norms paper's theory (Draganov et al., ICML 2025;
// papers/tsimcne_medical_norms.md sec. 3.1): for any loss of z_hat = z/|z|,
//
//   dL/dz = (1/|z|) (I - z_hat z_hat^T) dL/dz_hat,                      (1)
//
// so the gradient is orthogonal to z and scales as 1/|z| (claim N1), and a
// gradient step never shrinks |z| (claim N2). Native C++ so the claim checks
// and simulations need no LibTorch; tests compare the gradients with finite
// differences and, in a LibTorch build, with autograd of the torch loss.

#include "engine/core/matrix.h"

namespace nebench {

/// A loss value and its gradient with respect to both views.
struct PairLossGradient {
  double loss = 0;
  MatrixD grad1; ///< dL/dz1, n x d
  MatrixD grad2; ///< dL/dz2, n x d
};

/// L = -(1/n) sum_i cos(z1_i, z2_i) over n pairs (the norms paper's
/// simulation loss, sec. 3.2). Per pair (sec. 3.1),
///   dcos_ij/dz_i = (z_hat_j - cos_ij z_hat_i) / |z_i|,  |.| = sin/|z_i|.
/// z1, z2: n x d, n >= 1, no zero rows (NebenchError otherwise).
PairLossGradient mean_cosine_loss(const MatrixD &z1, const MatrixD &z2);

/// SimCLR's NT-Xent on Z = [z1; z2] (2n rows, the positive of row i is
/// i+ = (i + n) mod 2n), s_ij = cos(z_i, z_j) / temperature:
///   l_i = -s_{i,i+} + log sum_{k != i} exp(s_ik),  L = (1/2n) sum_i l_i,
/// exactly as infonce_cosine (engine/torch/image/contrastive_losses.h).
/// With P_ik the softmax of s_i. over k != i, dL/ds_ik = (P_ik -
/// [k = i+]) / 2n; s is symmetric, so dL/dz_hat_i = sum_k (G_ik + G_ki)
/// z_hat_k / temperature, then eq. (1). Rows must be nonzero, temperature
/// > 0 (NebenchError otherwise).
PairLossGradient nt_xent_loss(const MatrixD &z1, const MatrixD &z2,
                              double temperature);

} // namespace nebench
