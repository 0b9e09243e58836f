#include "engine/ne/attraction.h"
#include "engine/ne/exact_repulsion.h"
#include "engine/ne/kernel.h"
#include "engine/ne/tsne_objective.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>

namespace nebench {
namespace {

using testing::random_affinities;
using testing::random_layout;

struct GradientCase {
  double exaggeration;
  double dof;
  int dim;
};

class TsneGradient : public ::testing::TestWithParam<GradientCase> {};

// The gradient in openTSNE's convention is (1/4) dL/dY; compare 4 g with
// central finite differences of the exact loss L_rho.
TEST_P(TsneGradient, MatchesFiniteDifferencesOfTheLoss) {
  const auto c = GetParam();
  const std::int64_t n = 50;
  const Csr P = random_affinities(n, 4, 3);
  MatrixD Y = random_layout(n, c.dim, 2.0, 5);
  ExactRepulsion exact(c.dof);
  MatrixD grad;
  tsne_gradient(P, Y, c.exaggeration, c.dof, exact, grad);

  MatrixD fd(n, c.dim);
  const double h = 1e-5;
  for (std::size_t e = 0; e < Y.data.size(); ++e) {
    const double y0 = Y.data[e];
    Y.data[e] = y0 + h;
    const double lp = tsne_loss(P, Y, c.exaggeration, c.dof);
    Y.data[e] = y0 - h;
    const double lm = tsne_loss(P, Y, c.exaggeration, c.dof);
    Y.data[e] = y0;
    fd.data[e] = (lp - lm) / (2 * h);
  }
  MatrixD four_g = grad;
  for (auto &v : four_g.data)
    v *= 4.0;
  EXPECT_LT(testing::relative_error(four_g, fd), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(ExaggerationAndDof, TsneGradient,
                         ::testing::Values(GradientCase{1.0, 1.0, 2},
                                           GradientCase{4.0, 1.0, 2},
                                           GradientCase{1.0, 0.5, 2},
                                           GradientCase{4.0, 0.5, 2},
                                           GradientCase{12.0, 2.0, 3}));

TEST(Kernel, HeavyTailedMatchesCauchyAtOne) {
  const HeavyTailedKernel h{1.0};
  const CauchyKernel c;
  for (double d2 : {0.0, 0.3, 2.0, 100.0}) {
    double wh, wc;
    EXPECT_NEAR(h.repulsion(d2, wh), c.repulsion(d2, wc), 1e-15);
    EXPECT_NEAR(wh, wc, 1e-15);
    EXPECT_NEAR(h.weight(d2), 1.0 / (1.0 + d2), 1e-15);
    EXPECT_NEAR(h.log_weight(d2), c.log_weight(d2), 1e-14);
  }
  // alpha = 0.5: w = (1 + 2 d^2)^-0.5; repulsion factor w^3.
  const HeavyTailedKernel half{0.5};
  double w;
  EXPECT_NEAR(half.repulsion(1.5, w), std::pow(4.0, -1.5), 1e-15);
  EXPECT_NEAR(w, 0.5, 1e-15);
}

TEST(ExactRepulsion, HandComputedThreePoints) {
  // Points 0, 1 and 3 on a line; w = 1/(1+d^2): w01 = 1/2, w02 = 1/10,
  // w12 = 1/5. Z = 2 (1/2 + 1/10 + 1/5) = 1.6.
  MatrixD Y(3, 1);
  Y.data = {0.0, 1.0, 3.0};
  MatrixD f;
  ExactRepulsion exact(1.0);
  EXPECT_NEAR(exact.compute(Y, f), 1.6, 1e-15);
  // f_0 = w01^2 (0 - 1) + w02^2 (0 - 3) = -1/4 - 3/100.
  EXPECT_NEAR(f(0, 0), -0.28, 1e-15);
  EXPECT_NEAR(f(1, 0), 0.25 - 2.0 / 25, 1e-15);
  EXPECT_NEAR(f(2, 0), 3.0 / 100 + 2.0 / 25, 1e-15);
}

TEST(Attraction, HandComputedPair) {
  Csr P;
  P.n = 2;
  P.indptr = {0, 1, 2};
  P.indices = {1, 0};
  P.values = {0.5, 0.5};
  MatrixD Y(2, 2);
  Y.data = {0.0, 0.0, 3.0, 4.0}; // d^2 = 25
  MatrixD f;
  attractive_forces(P, Y, 1.0, f);
  EXPECT_NEAR(f(0, 0), 0.5 / 26 * -3.0, 1e-15);
  EXPECT_NEAR(f(1, 1), 0.5 / 26 * 4.0, 1e-15);
  EXPECT_NEAR(sum_p_log_w(P, Y, 1.0), -std::log(26.0), 1e-14);
  // KL with exact Z = 2/26: sum p log(p / (w/Z)) = log(0.5 / 0.5) = 0.
  EXPECT_NEAR(kl_divergence(P, Y, 1.0, 2.0 / 26), 0.0, 1e-14);
}

} // namespace
} // namespace nebench

namespace nebench {
namespace {

TEST(TsneGradient, SameBitsWithAnyThreadCount) {
  // Large enough that attraction and exact repulsion run in parallel.
  const Csr P = testing::random_affinities(1500, 20, 8);
  const MatrixD Y = testing::random_layout(1500, 2, 3.0, 9);
  ExactRepulsion exact;
  MatrixD g1, g2;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const double z1 = tsne_gradient(P, Y, 4.0, 1.0, exact, g1);
  const double l1 = sum_p_log_w(P, Y, 1.0);
  omp_set_num_threads(2);
  const double z2 = tsne_gradient(P, Y, 4.0, 1.0, exact, g2);
  const double l2 = sum_p_log_w(P, Y, 1.0);
  omp_set_num_threads(saved);
  EXPECT_EQ(z1, z2);
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(g1.data, g2.data);
}

} // namespace
} // namespace nebench
