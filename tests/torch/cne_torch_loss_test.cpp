// The LibTorch CNE losses (engine/torch/cne_torch_loss.h) against the native
// ones (engine/ne/cne_loss.h, engine/ne/cne_batch_gradient.h) on one batch
// with fixed negatives, in double: the summed loss, autograd's gradient with
// respect to every row of the batch and to every point of the table, and
// NCE's dl/dlog Z, for all four losses at eps 1 and 0.1, including clamped
// log arguments and points that occur in several rows.

#include "engine/core/errors.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/ne/cne_batch_gradient.h"
#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_loss.h"
#include "engine/torch/cne_torch_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nebench {
namespace {

constexpr double kTol = 1e-10;

torch::Tensor to_tensor(const MatrixD &Y) {
  return torch::from_blob(const_cast<double *>(Y.data.data()), {Y.rows, Y.cols},
                          torch::kFloat64)
      .clone();
}

/// A batch of b edges over n points with m fixed negatives per head, drawn
/// with the native rule (draw_batch_negatives). Points are drawn from a
/// small range, so most points occur in several rows.
CneBatch make_batch(int b, int m, std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  CneBatch batch;
  batch.edges = b;
  batch.negatives = m;
  batch.full = false;
  batch.points.resize(2 * b);
  for (int r = 0; r < b; ++r) {
    batch.points[r] = static_cast<std::int32_t>(rng.below(n));
    std::int32_t t;
    do
      t = static_cast<std::int32_t>(rng.below(n));
    while (t == batch.points[r]);
    batch.points[r + b] = t;
  }
  batch.negative_rows.resize(static_cast<std::size_t>(b) * m);
  draw_batch_negatives(b, m, 0, b, rng, batch.negative_rows.data());
  return batch;
}

/// Layout with points at mixed scales: a third close together (phi > 1
/// when eps < 1), the rest spread out (small phi, clamped at a large
/// clamp_low).
MatrixD layout(std::int64_t n, std::uint64_t seed) {
  MatrixD Y(n, 2);
  Rng rng(seed, 1);
  for (std::int64_t i = 0; i < n; ++i) {
    const double s = i % 3 == 0 ? 0.2 : (i % 3 == 1 ? 1.5 : 6.0);
    Y(i, 0) = s * rng.normal();
    Y(i, 1) = s * rng.normal();
  }
  return Y;
}

/// Native: summed loss, row gradient (2b x dim), point gradient (n x dim),
/// dl/dlog Z, and how many coefficients were zeroed by a clamp.
struct Native {
  double loss = 0.0;
  std::vector<double> row_grad;
  std::vector<double> point_grad;
  double dlogz = 0.0;
  int clamped = 0;
};

template <class Loss>
Native native_batch(Loss loss, const MatrixD &Y, const CneBatch &batch) {
  Native out;
  loss.prepare(batch.edges);
  CneBatchScratch scratch;
  out.loss = cne_batch_gradient(loss, Y, batch, scratch, out.dlogz);
  const int dim = static_cast<int>(Y.cols);
  out.row_grad.assign(scratch.row_grad.begin(),
                      scratch.row_grad.begin() + 2 * batch.edges * dim);
  out.point_grad.assign(Y.data.size(), 0.0);
  cne_scatter_rows(batch, out.row_grad.data(), dim, out.point_grad.data());
  // Count clamped coefficients (exactly zero only when clamped).
  std::vector<double> d2(batch.negatives + 1), coef(d2.size());
  for (int r = 0; r < batch.edges; ++r) {
    for (int t = 0; t <= batch.negatives; ++t) {
      const int s = t == 0 ? r + batch.edges : batch.negative_row(r, t - 1);
      double v = 0;
      for (int d = 0; d < dim; ++d) {
        const double diff = Y(batch.points[r], d) - Y(batch.points[s], d);
        v += diff * diff;
      }
      d2[t] = v;
    }
    double unused = 0;
    loss.template row<false>(d2.data(), batch.negatives + 1, coef.data(),
                             unused);
    out.clamped += static_cast<int>(std::count(coef.begin(), coef.end(), 0.0));
  }
  return out;
}

void expect_close(const torch::Tensor &got, const std::vector<double> &want,
                  const std::string &what) {
  const torch::Tensor g = got.contiguous();
  ASSERT_EQ(static_cast<std::size_t>(g.numel()), want.size()) << what;
  const double *p = g.data_ptr<double>();
  double scale = 0;
  for (double w : want)
    scale = std::max(scale, std::fabs(w));
  ASSERT_GT(scale, 0) << what << ": the gradient should not vanish";
  for (std::size_t e = 0; e < want.size(); ++e)
    ASSERT_NEAR(p[e], want[e], kTol * std::max(std::fabs(want[e]), scale))
        << what << " entry " << e;
}

struct Case {
  std::string name;
  CneLossConfig loss;
  bool expect_clamps;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (double eps : {1.0, 0.1}) {
    const std::string e = " eps " + std::to_string(eps);
    NegLoss neg;
    neg.eps = eps;
    neg.c = 0.3;
    out.push_back({"neg c 0.3" + e, neg, false});
    neg.clamp_low = 0.02; // many -log sigma and -log(1 - sigma) clamped
    neg.c = 2.0;
    out.push_back({"neg clamped" + e, neg, true});
    NceLoss nce;
    nce.eps = eps;
    nce.negatives = 5;
    nce.log_z = -1.3;
    out.push_back({"nce" + e, nce, false});
    nce.clamp_low = 0.05;
    nce.log_z = 0.7;
    out.push_back({"nce clamped" + e, nce, true});
    UmapLoss umap;
    umap.eps = eps;
    out.push_back({"umap" + e, umap, eps < 1}); // phi > 1 when eps < 1
    umap.clamp_low = 0.05;
    out.push_back({"umap clamped" + e, umap, true});
    InfoNceLoss info;
    info.eps = eps;
    out.push_back({"infonce" + e, info, eps < 1});
    info.rho = 4.0;
    info.scale = 1.0;
    info.clamp_low = 0.05;
    out.push_back({"infonce rho 4 clamped" + e, info, true});
  }
  return out;
}

TEST(CneTorchLoss, MatchesNativeLossAndGradients) {
  const std::int64_t n = 30;
  const int b = 40, m = 5;
  const MatrixD Y = layout(n, 3);
  const CneBatch batch = make_batch(b, m, n, 4);
  // Points repeat across rows (80 rows over 30 points).
  std::vector<int> seen(n, 0);
  for (std::int32_t p : batch.points)
    ++seen[p];
  ASSERT_GT(*std::max_element(seen.begin(), seen.end()), 2);

  const torch::Tensor negatives = cne_batch_negative_rows(batch);
  const torch::Tensor points = cne_batch_points(batch);
  for (const Case &c : cases()) {
    SCOPED_TRACE(c.name);
    const Native want = std::visit(
        [&](const auto &l) { return native_batch(l, Y, batch); }, c.loss);
    if (c.expect_clamps)
      EXPECT_GT(want.clamped, 0) << "the case should clamp some arguments";

    // Gradient with respect to the rows (the native row_grad).
    torch::Tensor rows = to_tensor(Y).index_select(0, points);
    rows.requires_grad_(true);
    torch::Tensor log_z;
    if (const auto *nce = std::get_if<NceLoss>(&c.loss))
      log_z = torch::full({}, nce->log_z, torch::kFloat64).requires_grad_();
    torch::Tensor l = cne_torch_batch_loss(c.loss, rows, negatives, log_z);
    l.backward();
    EXPECT_NEAR(l.item<double>(), want.loss, kTol * std::fabs(want.loss));
    expect_close(rows.grad(), want.row_grad, "row gradient");
    if (log_z.defined()) {
      ASSERT_NE(want.dlogz, 0.0);
      EXPECT_NEAR(log_z.grad().item<double>(), want.dlogz,
                  kTol * std::fabs(want.dlogz));
    }

    // Gradient with respect to the points (a table gathered by the batch:
    // a point in several rows sums them, as cne_scatter_rows).
    torch::Tensor table = to_tensor(Y).requires_grad_(true);
    torch::Tensor l2 = cne_torch_batch_loss(
        c.loss, table.index_select(0, points), negatives,
        log_z.defined() ? log_z.detach() : torch::Tensor());
    l2.backward();
    expect_close(table.grad(), want.point_grad, "point gradient");
  }
}

TEST(CneTorchLoss, CoincidentPointsWithZeroEps) {
  // eps = 0 and a negative at the head's own point: q = 0, phi = inf. The
  // native losses clamp without a gradient; the torch ones must match and
  // stay finite.
  const std::int64_t n = 6;
  MatrixD Y = layout(n, 5);
  CneBatch batch;
  batch.edges = 3;
  batch.negatives = 2;
  batch.points = {0, 1, 2, 3, 4, 0}; // row 5 is point 0 again
  batch.negative_rows = {5, 1, 5, 4, 3, 0};
  const torch::Tensor negatives = cne_batch_negative_rows(batch);
  const torch::Tensor points = cne_batch_points(batch);
  UmapLoss umap;
  umap.eps = 0.0;
  InfoNceLoss info;
  info.eps = 0.0;
  NegLoss neg;
  neg.eps = 0.0;
  for (const CneLossConfig &loss :
       std::vector<CneLossConfig>{umap, info, neg}) {
    const Native want = std::visit(
        [&](const auto &l) { return native_batch(l, Y, batch); }, loss);
    EXPECT_GT(want.clamped, 0);
    torch::Tensor rows = to_tensor(Y).index_select(0, points);
    rows.requires_grad_(true);
    torch::Tensor l = cne_torch_batch_loss(loss, rows, negatives);
    l.backward();
    EXPECT_NEAR(l.item<double>(), want.loss, kTol * std::fabs(want.loss));
    EXPECT_TRUE(torch::isfinite(rows.grad()).all().item<bool>());
    expect_close(rows.grad(), want.row_grad, "row gradient");
  }
}

TEST(CneTorchLoss, FullBatchNegativeRows) {
  // m >= 2b - 2: every row but r and r + b, as CneBatch::negative_row.
  CneBatch batch;
  batch.edges = 3;
  batch.negatives = 4;
  batch.full = true;
  batch.points = {0, 1, 2, 3, 4, 5};
  const torch::Tensor t = cne_batch_negative_rows(batch);
  ASSERT_EQ(t.size(0), 3);
  ASSERT_EQ(t.size(1), 4);
  const std::vector<std::vector<std::int64_t>> want = {
      {1, 2, 4, 5}, {0, 2, 3, 5}, {0, 1, 3, 4}};
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 4; ++s)
      EXPECT_EQ(t[r][s].item<std::int64_t>(), want[r][s]);
}

TEST(CneTorchLoss, NegCAsTheNativeOptimizer) {
  NceLoss nce;
  nce.negatives = 5;
  nce.log_z = 0.5;
  EXPECT_DOUBLE_EQ(cne_neg_c(nce, 1024), 5 * std::exp(0.5));
  EXPECT_DOUBLE_EQ(cne_neg_c(nce, 2), 3 * std::exp(0.5)); // min(m, 2b - 1)
  NegLoss neg;
  neg.c = 0.25;
  EXPECT_EQ(cne_neg_c(neg, 10), 0.25);
  EXPECT_TRUE(std::isnan(cne_neg_c(InfoNceLoss{}, 10)));
}

TEST(CneTorchLoss, RejectsInconsistentShapes) {
  const torch::Tensor Y = torch::zeros({6, 2}, torch::kFloat64);
  EXPECT_THROW(
      cne_torch_batch_loss(NegLoss{}, Y, torch::zeros({2, 5}, torch::kInt64)),
      NebenchError);
  EXPECT_THROW(
      cne_torch_batch_loss(NegLoss{}, Y, torch::zeros({3, 5}, torch::kInt32)),
      NebenchError);
  EXPECT_THROW(cne_torch_batch_loss(NegLoss{}, torch::zeros({5, 2}),
                                    torch::zeros({2, 5}, torch::kInt64)),
               NebenchError);
}

} // namespace
} // namespace nebench
