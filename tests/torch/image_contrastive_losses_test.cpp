// The in-batch InfoNCE losses (engine/torch/image/contrastive_losses.h):
// a hand-computed Cauchy case, both losses against an explicit double loop
// over the 2B anchors (B = 5, d = 3; in double to 1e-12 and in float32 to
// 1e-5), autograd against central finite differences in double, the
// cosine gradient's orthogonality to z and its 1/|z| scaling (protocol A of
// papers/tsimcne_medical_norms.md sec. 4), the Cauchy loss's translation
// invariance, and shape errors.

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/torch/image/contrastive_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <vector>

namespace nebench {
namespace {

using Rows = std::vector<std::vector<double>>;

/// B x d standard-normal rows from Rng(seed, stream), times scale.
Rows random_rows(int b, int d, std::uint64_t stream, double scale = 1.0) {
  Rng rng(42, stream);
  Rows r(b, std::vector<double>(d));
  for (auto &row : r)
    for (double &v : row)
      v = scale * rng.normal();
  return r;
}

torch::Tensor to_tensor(const Rows &r, torch::Dtype dtype) {
  const auto b = static_cast<std::int64_t>(r.size());
  const auto d = static_cast<std::int64_t>(r[0].size());
  torch::Tensor t = torch::empty({b, d}, torch::kFloat64);
  for (std::int64_t i = 0; i < b; ++i)
    for (std::int64_t j = 0; j < d; ++j)
      t[i][j] = r[i][j];
  return t.to(dtype);
}

/// The definition, one anchor at a time: l_i = -s_{i,i+} + log sum_{k != i}
/// exp(s_ik), mean over the 2B anchors.
double loop_loss(const Rows &z1, const Rows &z2, bool cosine, double tau) {
  Rows z = z1;
  z.insert(z.end(), z2.begin(), z2.end());
  const int n = static_cast<int>(z.size()), b = n / 2;
  const auto sim = [&](int i, int k) {
    double dot = 0, d2 = 0, ni = 0, nk = 0;
    for (std::size_t c = 0; c < z[i].size(); ++c) {
      dot += z[i][c] * z[k][c];
      d2 += (z[i][c] - z[k][c]) * (z[i][c] - z[k][c]);
      ni += z[i][c] * z[i][c];
      nk += z[k][c] * z[k][c];
    }
    return cosine ? dot / std::sqrt(ni * nk) / tau : -std::log(1.0 + d2);
  };
  double total = 0;
  for (int i = 0; i < n; ++i) {
    double sum = 0;
    for (int k = 0; k < n; ++k)
      if (k != i)
        sum += std::exp(sim(i, k));
    total += -sim(i, (i + b) % n) + std::log(sum);
  }
  return total / n;
}

using Loss =
    std::function<torch::Tensor(const torch::Tensor &, const torch::Tensor &)>;

const Loss cauchy = [](const torch::Tensor &a, const torch::Tensor &b) {
  return infonce_cauchy(a, b);
};
const Loss cosine = [](const torch::Tensor &a, const torch::Tensor &b) {
  return infonce_cosine(a, b, 0.5);
};

TEST(ImageContrastiveLosses, CauchyHandComputedCase) {
  // z = (0, 3 | 1, 3) in 1-D, pairs (0, 1) and (3, 3). With q = 1/(1+d^2):
  // anchor 0: -log(1/2) + log(1/10 + 1/2 + 1/10) = log 1.4
  // anchor 3: -log 1 + log(1/10 + 1/5 + 1) = log 1.3
  // anchor 1: -log(1/2) + log(1/2 + 1/5 + 1/5) = log 1.8
  // anchor 3': log 1.3, so the loss is log(1.4 * 1.3 * 1.8 * 1.3) / 4.
  const torch::Tensor z1 =
      torch::tensor({0.0, 3.0}, torch::kFloat64).view({2, 1});
  const torch::Tensor z2 =
      torch::tensor({1.0, 3.0}, torch::kFloat64).view({2, 1});
  EXPECT_NEAR(infonce_cauchy(z1, z2).item<double>(),
              std::log(1.4 * 1.3 * 1.8 * 1.3) / 4.0, 1e-14);
}

TEST(ImageContrastiveLosses, EqualTheExplicitLoop) {
  for (double scale : {1.0, 5.0}) {
    const Rows z1 = random_rows(5, 3, 1, scale),
               z2 = random_rows(5, 3, 2, scale);
    for (bool is_cosine : {false, true}) {
      const Loss &loss = is_cosine ? cosine : cauchy;
      const double expected = loop_loss(z1, z2, is_cosine, 0.5);
      EXPECT_NEAR(
          loss(to_tensor(z1, torch::kFloat64), to_tensor(z2, torch::kFloat64))
              .item<double>(),
          expected, 1e-12)
          << "cosine " << is_cosine << " scale " << scale;
      EXPECT_NEAR(
          loss(to_tensor(z1, torch::kFloat32), to_tensor(z2, torch::kFloat32))
              .item<double>(),
          expected, 1e-5)
          << "cosine " << is_cosine << " scale " << scale;
    }
  }
  // Another temperature goes through.
  const Rows a = random_rows(4, 2, 3), b = random_rows(4, 2, 4);
  EXPECT_NEAR(infonce_cosine(to_tensor(a, torch::kFloat64),
                             to_tensor(b, torch::kFloat64), 0.1)
                  .item<double>(),
              loop_loss(a, b, true, 0.1), 1e-12);
}

/// Autograd's gradient of loss w.r.t. z1 and z2 (double).
std::pair<torch::Tensor, torch::Tensor>
gradients(const Loss &loss, const torch::Tensor &z1, const torch::Tensor &z2) {
  torch::Tensor a = z1.clone().requires_grad_(true);
  torch::Tensor b = z2.clone().requires_grad_(true);
  loss(a, b).backward();
  return {a.grad(), b.grad()};
}

TEST(ImageContrastiveLosses, GradientsMatchFiniteDifferences) {
  const torch::Tensor z1 = to_tensor(random_rows(5, 3, 5), torch::kFloat64);
  const torch::Tensor z2 = to_tensor(random_rows(5, 3, 6), torch::kFloat64);
  for (bool is_cosine : {false, true}) {
    const Loss &loss = is_cosine ? cosine : cauchy;
    const auto [g1, g2] = gradients(loss, z1, z2);
    const double h = 1e-6;
    for (int view = 0; view < 2; ++view) {
      const torch::Tensor &g = view == 0 ? g1 : g2;
      for (int i = 0; i < 5; ++i)
        for (int c = 0; c < 3; ++c) {
          torch::Tensor plus1 = z1.clone(), plus2 = z2.clone();
          torch::Tensor minus1 = z1.clone(), minus2 = z2.clone();
          (view == 0 ? plus1 : plus2)[i][c] += h;
          (view == 0 ? minus1 : minus2)[i][c] -= h;
          const double fd = (loss(plus1, plus2).item<double>() -
                             loss(minus1, minus2).item<double>()) /
                            (2 * h);
          EXPECT_NEAR(g[i][c].item<double>(), fd, 1e-8)
              << "cosine " << is_cosine << " view " << view << " row " << i
              << " col " << c;
        }
    }
  }
}

TEST(ImageContrastiveLosses, CosineGradientIsOrthogonalToZAndScalesInversely) {
  const torch::Tensor z1 = to_tensor(random_rows(6, 4, 7), torch::kFloat64);
  const torch::Tensor z2 = to_tensor(random_rows(6, 4, 8), torch::kFloat64);
  const auto [g1, g2] = gradients(cosine, z1, z2);
  for (const auto &[g, z] : {std::pair{g1, z1}, std::pair{g2, z2}}) {
    const torch::Tensor dot = (g * z).sum(1).abs();
    const torch::Tensor scale = g.norm(2, 1) * z.norm(2, 1);
    EXPECT_TRUE(torch::all(dot <= 1e-12 * scale).item<bool>());
    EXPECT_GT(g.abs().max().item<double>(), 1e-3); // not trivially zero
  }
  // z -> 10 z: the same loss, the gradient divided by 10.
  const auto [h1, h2] = gradients(cosine, 10 * z1, 10 * z2);
  EXPECT_TRUE(torch::allclose(h1 * 10, g1, 1e-12, 1e-14));
  EXPECT_TRUE(torch::allclose(h2 * 10, g2, 1e-12, 1e-14));
  EXPECT_NEAR(infonce_cosine(10 * z1, 10 * z2).item<double>(),
              infonce_cosine(z1, z2).item<double>(), 1e-12);
}

TEST(ImageContrastiveLosses, CauchyIsTranslationInvariant) {
  const torch::Tensor z1 = to_tensor(random_rows(5, 2, 9), torch::kFloat64);
  const torch::Tensor z2 = to_tensor(random_rows(5, 2, 10), torch::kFloat64);
  const torch::Tensor shift =
      torch::tensor({300.0, -200.0}, torch::kFloat64).view({1, 2});
  EXPECT_NEAR(infonce_cauchy(z1 + shift, z2 + shift).item<double>(),
              infonce_cauchy(z1, z2).item<double>(), 1e-12);
}

TEST(ImageContrastiveLosses, RejectMismatchedViews) {
  const torch::Tensor a = torch::zeros({4, 2}), b = torch::zeros({3, 2});
  EXPECT_THROW(infonce_cauchy(a, b), NebenchError);
  EXPECT_THROW(infonce_cosine(a, torch::zeros({4, 3})), NebenchError);
  EXPECT_THROW(infonce_cauchy(torch::zeros({4}), torch::zeros({4})),
               NebenchError);
  EXPECT_THROW(infonce_cosine(a, a, 0.0), NebenchError);
  EXPECT_THROW(infonce_cauchy(a, a.to(torch::kFloat64)), NebenchError);
}

} // namespace
} // namespace nebench
