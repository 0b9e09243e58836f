// Analytic gradients of the direction-only losses (engine/ne/
// direction_losses.h) against central finite differences, and the
// consequences of eq. (1) of the norms paper (sec. 3.1; claim N1).
#include "engine/core/errors.h"
#include "engine/ne/direction_losses.h"
#include "engine/ne/norm_simulations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace nebench {
namespace {

using LossFn =
    std::function<PairLossGradient(const MatrixD &, const MatrixD &)>;

const LossFn kCosine = [](const MatrixD &a, const MatrixD &b) {
  return mean_cosine_loss(a, b);
};
const LossFn kNtXent = [](const MatrixD &a, const MatrixD &b) {
  return nt_xent_loss(a, b, 0.5);
};

/// Central differences of the loss at every coordinate of both views.
void expect_matches_finite_differences(const LossFn &loss, const PointPairs &p,
                                       const char *name) {
  const PairLossGradient g = loss(p.z1, p.z2);
  const double h = 1e-6;
  double max_rel = 0;
  for (int view = 0; view < 2; ++view) {
    const MatrixD &analytic = view == 0 ? g.grad1 : g.grad2;
    for (std::size_t j = 0; j < p.z1.data.size(); ++j) {
      PointPairs plus = p, minus = p;
      (view == 0 ? plus.z1 : plus.z2).data[j] += h;
      (view == 0 ? minus.z1 : minus.z2).data[j] -= h;
      const double fd =
          (loss(plus.z1, plus.z2).loss - loss(minus.z1, minus.z2).loss) /
          (2 * h);
      const double err = std::fabs(fd - analytic.data[j]);
      max_rel = std::max(max_rel, err / std::max(1e-3, std::fabs(fd)));
      EXPECT_NEAR(analytic.data[j], fd, 1e-7 + 1e-6 * std::fabs(fd))
          << name << " view " << view << " coordinate " << j;
    }
  }
  EXPECT_LT(max_rel, 1e-5) << name;
}

TEST(DirectionLosses, CosineGradientMatchesFiniteDifferences) {
  expect_matches_finite_differences(kCosine, noisy_pairs(6, 5, 0.7, 1),
                                    "cosine");
  expect_matches_finite_differences(kCosine, noisy_pairs(3, 4, 2.0, 2),
                                    "cosine");
}

TEST(DirectionLosses, NtXentGradientMatchesFiniteDifferences) {
  expect_matches_finite_differences(kNtXent, noisy_pairs(6, 5, 0.7, 1),
                                    "nt-xent");
  expect_matches_finite_differences(
      [](const MatrixD &a, const MatrixD &b) {
        return nt_xent_loss(a, b, 0.1);
      },
      noisy_pairs(4, 3, 1.5, 3), "nt-xent tau 0.1");
}

TEST(DirectionLosses, NtXentValueByHand) {
  // n = 1: Z = [z1; z2], each anchor's only other row is its positive, so
  // l_i = -s + log exp(s) = 0.
  MatrixD a(1, 2), b(1, 2);
  a(0, 0) = 1;
  b(0, 1) = 3;
  EXPECT_NEAR(nt_xent_loss(a, b, 0.5).loss, 0.0, 1e-15);
  // n = 2, z1 = z2 = [e1; 5 e2] (unit rows e1, e2, e1, e2):
  // s_{i,i+} = 1 / 0.5 = 2, the other two are 0: l = -2 + log(e^2 + 2).
  MatrixD c(2, 2), d(2, 2);
  c(0, 0) = d(0, 0) = 1;
  c(1, 1) = d(1, 1) = 5;
  EXPECT_NEAR(nt_xent_loss(c, d, 0.5).loss, -2 + std::log(std::exp(2.0) + 2),
              1e-14);
  EXPECT_NEAR(mean_cosine_loss(c, d).loss, -1.0, 1e-15);
}

TEST(DirectionLosses, GradientIsOrthogonalAndScalesAsOneOverScale) {
  const PointPairs p = noisy_pairs(64, 16, 0.5, 7);
  for (const char *loss : {"cosine", "infonce"}) {
    const GradientScalingResult one = gradient_at_scale(p, loss, 0.5, 1.0);
    EXPECT_LT(one.grad_cos, 1e-6) << loss;
    EXPECT_LT(one.grad_cos, 1e-12) << loss; // double precision
    for (double s : {2.0, 10.0, 0.1, 1e3}) {
      const GradientScalingResult at = gradient_at_scale(p, loss, 0.5, s);
      EXPECT_LT(at.grad_cos, 1e-6) << loss << " s = " << s;
      EXPECT_NEAR(at.grad_norm * s / one.grad_norm, 1.0, 1e-9)
          << loss << " s = " << s;
      EXPECT_NEAR(at.loss, one.loss, 1e-12) << loss;
    }
  }
}

TEST(DirectionLosses, ScaledGradientIsOneOverScaleElementwise) {
  const PointPairs p = noisy_pairs(8, 6, 0.5, 9);
  for (const LossFn &loss : {kCosine, kNtXent}) {
    const PairLossGradient g = loss(p.z1, p.z2);
    PointPairs q = p;
    for (auto *m : {&q.z1, &q.z2})
      for (double &v : m->data)
        v *= 10.0;
    const PairLossGradient h = loss(q.z1, q.z2);
    for (std::size_t j = 0; j < g.grad1.data.size(); ++j) {
      EXPECT_NEAR(10.0 * h.grad1.data[j], g.grad1.data[j],
                  1e-12 * (1 + std::fabs(g.grad1.data[j])));
      EXPECT_NEAR(10.0 * h.grad2.data[j], g.grad2.data[j],
                  1e-12 * (1 + std::fabs(g.grad2.data[j])));
    }
  }
}

TEST(DirectionLosses, RejectsBadInput) {
  MatrixD a(2, 3, 1.0), b(3, 3, 1.0), zero(2, 3, 0.0);
  EXPECT_THROW(mean_cosine_loss(a, b), NebenchError);
  EXPECT_THROW(nt_xent_loss(a, b, 0.5), NebenchError);
  EXPECT_THROW(mean_cosine_loss(a, zero), NebenchError);
  EXPECT_THROW(nt_xent_loss(a, a, 0.0), NebenchError);
  EXPECT_THROW(gradient_at_scale(noisy_pairs(2, 3, 0.5, 0), "l2", 0.5, 1.0),
               NebenchError);
}

} // namespace
} // namespace nebench
