#include "engine/torch/image/contrastive_losses.h"

#include "engine/core/errors.h"

#include <limits>
#include <string>

namespace nebench {

namespace {

void check_views(const torch::Tensor &z1, const torch::Tensor &z2,
                 const char *loss) {
  const auto shape = [](const torch::Tensor &t) {
    std::string s;
    for (std::int64_t i = 0; i < t.dim(); ++i)
      s += (i ? " x " : "") + std::to_string(t.size(i));
    return s.empty() ? std::string("a scalar") : s;
  };
  if (!z1.defined() || !z2.defined() || z1.dim() != 2 ||
      z1.sizes() != z2.sizes() || z1.size(0) < 1 || z1.size(1) < 1)
    throw NebenchError(std::string(loss) +
                       ": the two views must be B x d matrices of one shape "
                       "(B, d >= 1), got " +
                       (z1.defined() ? shape(z1) : "undefined") + " and " +
                       (z2.defined() ? shape(z2) : "undefined"));
  if (!z1.is_floating_point() || z1.scalar_type() != z2.scalar_type())
    throw NebenchError(std::string(loss) +
                       ": the views must share one floating-point dtype");
}

/// Row-wise log sum_{k != i} exp(s_ik): the diagonal (the anchor itself) is
/// masked to -inf, which also gives it a zero gradient.
torch::Tensor logsumexp_others(const torch::Tensor &s) {
  const torch::Tensor self = torch::eye(
      s.size(0), torch::TensorOptions().dtype(torch::kBool).device(s.device()));
  return torch::logsumexp(
      s.masked_fill(self, -std::numeric_limits<double>::infinity()), 1);
}

} // namespace

torch::Tensor infonce_cauchy(const torch::Tensor &z1, const torch::Tensor &z2) {
  check_views(z1, z2, "infonce_cauchy");
  // Squared distances from the Gram matrix, |a|^2 + |b|^2 - 2 a.b (one
  // matrix product instead of a 2B x 2B x d difference tensor), after
  // centring: distances do not change under a common shift, but the
  // cancellation error of the Gram form grows with |z|^2. clamp_min(0)
  // removes negative round-off (its gradient there is 0, and the only
  // exact zeros are the masked diagonal).
  torch::Tensor z = torch::cat({z1, z2}, 0);
  z = z - z.mean(0, /*keepdim=*/true);
  const torch::Tensor sq = (z * z).sum(1);
  const torch::Tensor d2 =
      (sq.unsqueeze(1) + sq.unsqueeze(0) - 2.0 * z.mm(z.t())).clamp_min(0.0);
  // s_ik = log q_ik = -log(1 + d_ik^2).
  const torch::Tensor uniformity = logsumexp_others(-torch::log1p(d2));
  // -log q_{i,i+} = log(1 + |z1_b - z2_b|^2), the same for the anchors b and
  // b + B, so its mean over 2B anchors is its mean over the B pairs;
  // computed from the difference directly (no cancellation).
  const torch::Tensor alignment = torch::log1p((z1 - z2).pow(2).sum(1));
  return alignment.mean() + uniformity.mean();
}

torch::Tensor infonce_cosine(const torch::Tensor &z1, const torch::Tensor &z2,
                             double temperature) {
  check_views(z1, z2, "infonce_cosine");
  if (!(temperature > 0))
    throw NebenchError("infonce_cosine: the temperature must be > 0, got " +
                       std::to_string(temperature));
  namespace F = torch::nn::functional;
  // F.normalize: z / max(|z|, 1e-12), as the reference.
  const torch::Tensor n =
      F::normalize(torch::cat({z1, z2}, 0), F::NormalizeFuncOptions().dim(1));
  const std::int64_t b = z1.size(0);
  const torch::Tensor s = n.mm(n.t()) / temperature;
  const torch::Tensor uniformity = logsumexp_others(s);
  // s_{b, b+B} = s_{b+B, b}: the mean over 2B anchors is the mean over pairs.
  const torch::Tensor alignment =
      (n.narrow(0, 0, b) * n.narrow(0, b, b)).sum(1) / temperature;
  return uniformity.mean() - alignment.mean();
}

} // namespace nebench
