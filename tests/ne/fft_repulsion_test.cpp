#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/exact_repulsion.h"
#include "engine/ne/fft_repulsion.h"
#include "engine/ne/tsne_objective.h"
#include "ne_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <omp.h>

namespace nebench {
namespace {

using testing::random_affinities;
using testing::random_layout;
using testing::relative_error;

// Gaussian blobs of different widths (std 5 .. 20) around a circle of radius
// 60: the scale of a t-SNE embedding of a few thousand points.
MatrixD blob_layout(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD Y(n, 2);
  const double stds[] = {5.0, 8.0, 12.0, 20.0, 6.0};
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(5));
    const double angle = 1.2566 * c;
    Y(i, 0) = 60.0 * std::cos(angle) + stds[c] * rng.normal();
    Y(i, 1) = 60.0 * std::sin(angle) + stds[c] * rng.normal();
  }
  return Y;
}

struct Errors {
  double force = 0; ///< relative Frobenius error of the forces
  double z = 0;     ///< relative error of Z
};

Errors compare_to_exact(const MatrixD &Y, const FftRepulsionParams &params) {
  MatrixD fe, ff;
  ExactRepulsion exact(params.dof);
  FftRepulsion fft(params);
  const double ze = exact.compute(Y, fe);
  const double zf = fft.compute(Y, ff);
  return {relative_error(ff, fe), std::fabs(zf - ze) / ze};
}

FftRepulsionParams with_dof(double dof) {
  FftRepulsionParams p;
  p.dof = dof;
  return p;
}

TEST(FftRepulsion, SmoothSizes) {
  EXPECT_EQ(FftRepulsion::smooth_size(1), 1);
  EXPECT_EQ(FftRepulsion::smooth_size(7), 8);
  EXPECT_EQ(FftRepulsion::smooth_size(49), 50);
  EXPECT_EQ(FftRepulsion::smooth_size(50), 50);
  EXPECT_EQ(FftRepulsion::smooth_size(121), 125);
  EXPECT_EQ(FftRepulsion::smooth_size(211), 216);
}

TEST(FftRepulsion, GridSizeFollowsTheExtent) {
  MatrixD f;
  FftRepulsion fft;
  // Extent 3e-3 (an initialization): the minimum of 50 boxes per axis.
  fft.compute(random_layout(100, 2, 1e-3, 1), f);
  EXPECT_EQ(fft.boxes_per_axis(), 50);
  // Extent exactly 97 -> ceil(97 / 1) = 97 boxes -> rounded up to 100.
  MatrixD Y(3, 2, 0.0);
  Y(1, 0) = 97.0;
  Y(2, 1) = 40.0;
  fft.compute(Y, f);
  EXPECT_EQ(fft.boxes_per_axis(), 100);
  // ints_in_interval = 2: half as many boxes, at most max_intervals.
  FftRepulsionParams p;
  p.ints_in_interval = 2.0;
  p.max_intervals = 60;
  FftRepulsion coarse(p);
  Y(1, 0) = 97.0 * 2;
  coarse.compute(Y, f);
  EXPECT_EQ(coarse.boxes_per_axis(), 100 > 60 ? 60 : 100);
}

TEST(FftRepulsion, CloseToExactOnBlobs) {
  const MatrixD Y = blob_layout(2000, 1);
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 1e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, CloseToExactOnRandomLayout) {
  // An unstructured N(0, 15^2) cloud, and a tiny one like the first
  // iterations after a 1e-4 initialization.
  for (double scale : {15.0, 1e-3}) {
    const Errors e = compare_to_exact(random_layout(2000, 2, scale, 2), {});
    EXPECT_LT(e.force, 1e-2) << "scale " << scale;
    EXPECT_LT(e.z, 1e-3) << "scale " << scale;
  }
}

TEST(FftRepulsion, CloseToExactWithHeavyTails) {
  // dof < 1 (heavier tails, Kobak et al. 2019) and dof > 1 (towards SNE).
  const MatrixD Y = blob_layout(2000, 3);
  for (double dof : {0.5, 0.8, 2.0}) {
    const Errors e = compare_to_exact(Y, with_dof(dof));
    EXPECT_LT(e.force, 1e-2) << "dof " << dof;
    EXPECT_LT(e.z, 1e-3) << "dof " << dof;
  }
}

TEST(FftRepulsion, FinerGridsAreMoreAccurate) {
  const MatrixD Y = blob_layout(1500, 4);
  FftRepulsionParams coarse;
  coarse.n_interp = 2;
  coarse.ints_in_interval = 2.0;
  FftRepulsionParams fine;
  fine.n_interp = 5;
  const Errors ec = compare_to_exact(Y, coarse);
  const Errors ed = compare_to_exact(Y, {});
  const Errors ef = compare_to_exact(Y, fine);
  EXPECT_GT(ec.force, ed.force);
  EXPECT_GT(ed.force, ef.force);
  EXPECT_LT(ef.force, 1e-3);
}

TEST(FftRepulsion, TranslationDoesNotCostAccuracy) {
  // Forces and Z are translation invariant; far from the origin the float
  // grids must not lose precision (charges are taken relative to the grid).
  MatrixD Y = blob_layout(1500, 5);
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    Y(i, 0) += 5000.0;
    Y(i, 1) -= 3000.0;
  }
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 1e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, FullGradientCloseToExact) {
  const std::int64_t n = 2000;
  const MatrixD Y = blob_layout(n, 6);
  const Csr P = random_affinities(n, 10, 7);
  for (double rho : {1.0, 12.0}) {
    MatrixD ge, gf;
    ExactRepulsion exact;
    FftRepulsion fft;
    const double ze = tsne_gradient(P, Y, rho, 1.0, exact, ge);
    const double zf = tsne_gradient(P, Y, rho, 1.0, fft, gf);
    EXPECT_LT(relative_error(gf, ge), 1e-2) << "rho " << rho;
    EXPECT_LT(std::fabs(zf - ze) / ze, 1e-3);
  }
}

TEST(FftRepulsion, CoincidentPoints) {
  // All points on one spot: Z = n (n - 1) and no force.
  MatrixD same(300, 2, 2.5), f;
  FftRepulsion fft;
  const double z = fft.compute(same, f);
  EXPECT_NEAR(z / (300.0 * 299.0), 1.0, 1e-4);
  for (double v : f.data)
    EXPECT_LT(std::fabs(v), 1e-6);
  // Groups of duplicates within a spread layout.
  MatrixD base = blob_layout(200, 8), Y(1000, 2);
  for (std::int64_t i = 0; i < 1000; ++i) {
    Y(i, 0) = base(i % 200, 0);
    Y(i, 1) = base(i % 200, 1);
  }
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 1e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, TwoPointsExact) {
  // Two points at distance 3: Z = 2 / (1 + 9), forces = +-w^2 (y_i - y_j).
  MatrixD Y(2, 2, 0.0), f;
  Y(1, 0) = 3.0;
  FftRepulsion fft;
  const double z = fft.compute(Y, f);
  EXPECT_NEAR(z, 0.2, 0.2 * 1e-4);
  EXPECT_NEAR(f(0, 0), -0.03, 0.03 * 1e-3);
  EXPECT_NEAR(f(1, 0), 0.03, 0.03 * 1e-3);
  EXPECT_NEAR(f(0, 1), 0.0, 1e-6);
}

TEST(FftRepulsion, DeterministicAcrossCallsAndThreads) {
  const MatrixD Y = blob_layout(3000, 9);
  FftRepulsion fft;
  MatrixD f1, f2, f3, f4;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const double z1 = fft.compute(Y, f1);
  omp_set_num_threads(2);
  const double z2 = fft.compute(Y, f2);
  const double z3 = fft.compute(Y, f3);
  omp_set_num_threads(4);
  FftRepulsion other; // fresh buffers and the cached plans
  const double z4 = other.compute(Y, f4);
  omp_set_num_threads(saved);
  EXPECT_EQ(z1, z2);
  EXPECT_EQ(z2, z3);
  EXPECT_EQ(z1, z4);
  EXPECT_EQ(f1.data, f2.data);
  EXPECT_EQ(f2.data, f3.data);
  EXPECT_EQ(f1.data, f4.data);
}

TEST(FftRepulsion, GridChangesBetweenCalls) {
  // One estimator over layouts of growing and shrinking extent (as during
  // an optimization) stays as accurate as a fresh one.
  FftRepulsion fft;
  for (double scale : {1e-3, 30.0, 5.0, 60.0}) {
    const MatrixD Y = random_layout(1200, 2, scale, 10);
    MatrixD fe, ff, ff2;
    ExactRepulsion exact;
    const double ze = exact.compute(Y, fe);
    const double zf = fft.compute(Y, ff);
    FftRepulsion fresh;
    const double z2 = fresh.compute(Y, ff2);
    EXPECT_EQ(zf, z2);
    EXPECT_EQ(ff.data, ff2.data);
    EXPECT_LT(relative_error(ff, fe), 1e-2) << "scale " << scale;
    EXPECT_LT(std::fabs(zf - ze) / ze, 1e-3) << "scale " << scale;
  }
}

TEST(FftRepulsion, RejectsBadInput) {
  FftRepulsion fft;
  MatrixD Y3(10, 3), f;
  EXPECT_THROW(fft.compute(Y3, f), NebenchError);
  MatrixD Y = random_layout(10, 2, 1.0, 11);
  Y(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fft.compute(Y, f), NumericalError);
  Y(3, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(fft.compute(Y, f), NumericalError);

  auto bad = [](auto mutate) {
    FftRepulsionParams p;
    mutate(p);
    EXPECT_THROW(FftRepulsion{p}, NebenchError);
  };
  bad([](FftRepulsionParams &p) { p.n_interp = 0; });
  bad([](FftRepulsionParams &p) { p.n_interp = 17; });
  bad([](FftRepulsionParams &p) { p.min_intervals = 0; });
  bad([](FftRepulsionParams &p) { p.max_intervals = 10; });
  bad([](FftRepulsionParams &p) { p.ints_in_interval = 0; });
  bad([](FftRepulsionParams &p) { p.dof = -1; });
}

} // namespace
} // namespace nebench
