// GradScale (engine/torch/image/grad_scale.h; Draganov et al. 2025,
// Algorithm 1): the identity forward, row i's gradient times |z_i|^p
// backward, against hand-computed values; with p = 1 the gradient of a
// cosine loss w.r.t. z no longer depends on the scale of z (without it, it
// falls as 1 / scale, sec. 3.1).

#include "engine/core/errors.h"
#include "engine/torch/image/contrastive_losses.h"
#include "engine/torch/image/grad_scale.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace nebench {
namespace {

torch::Tensor t64(std::initializer_list<double> values, std::int64_t rows,
                  std::int64_t cols) {
  return torch::tensor(std::vector<double>(values), torch::kFloat64)
      .reshape({rows, cols});
}

TEST(GradScale, IdentityForwardScaledBackwardByHand) {
  // Rows of norm 5 (3, 4) and 1 (1, 0); upstream gradient g.
  const torch::Tensor g = t64({1, 2, 3, 4}, 2, 2);
  for (const double p : {1.0, 2.0, 0.5}) {
    SCOPED_TRACE("p = " + std::to_string(p));
    const torch::Tensor z = t64({3, 4, 1, 0}, 2, 2).requires_grad_(true);
    const torch::Tensor out = grad_scale(z, p);
    EXPECT_TRUE(torch::equal(out.detach(), z.detach()));
    out.backward(g);
    const double f = std::pow(5.0, p);
    // Row 0 times 5^p, row 1 times 1^p = 1.
    const torch::Tensor expected = t64({f, 2 * f, 3, 4}, 2, 2);
    EXPECT_TRUE(torch::allclose(z.grad(), expected, 1e-15, 0))
        << z.grad() << "\nexpected\n"
        << expected;
  }
  // p = 0: z itself, the gradient passes unchanged.
  const torch::Tensor z = t64({3, 4, 1, 0}, 2, 2).requires_grad_(true);
  grad_scale(z, 0.0).backward(g);
  EXPECT_TRUE(torch::equal(z.grad(), g));
}

TEST(GradScale, NormIsAConstantOfTheBackward) {
  // L = sum(grad_scale(z, 1)): dL/dz_i = |z_i| * 1 per entry, with no term
  // from differentiating the norm (which would add z_i / |z_i| * sum(z_i)).
  const torch::Tensor z = t64({3, 4}, 1, 2).requires_grad_(true);
  grad_scale(z, 1.0).sum().backward();
  EXPECT_TRUE(torch::allclose(z.grad(), t64({5, 5}, 1, 2), 1e-15, 0));
}

TEST(GradScale, PowerOneMakesTheCosineGradientScaleFree) {
  torch::manual_seed(3);
  const torch::Tensor z1 = torch::randn({6, 5}, torch::kFloat64);
  const torch::Tensor z2 = torch::randn({6, 5}, torch::kFloat64);
  const auto grads = [&](double scale, double p) {
    const torch::Tensor a = (z1 * scale).requires_grad_(true);
    const torch::Tensor b = (z2 * scale).requires_grad_(true);
    const torch::Tensor z = grad_scale(torch::cat({a, b}, 0), p);
    infonce_cosine(z.narrow(0, 0, 6), z.narrow(0, 6, 6), 0.5).backward();
    return torch::cat({a.grad(), b.grad()}, 0);
  };
  const torch::Tensor plain1 = grads(1.0, 0.0);
  const torch::Tensor scaled1 = grads(1.0, 1.0);
  for (const double s : {0.1, 3.0, 40.0}) {
    SCOPED_TRACE("scale " + std::to_string(s));
    // Without GradScale: 1 / scale (sec. 3.1).
    EXPECT_TRUE(torch::allclose(grads(s, 0.0), plain1 / s, 1e-12, 1e-15));
    // With p = 1: independent of the scale.
    EXPECT_TRUE(torch::allclose(grads(s, 1.0), scaled1, 1e-12, 1e-15));
  }
  // And p = 1 is the plain gradient times each row's norm.
  const torch::Tensor norms =
      torch::cat({z1, z2}, 0).norm(2, 1, /*keepdim=*/true);
  EXPECT_TRUE(torch::allclose(scaled1, plain1 * norms, 1e-12, 1e-15));
}

TEST(GradScale, RejectsBadInput) {
  EXPECT_THROW(grad_scale(torch::ones({2, 2}), -1.0), NebenchError);
  EXPECT_THROW(grad_scale(torch::ones({4}), 1.0), NebenchError);
  EXPECT_THROW(grad_scale(torch::ones({2, 2}, torch::kInt64), 1.0),
               NebenchError);
}

} // namespace
} // namespace nebench
