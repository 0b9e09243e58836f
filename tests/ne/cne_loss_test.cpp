// The CNE losses (engine/ne/cne_loss.h) and the batch gradient
// (engine/ne/cne_batch_gradient.h): hand-computed values, the identities
// between them, and the analytic gradient of the summed batch loss w.r.t.
// every embedding entry (and log Z) against central finite differences.

#include "engine/ne/cne_batch_gradient.h"
#include "engine/ne/cne_loss.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

namespace nebench {
namespace {

TEST(CneLoss, NegHandComputed) {
  // d2 = 1, eps = 1, c = 1: q = 2, sigma = 1/3.
  NegLoss neg;
  double coef, dlogc;
  EXPECT_DOUBLE_EQ(neg.positive(1.0, coef, dlogc), std::log(3.0));
  EXPECT_DOUBLE_EQ(coef, 1.0 / 3.0);  // c sigma
  EXPECT_DOUBLE_EQ(dlogc, 2.0 / 3.0); // 1 - sigma
  EXPECT_DOUBLE_EQ(neg.negative(1.0, coef, dlogc), -std::log(2.0 / 3.0));
  EXPECT_DOUBLE_EQ(coef, -1.0 / 6.0);  // -sigma / q
  EXPECT_DOUBLE_EQ(dlogc, -1.0 / 3.0); // -sigma
  // c = 4, eps = 0, d2 = 0.25: c q = 1, sigma = 1/2.
  neg.c = 4.0;
  neg.eps = 0.0;
  EXPECT_DOUBLE_EQ(neg.positive(0.25, coef, dlogc), std::log(2.0));
  EXPECT_DOUBLE_EQ(coef, 2.0);
  EXPECT_DOUBLE_EQ(neg.negative(0.25, coef, dlogc), std::log(2.0));
  EXPECT_DOUBLE_EQ(coef, -2.0);
}

TEST(CneLoss, ClampedLogArgumentsHaveNoGradient) {
  NegLoss neg;
  neg.c = 1e12; // sigma ~ 1e-12 < clamp_low
  double coef, dlogc;
  EXPECT_DOUBLE_EQ(neg.positive(1.0, coef, dlogc), -std::log(1e-10));
  EXPECT_EQ(coef, 0.0);
  EXPECT_EQ(dlogc, 0.0);
  // eps = 0 and coincident points: 1 - sigma = 0 is clamped.
  neg.c = 1.0;
  neg.eps = 0.0;
  EXPECT_DOUBLE_EQ(neg.negative(0.0, coef, dlogc), -std::log(1e-10));
  EXPECT_EQ(coef, 0.0);
  // UMAP loss with eps < 1: phi > 1 is clamped to 1 (zero loss, gradient).
  UmapLoss umap;
  umap.eps = 0.1;
  EXPECT_EQ(umap.positive(0.4, coef), 0.0);
  EXPECT_EQ(coef, 0.0);
  EXPECT_DOUBLE_EQ(umap.negative(0.4, coef), -std::log(1e-10));
  EXPECT_EQ(coef, 0.0);
  // InfoNCE: a clamped phi adds 1 to the sum but has no gradient.
  InfoNceLoss info;
  info.eps = 0.1;
  info.scale = 1.0;
  const double d2[2] = {3.9, 0.4}; // phi_0 = 1/4, phi_1 = 2 -> 1
  double c[2], dz = 0;
  EXPECT_DOUBLE_EQ(info.row(d2, 2, c, dz), std::log(4.0) + std::log(1.25));
  EXPECT_DOUBLE_EQ(c[0], 0.25 - 0.0625 / 1.25);
  EXPECT_EQ(c[1], 0.0);
}

TEST(CneLoss, UmapLossIsNegWithUnitCAndZeroEps) {
  // -log(1/(1+d2)) - log(1 - 1/(1+d2)): UMAP's loss with a = b = 1 is NEG
  // with c = 1 and the 1/d^2 kernel (sec. 1.2).
  UmapLoss umap;
  NegLoss neg;
  neg.eps = 0.0;
  const double d2[4] = {0.3, 2.0, 0.05, 7.5};
  double cu[4], cn[4], z = 0;
  const double lu = umap.row(d2, 4, cu, z);
  const double ln = neg.row(d2, 4, cn, z);
  EXPECT_NEAR(lu, ln, 1e-13 * std::fabs(ln));
  for (int t = 0; t < 4; ++t)
    EXPECT_NEAR(cu[t], cn[t], 1e-13 * std::fabs(cn[t])) << t;
}

TEST(CneLoss, ZbarConversions) {
  const std::int64_t n = 70000;
  EXPECT_DOUBLE_EQ(cne_c_from_zbar(double(n) * n / 5, 5, n), 1.0);
  EXPECT_DOUBLE_EQ(cne_zbar_from_c(1.0, 5, n), double(n) * n / 5);
  // The paper's MNIST Z(t-SNE) = 8.13e6 at m = 5: c = 5 * 8.13e6 / 70000^2.
  EXPECT_NEAR(cne_c_from_zbar(8.13e6, 5, n), 8.295918e-3, 1e-9);
  EXPECT_NEAR(cne_zbar_from_c(cne_c_from_zbar(3.43e7, 5, n), 5, n), 3.43e7,
              1e-6);
  // NCE: sigma = 1 / (1 + q m exp(log Z)) is NEG with c = m exp(log Z), so
  // Z-bar = c n^2 / m = exp(log Z) n^2.
  EXPECT_DOUBLE_EQ(cne_zbar_from_log_z(0.0, n), double(n) * n);
  EXPECT_NEAR(cne_zbar_from_log_z(std::log(2.0), 10), 200.0, 1e-12);
  NceLoss nce;
  nce.log_z = std::log(0.01);
  nce.prepare(1024);
  EXPECT_NEAR(cne_zbar_from_c(nce.neg.c, 5, 1000), 1e4, 1e-9);
  nce.prepare(2); // last batch of 2 edges: m = min(5, 2b - 1) = 3
  EXPECT_NEAR(nce.neg.c, 0.03, 1e-15);
}

// A batch of b = 3 edges (0, 1), (1, 5), (2, 3) over n = 6 points: point 1
// occupies two rows, point 4 none; fixed negatives (m = 2) include each
// head's own tail (row r + 3).
CneBatch tiny_batch(bool full) {
  CneBatch batch;
  batch.edges = 3;
  batch.points = {0, 1, 2, 1, 5, 3};
  if (full) {
    batch.full = true;
    batch.negatives = 4;
  } else {
    batch.negatives = 2;
    batch.negative_rows = {3, 5, 2, 4, 5, 1};
  }
  return batch;
}

struct GradientCase {
  std::string name;
  double eps;
  bool full;
};

template <class Loss>
double batch_loss(const Loss &loss, const MatrixD &Y, const CneBatch &batch) {
  CneBatchScratch s;
  double dz = 0;
  return cne_batch_gradient(loss, Y, batch, s, dz);
}

/// Analytic n x dim gradient of the summed batch loss.
template <class Loss>
MatrixD analytic_gradient(const Loss &loss, const MatrixD &Y,
                          const CneBatch &batch, double &dlogz) {
  CneBatchScratch s;
  dlogz = 0;
  cne_batch_gradient(loss, Y, batch, s, dlogz);
  MatrixD G(Y.rows, Y.cols);
  cne_scatter_rows(batch, s.row_grad.data(), static_cast<int>(Y.cols),
                   G.data.data());
  return G;
}

/// The analytic gradient against central differences, on n points of which
/// `absent` is in no row of the batch.
template <class Loss>
void expect_gradient_matches(Loss loss, const CneBatch &batch, int dim,
                             const std::string &what, std::int64_t n = 6,
                             std::int64_t absent = 4) {
  // Spread points (std 1.5) so that no log argument sits at a clamp edge.
  const MatrixD Y = testing::random_layout(n, dim, 1.5, 11);
  loss.prepare(batch.edges);
  double dlogz;
  const MatrixD G = analytic_gradient(loss, Y, batch, dlogz);
  MatrixD F(Y.rows, Y.cols);
  const double h = 1e-6;
  for (std::size_t e = 0; e < Y.data.size(); ++e) {
    MatrixD Yp = Y, Ym = Y;
    Yp.data[e] += h;
    Ym.data[e] -= h;
    F.data[e] =
        (batch_loss(loss, Yp, batch) - batch_loss(loss, Ym, batch)) / (2 * h);
  }
  EXPECT_LT(testing::relative_error(G, F), 1e-5) << what;
  for (std::size_t e = 0; e < Y.data.size(); ++e)
    EXPECT_NEAR(G.data[e], F.data[e], 1e-5 * (1.0 + std::fabs(F.data[e])))
        << what << " entry " << e;
  for (int d = 0; d < dim; ++d)
    EXPECT_EQ(G(absent, d), 0.0)
        << what << ": point " << absent << " is not in the batch";
}

TEST(CneBatchGradient, MatchesFiniteDifferencesForEveryLoss) {
  for (const GradientCase &gc :
       {GradientCase{"eps 1", 1.0, false}, GradientCase{"eps 0.1", 0.1, false},
        GradientCase{"eps 1 full batch", 1.0, true},
        GradientCase{"eps 0.1 full batch", 0.1, true}}) {
    const CneBatch batch = tiny_batch(gc.full);
    for (int dim : {2, 3}) {
      const std::string tag = gc.name + " dim " + std::to_string(dim);
      NegLoss neg;
      neg.c = 0.3;
      neg.eps = gc.eps;
      expect_gradient_matches(neg, batch, dim, "neg " + tag);
      NceLoss nce;
      nce.log_z = -0.7;
      nce.eps = gc.eps;
      expect_gradient_matches(nce, batch, dim, "nce " + tag);
      InfoNceLoss info;
      info.rho = 2.0;
      info.eps = gc.eps;
      expect_gradient_matches(info, batch, dim, "infonce " + tag);
      UmapLoss umap;
      umap.eps = gc.eps;
      expect_gradient_matches(umap, batch, dim, "umap " + tag);
    }
  }
}

TEST(CneBatchGradient, NceLogZDerivativeMatchesFiniteDifferences) {
  for (double eps : {1.0, 0.1})
    for (bool full : {false, true}) {
      const CneBatch batch = tiny_batch(full);
      const MatrixD Y = testing::random_layout(6, 2, 1.5, 12);
      NceLoss nce;
      nce.eps = eps;
      nce.log_z = 0.4;
      nce.prepare(batch.edges);
      double dlogz;
      analytic_gradient(nce, Y, batch, dlogz);
      const double h = 1e-6;
      NceLoss plus = nce, minus = nce;
      plus.log_z += h;
      plus.prepare(batch.edges);
      minus.log_z -= h;
      minus.prepare(batch.edges);
      const double fd =
          (batch_loss(plus, Y, batch) - batch_loss(minus, Y, batch)) / (2 * h);
      EXPECT_NEAR(dlogz, fd, 1e-6 * (1.0 + std::fabs(fd)))
          << "eps " << eps << " full " << full;
      EXPECT_GT(std::fabs(dlogz), 1e-3);
    }
}

// A batch of b = 4 edges over n = 9 points with the paper's m = 5 drawn
// negatives per head (2b - 2 = 6 > 5: not full-batch): the 2-D kernel for
// m = 5 keeps a row's pairs in registers, other shapes go through blocks.
// Point 2 occupies three rows, point 8 none; negatives include own tails
// and repeated rows.
CneBatch five_negatives_batch() {
  CneBatch batch;
  batch.edges = 4;
  batch.points = {0, 2, 5, 2, 2, 3, 7, 6};
  batch.negatives = 5;
  batch.negative_rows = {4,      1, 7,      7, 3, /**/ 5, 0, 2,
                         6,      4, /**/ 1, 3, 6, 0,      6,
                         /**/ 7, 2, 5,      1, 4};
  return batch;
}

TEST(CneBatchGradient, MatchesFiniteDifferencesWithFiveNegatives) {
  const CneBatch batch = five_negatives_batch();
  for (double eps : {1.0, 0.1})
    for (int dim : {2, 3}) {
      const std::string tag =
          "eps " + std::to_string(eps) + " dim " + std::to_string(dim);
      NegLoss neg;
      neg.c = 0.3;
      neg.eps = eps;
      expect_gradient_matches(neg, batch, dim, "neg " + tag, 9, 8);
      NceLoss nce;
      nce.log_z = -0.7;
      nce.eps = eps;
      expect_gradient_matches(nce, batch, dim, "nce " + tag, 9, 8);
      InfoNceLoss info;
      info.rho = 2.0;
      info.eps = eps;
      expect_gradient_matches(info, batch, dim, "infonce " + tag, 9, 8);
      UmapLoss umap;
      umap.eps = eps;
      expect_gradient_matches(umap, batch, dim, "umap " + tag, 9, 8);
    }
}

/// The batch gradient the plain way: per head row its m + 1 squared
/// distances, the loss's row(), and 2 coef (y_i - y_k) added pair by pair.
template <class Loss>
double reference_batch_gradient(const Loss &loss, const MatrixD &Y,
                                const CneBatch &batch, MatrixD &row_grad,
                                double &dlogz) {
  const int b = batch.edges, m = batch.negatives;
  const auto dim = Y.cols;
  row_grad = MatrixD(2 * b, dim);
  std::vector<double> d2(m + 1), coef(m + 1);
  double total = 0;
  for (int r = 0; r < b; ++r) {
    auto partner = [&](int t) {
      return t == 0 ? r + b : batch.negative_row(r, t - 1);
    };
    for (int t = 0; t <= m; ++t) {
      d2[t] = 0;
      for (std::int64_t d = 0; d < dim; ++d) {
        const double diff =
            Y(batch.points[r], d) - Y(batch.points[partner(t)], d);
        d2[t] += diff * diff;
      }
    }
    total += loss.row(d2.data(), m + 1, coef.data(), dlogz);
    for (int t = 0; t <= m; ++t)
      for (std::int64_t d = 0; d < dim; ++d) {
        const double g =
            2 * coef[t] *
            (Y(batch.points[r], d) - Y(batch.points[partner(t)], d));
        row_grad(r, d) += g;
        row_grad(partner(t), d) -= g;
      }
  }
  return total;
}

/// A random batch of b edges with m drawn negatives over n points.
CneBatch random_batch(int b, int m, std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  CneBatch batch;
  batch.edges = b;
  batch.negatives = m;
  batch.points.resize(2 * b);
  for (auto &p : batch.points)
    p = static_cast<std::int32_t>(rng.below(n));
  batch.negative_rows.resize(static_cast<std::size_t>(b) * m);
  draw_batch_negatives(b, m, 0, b, rng, batch.negative_rows.data());
  return batch;
}

template <class Loss>
void expect_matches_reference(const Loss &loss, int b, int m, int dim,
                              const std::string &what) {
  SCOPED_TRACE(what + " b " + std::to_string(b) + " m " + std::to_string(m) +
               " dim " + std::to_string(dim));
  const std::int64_t n = 3 * b;
  const CneBatch batch = random_batch(b, m, n, 5);
  const MatrixD Y = testing::random_layout(n, dim, 2.0, 6);
  CneBatchScratch scratch;
  double dz = 0, dz_want = 0;
  const double l = cne_batch_gradient(loss, Y, batch, scratch, dz);
  MatrixD want;
  const double l_want = reference_batch_gradient(loss, Y, batch, want, dz_want);
  EXPECT_NEAR(l, l_want, 1e-12 * std::fabs(l_want));
  EXPECT_NEAR(dz, dz_want, 1e-12 * (1 + std::fabs(dz_want)));
  double scale = 0;
  for (double v : want.data)
    scale = std::max(scale, std::fabs(v));
  for (std::size_t e = 0; e < want.data.size(); ++e)
    ASSERT_NEAR(scratch.row_grad[e], want.data[e], 1e-13 * scale) << e;
  // Without the loss value: the same gradient, bit for bit.
  CneBatchScratch quiet;
  double dz_quiet = 0;
  EXPECT_EQ(cne_batch_gradient(loss, Y, batch, quiet, dz_quiet, false), 0.0);
  EXPECT_EQ(dz_quiet, dz);
  for (std::size_t e = 0; e < want.data.size(); ++e)
    ASSERT_EQ(quiet.row_grad[e], scratch.row_grad[e]) << e;
}

TEST(CneBatchGradient, KernelsMatchAPlainLoop) {
  // m = 5 at dim 2 without the loss value: the kernel of 4 rows at a time
  // (b = 203: and 3 left over); otherwise blocks of kCnePairBlock / (m + 1)
  // head rows (b = 200 spans several blocks).
  NegLoss neg;
  neg.c = 0.05;
  NceLoss nce;
  nce.log_z = -1.0;
  nce.prepare(200);
  InfoNceLoss info;
  info.rho = 1.5;
  UmapLoss umap;
  umap.eps = 0.5;
  for (const auto &[b, m, dim] :
       {std::tuple{200, 5, 2}, std::tuple{203, 5, 2}, std::tuple{200, 5, 3},
        std::tuple{200, 7, 2}, std::tuple{40, 60, 2}, std::tuple{3, 1, 2}}) {
    expect_matches_reference(neg, b, m, dim, "neg");
    expect_matches_reference(nce, b, m, dim, "nce");
    expect_matches_reference(info, b, m, dim, "infonce");
    expect_matches_reference(umap, b, m, dim, "umap");
  }
}

TEST(CneLoss, LossValueOfManyClampedPairs) {
  // One logarithm per block of factors: 100 coincident negatives with
  // eps = 0 each clamp 1 - sigma = 0 to 1e-10 (a product of 1e-1000, far
  // below the doubles) and add -log(1e-10); the positive pair at d2 = 1
  // has sigma = 1/2.
  NegLoss neg;
  neg.eps = 0.0;
  std::vector<double> d2(101, 0.0), coef(101);
  d2[0] = 1.0;
  double dz = 0;
  const double want = std::log(2.0) - 100 * std::log(1e-10);
  EXPECT_NEAR(neg.row(d2.data(), 101, coef.data(), dz), want, 1e-13 * want);
  for (int t = 1; t <= 100; ++t)
    ASSERT_EQ(coef[t], 0.0) << t;
  UmapLoss umap;
  umap.eps = 1.0;
  EXPECT_NEAR(umap.row(d2.data(), 101, coef.data(), dz), want, 1e-13 * want);
  // A clamp far below the doubles' reach when multiplied: 1e-150 each.
  neg.clamp_low = 1e-150;
  const double tiny = std::log(2.0) - 100 * std::log(1e-150);
  EXPECT_NEAR(neg.row(d2.data(), 101, coef.data(), dz), tiny, 1e-13 * tiny);
}

TEST(CneBatchGradient, PairGradientHandComputed) {
  // One edge (0, 1) and one negative row (the tail itself, row 1): points
  // at (0, 0) and (1, 0); NEG c = 1, eps = 1. Attraction coef 1/3, repulsion
  // coef -1/6: dl/dy_0 = 2 (1/3 - 1/6) (y_0 - y_1) = (-1/3, 0).
  CneBatch batch;
  batch.edges = 1;
  batch.points = {0, 1};
  batch.negatives = 1;
  batch.negative_rows = {1};
  MatrixD Y(2, 2);
  Y(1, 0) = 1.0;
  double dz;
  const MatrixD G = analytic_gradient(NegLoss{}, Y, batch, dz);
  EXPECT_DOUBLE_EQ(G(0, 0), -1.0 / 3.0);
  EXPECT_DOUBLE_EQ(G(1, 0), 1.0 / 3.0);
  EXPECT_EQ(G(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(batch_loss(NegLoss{}, Y, batch),
                   std::log(3.0) - std::log(2.0 / 3.0));
}

} // namespace
} // namespace nebench
