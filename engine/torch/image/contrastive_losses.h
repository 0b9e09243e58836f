#pragma once
// In-batch InfoNCE losses of SimCLR and t-SimCNE (sec. 1.2 of
// papers/tsimcne_medical_norms.md; iclr2023 losses/infonce.py). The batch
// has B images and two augmented views of each: z1 (B x d) holds the first
// views, z2 (B x d) the second; stacked, Z = [z1; z2] has 2B rows and the
// positive of row i is i+ = (i + B) mod 2B. With a similarity s_ij,
//
//   l_i = -s_{i,i+} + log sum_{k != i} exp(s_ik),   loss = mean_i l_i,
//
// where the sum runs over all 2B - 1 other views, the positive included, and
// the mean over all 2B anchors (both view directions).
//   cauchy  s_ij = log q_ij, q_ij = 1 / (1 + |z_i - z_j|^2) on raw z
//           (t-SimCNE, InfoNCECauchy of the iclr2023 branch; no temperature)
//   cosine  s_ij = cos(z_i, z_j) / tau (SimCLR's NT-Xent, InfoNCECosine,
//           tau = 0.5)
// Both evaluate the full 2B x 2B matrix with the diagonal masked to -inf and
// take torch::logsumexp per row (stable for any scale of s).

#include <torch/torch.h>

namespace nebench {

/// t-SimCNE's loss. z1, z2: B x d (B >= 1, d >= 1) of one floating dtype
/// and device. Returns a 0-dim tensor with autograd. Throws NebenchError
/// for mismatched shapes.
torch::Tensor infonce_cauchy(const torch::Tensor &z1, const torch::Tensor &z2);

/// SimCLR's NT-Xent on z / |z| with similarity cos / temperature (SimCLR
/// and t-SimCNE's cosine baseline: temperature 0.5). Because z enters only
/// through its direction, the gradient w.r.t. each z_i is orthogonal to z_i
/// and scales as 1 / |z_i| (papers/tsimcne_medical_norms.md sec. 3.1).
/// Throws NebenchError for mismatched shapes or temperature <= 0.
torch::Tensor infonce_cosine(const torch::Tensor &z1, const torch::Tensor &z2,
                             double temperature = 0.5);

} // namespace nebench
