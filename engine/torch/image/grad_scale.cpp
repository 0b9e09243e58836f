#include "engine/torch/image/grad_scale.h"

#include "engine/core/errors.h"

#include <cmath>
#include <string>

namespace nebench {

namespace {

/// Algorithm 1 of Draganov et al. (2025) as an autograd function: forward
/// the identity, backward grad * |z_i|^p per row.
struct RescaleNorm : public torch::autograd::Function<RescaleNorm> {
  static torch::Tensor forward(torch::autograd::AutogradContext *ctx,
                               const torch::Tensor &z, double p) {
    // The factor is computed once, from the forward value, and kept as a
    // constant: the paper detaches the norm so that the rescaling does not
    // add a gradient term of its own.
    const torch::Tensor factor = z.detach().norm(2, /*dim=*/1, true).pow(p);
    ctx->saved_data["factor"] = factor;
    return z.clone();
  }

  static torch::autograd::variable_list
  backward(torch::autograd::AutogradContext *ctx,
           torch::autograd::variable_list grad) {
    const torch::Tensor factor = ctx->saved_data["factor"].toTensor();
    return {grad[0] * factor, torch::Tensor()};
  }
};

} // namespace

torch::Tensor grad_scale(const torch::Tensor &z, double p) {
  if (!z.defined() || z.dim() != 2 || z.size(0) < 1 || z.size(1) < 1 ||
      !z.is_floating_point())
    throw NebenchError("grad_scale: z must be a floating N x d tensor with "
                       "N, d >= 1");
  if (!(p >= 0) || !std::isfinite(p))
    throw NebenchError("grad_scale: the power p must be >= 0, got " +
                       std::to_string(p));
  if (p == 0)
    return z;
  return RescaleNorm::apply(z, p);
}

} // namespace nebench
