// One epoch of non-parametric CNE with LibTorch tensor ops (engine/torch/
// cne_torch_epoch.h) against the native optimizer (engine/ne/
// cne_optimizer.h) from the same start and seed: same batches and
// negatives, so the embeddings (and NCE's log Z) agree to rounding.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/ne/cne_optimizer.h"
#include "engine/torch/cne_torch_epoch.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

namespace nebench {
namespace {

MatrixD start_layout(std::int64_t n, std::uint64_t seed) {
  MatrixD Y(n, 2);
  Rng rng(seed);
  for (double &v : Y.data)
    v = 2.0 * rng.normal();
  return Y;
}

/// Largest |a - b| over the entries, relative to the largest |b|.
double max_rel_diff(const torch::Tensor &a, const MatrixD &b) {
  const torch::Tensor t = a.detach().contiguous();
  const double *p = t.data_ptr<double>();
  double diff = 0, scale = 0;
  for (std::size_t e = 0; e < b.data.size(); ++e) {
    diff = std::max(diff, std::fabs(p[e] - b.data[e]));
    scale = std::max(scale, std::fabs(b.data[e]));
  }
  return diff / scale;
}

template <class Loss>
void compare_epochs(const Loss &loss, int batch_size, int negatives,
                    const std::string &what) {
  SCOPED_TRACE(what);
  const Matrix X = testing::gaussian_data(120, 5, 8);
  const Csr A = binary_knn_graph(testing::brute_force_graph(X, 6), 6);
  CneOptimizerParams p;
  p.batch_size = batch_size;
  p.negatives = negatives;
  p.seed = 17;
  const MatrixD Y0 = start_layout(A.n, 3);

  CneOptimizer native(A, p);
  CneTorchEpoch torch_epoch(A, p);
  ASSERT_EQ(torch_epoch.edges().size(), native.edges().size());
  MatrixD Y = Y0;
  Loss native_loss = loss;
  torch::Tensor table = torch::from_blob(const_cast<double *>(Y0.data.data()),
                                         {Y0.rows, Y0.cols}, torch::kFloat64)
                            .clone()
                            .requires_grad_(true);
  torch::Tensor log_z;
  if constexpr (requires { loss.log_z; })
    log_z = torch::full({}, loss.log_z, torch::kFloat64).requires_grad_(true);

  // Two epochs of a 4-epoch phase (lr 1, then 0.75), each from the native
  // state (the second with its own stream). Each epoch starts from identical
  // values: chained epochs would also compare the amplification of rounding
  // differences, which is large for UMAP's repulsion (dl/dy ~ 1/|y_i - y_k|
  // for close pairs), not a difference of the two implementations.
  for (int e = 0; e < 2; ++e) {
    const double lr = native.learning_rate(e, 4);
    {
      torch::NoGradGuard no_grad;
      table.copy_(
          torch::from_blob(Y.data.data(), {Y.rows, Y.cols}, torch::kFloat64));
      if constexpr (requires { native_loss.log_z; })
        log_z.fill_(native_loss.log_z);
    }
    const double want = native.run_epoch(native_loss, 1, e, lr, Y);
    const double got = torch_epoch.run_epoch(loss, 1, e, lr, table, log_z);
    EXPECT_NEAR(got, want, 1e-9 * std::fabs(want)) << "epoch " << e;
    // Within an epoch the batches chain; UMAP's repulsion amplifies
    // rounding to ~1e-9 relative over them (seen: 1.1e-9).
    EXPECT_LT(max_rel_diff(table, Y), 1e-8) << "epoch " << e;
    if constexpr (requires { loss.log_z; })
      EXPECT_NEAR(log_z.item<double>(), native_loss.log_z, 1e-12);
  }
  // The epochs moved the layout (the comparison is not of two no-ops).
  double moved = 0;
  for (std::size_t i = 0; i < Y.data.size(); ++i)
    moved = std::max(moved, std::fabs(Y.data[i] - Y0.data[i]));
  EXPECT_GT(moved, 0.1);
}

TEST(CneTorchEpoch, MatchesTheNativeEpoch) {
  NegLoss neg;
  neg.c = 0.5;
  compare_epochs(neg, 32, 5, "neg");
  NceLoss nce;
  nce.negatives = 5;
  nce.log_z = -0.5;
  compare_epochs(nce, 32, 5, "nce");
  InfoNceLoss info;
  compare_epochs(info, 32, 5, "infonce");
  UmapLoss umap;
  compare_epochs(umap, 32, 5, "umap");
  // Full-batch repulsion (m >= 2b - 2) and a short last batch.
  compare_epochs(info, 7, 50, "infonce full batch");
}

TEST(CneTorchEpoch, RejectsBadTables) {
  const Matrix X = testing::gaussian_data(30, 3, 1);
  const Csr A = binary_knn_graph(testing::brute_force_graph(X, 4), 4);
  CneTorchEpoch epoch(A, CneOptimizerParams{});
  torch::Tensor no_grad = torch::zeros({30, 2}, torch::kFloat64);
  EXPECT_THROW(epoch.run_epoch(NegLoss{}, 1, 0, 1.0, no_grad), NebenchError);
  torch::Tensor wrong_rows =
      torch::zeros({29, 2}, torch::kFloat64).requires_grad_(true);
  EXPECT_THROW(epoch.run_epoch(NegLoss{}, 1, 0, 1.0, wrong_rows), NebenchError);
  torch::Tensor table =
      torch::zeros({30, 2}, torch::kFloat64).requires_grad_(true);
  EXPECT_THROW(epoch.run_epoch(NceLoss{}, 1, 0, 1.0, table), NebenchError)
      << "nce needs a log Z tensor";
}

} // namespace
} // namespace nebench
