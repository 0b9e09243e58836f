#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/barnes_hut_repulsion.h"
#include "engine/ne/exact_repulsion.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>

namespace nebench {
namespace {

using testing::random_layout;
using testing::relative_error;

// Well-separated clusters of different sizes: a converged-like t-SNE layout.
MatrixD clustered_layout(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD Y(n, 2);
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(10));
    const double cx = 30.0 * std::cos(c * 0.628),
                 cy = 30.0 * std::sin(c * 0.628);
    const double s = 1.0 + c * 0.3;
    Y(i, 0) = cx + s * rng.normal();
    Y(i, 1) = cy + s * rng.normal();
  }
  return Y;
}

void expect_close_to_exact(const MatrixD &Y, double dof, double theta,
                           double force_tol, double z_tol) {
  MatrixD fe, fb;
  ExactRepulsion exact(dof);
  BarnesHutParams p;
  p.theta = theta;
  p.dof = dof;
  BarnesHutRepulsion bh(p);
  const double ze = exact.compute(Y, fe);
  const double zb = bh.compute(Y, fb);
  EXPECT_LT(std::fabs(zb - ze) / ze, z_tol);
  EXPECT_LT(relative_error(fb, fe), force_tol);
}

TEST(BarnesHut, ThetaHalfIsCloseToExactOnRandomLayout) {
  // On an unstructured N(0, 10^2) cloud the monopole approximation
  // underestimates Z by about 1.1% at theta = 0.5 (the same criterion as
  // openTSNE; errors grow with theta: ~0.3% at 0.25, ~3.5% at 0.8).
  expect_close_to_exact(random_layout(1500, 2, 10.0, 1), 1.0, 0.5, 0.05, 0.015);
  expect_close_to_exact(random_layout(1500, 2, 10.0, 1), 1.0, 0.25, 0.01,
                        0.004);
}

TEST(BarnesHut, ThetaHalfIsCloseToExactOnClusteredLayout) {
  expect_close_to_exact(clustered_layout(1500, 2), 1.0, 0.5, 0.05, 0.01);
}

TEST(BarnesHut, ThetaHalfIsCloseToExactWithHeavyTails) {
  expect_close_to_exact(clustered_layout(1200, 3), 0.5, 0.5, 0.05, 0.01);
}

TEST(BarnesHut, ThetaZeroEqualsExact) {
  for (double dof : {1.0, 0.7}) {
    const MatrixD Y = clustered_layout(800, 4);
    expect_close_to_exact(Y, dof, 0.0, 1e-10, 1e-12);
  }
}

TEST(BarnesHut, CoincidentPointsAreHandledExactly) {
  // 300 points on 30 distinct positions (10 copies each).
  MatrixD base = random_layout(30, 2, 5.0, 9), Y(300, 2);
  for (std::int64_t i = 0; i < 300; ++i) {
    Y(i, 0) = base(i % 30, 0);
    Y(i, 1) = base(i % 30, 1);
  }
  expect_close_to_exact(Y, 1.0, 0.0, 1e-10, 1e-12);
  expect_close_to_exact(Y, 1.0, 0.5, 0.05, 0.01);
  // All points at one position: Z = n (n - 1), no force.
  MatrixD same(50, 2, 1.5), f;
  BarnesHutRepulsion bh;
  EXPECT_DOUBLE_EQ(bh.compute(same, f), 50.0 * 49.0);
  for (double v : f.data)
    EXPECT_EQ(v, 0.0);
}

TEST(BarnesHut, LargeThetaNeverSummarizesAPointWithItself) {
  // At theta = 3 cells containing the point would qualify; they must not.
  const MatrixD Y = random_layout(400, 2, 1.0, 11);
  expect_close_to_exact(Y, 1.0, 3.0, 0.6, 0.2);
  MatrixD f;
  BarnesHutParams p;
  p.theta = 3.0;
  BarnesHutRepulsion bh(p);
  const double z = bh.compute(Y, f);
  EXPECT_TRUE(std::isfinite(z));
  EXPECT_LT(z, 400.0 * 399.0); // no self term w_ii = 1 counted
}

TEST(BarnesHut, SameResultWithAnyThreadCount) {
  const MatrixD Y = clustered_layout(3000, 5);
  BarnesHutRepulsion bh;
  MatrixD f1, f2;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const double z1 = bh.compute(Y, f1);
  omp_set_num_threads(2);
  const double z2 = bh.compute(Y, f2);
  omp_set_num_threads(saved);
  EXPECT_EQ(z1, z2);
  EXPECT_EQ(f1.data, f2.data);
}

TEST(BarnesHut, RejectsNon2D) {
  BarnesHutRepulsion bh;
  MatrixD Y(10, 3), f;
  EXPECT_THROW(bh.compute(Y, f), NebenchError);
}

} // namespace
} // namespace nebench
