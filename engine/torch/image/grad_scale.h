#pragma once
// GradScale, the norm-aware gradient rescaling of Draganov et al. (ICML
// 2025, "On the importance of embedding norms in self-supervised learning",
// Algorithm 1, `RescaleNorm` in their code; sec. 3.4 of
// papers/tsimcne_medical_norms.md). For a loss that sees z only through
// z / |z| (cosine similarity, NT-Xent), the gradient w.r.t. z_i has the
// factor 1 / |z_i| (sec. 3.1), so points with large norms learn slowly.
// GradScale is the identity in the forward pass and multiplies the
// incoming gradient of row i by |z_i|^p in the backward pass, with the norm
// treated as a constant (detached): p = 1 cancels the 1 / |z_i| factor, so
// the gradient that reaches the network no longer depends on the norm.

#include <torch/torch.h>

namespace nebench {

/// z: N x d (N >= 1, d >= 1, floating). Returns a tensor equal to z (a
/// copy) whose backward multiplies row i of the incoming gradient by
/// |z_i|^p, |z_i| the Euclidean norm of the row at the forward pass (no
/// gradient flows through the norm). p = 0 returns z itself (no extra
/// autograd node). A zero row with p < 0 would give an infinite factor:
/// p must be >= 0. Throws NebenchError for other shapes or p < 0.
torch::Tensor grad_scale(const torch::Tensor &z, double p);

} // namespace nebench
