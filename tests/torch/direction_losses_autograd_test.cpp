// The native analytic gradients of engine/ne/direction_losses.h (used by the
// norms simulations, claim N1) against LibTorch autograd in double: NT-Xent
// against the project's own SimCLR loss (infonce_cosine of engine/torch/
// image/contrastive_losses.h), the mean pair cosine against autograd of
// -mean(normalize(z1) . normalize(z2)).

#include "engine/ne/direction_losses.h"
#include "engine/ne/norm_simulations.h"
#include "engine/torch/image/contrastive_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace nebench {
namespace {

torch::Tensor to_tensor(const MatrixD &m) {
  torch::Tensor t = torch::empty({m.rows, m.cols}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::int64_t i = 0; i < m.rows; ++i)
    for (std::int64_t j = 0; j < m.cols; ++j)
      a[i][j] = m(i, j);
  return t.requires_grad_(true);
}

void expect_same(const MatrixD &native, const torch::Tensor &grad,
                 const char *what) {
  ASSERT_EQ(grad.size(0), native.rows);
  ASSERT_EQ(grad.size(1), native.cols);
  auto a = grad.accessor<double, 2>();
  for (std::int64_t i = 0; i < native.rows; ++i)
    for (std::int64_t j = 0; j < native.cols; ++j)
      EXPECT_NEAR(native(i, j), a[i][j], 1e-12 * (1 + std::fabs(a[i][j])))
          << what << " (" << i << ", " << j << ")";
}

TEST(DirectionLossesAutograd, NtXentMatchesInfonceCosine) {
  for (double scale : {1.0, 2.0, 10.0}) {
    PointPairs p = noisy_pairs(16, 8, 0.5, 5);
    for (auto *m : {&p.z1, &p.z2})
      for (double &v : m->data)
        v *= scale;
    const PairLossGradient native = nt_xent_loss(p.z1, p.z2, 0.5);
    torch::Tensor z1 = to_tensor(p.z1), z2 = to_tensor(p.z2);
    torch::Tensor loss = infonce_cosine(z1, z2, 0.5);
    loss.backward();
    EXPECT_NEAR(native.loss, loss.item<double>(), 1e-12) << "s = " << scale;
    expect_same(native.grad1, z1.grad(), "dL/dz1");
    expect_same(native.grad2, z2.grad(), "dL/dz2");
  }
}

TEST(DirectionLossesAutograd, MeanCosineMatchesAutograd) {
  namespace F = torch::nn::functional;
  const PointPairs p = noisy_pairs(16, 8, 0.5, 6);
  const PairLossGradient native = mean_cosine_loss(p.z1, p.z2);
  torch::Tensor z1 = to_tensor(p.z1), z2 = to_tensor(p.z2);
  const auto opt = F::NormalizeFuncOptions().dim(1);
  torch::Tensor loss =
      -(F::normalize(z1, opt) * F::normalize(z2, opt)).sum(1).mean();
  loss.backward();
  EXPECT_NEAR(native.loss, loss.item<double>(), 1e-12);
  expect_same(native.grad1, z1.grad(), "dL/dz1");
  expect_same(native.grad2, z2.grad(), "dL/dz2");
}

} // namespace
} // namespace nebench
