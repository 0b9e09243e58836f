#include "engine/torch/cne_torch_loss.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace nebench {

namespace {

/// -log(clamp(x, lo, 1)), the package's torch.log(x.clamp(lo, high)).
torch::Tensor neg_log_clamped(const torch::Tensor &x, double lo) {
  return -torch::log(torch::clamp(x, lo, 1.0));
}

/// Sum of the NEG estimator's loss (eq. of NegLoss) for the d^2 table
/// (b x (1 + m), column 0 the positive pair) at c (a double or a 0-dim
/// tensor, so that NCE's log Z receives its gradient).
template <class C>
torch::Tensor neg_loss(const torch::Tensor &d2, const C &c, double eps,
                       double lo) {
  const torch::Tensor q = d2 + eps;
  const torch::Tensor sigma = 1.0 / (1.0 + c * q);
  // Positive pair: -log sigma; negatives: -log(1 - sigma), 1 - sigma written
  // c q sigma as in NegLoss::negative (no cancellation when sigma ~ 1).
  const torch::Tensor pos = neg_log_clamped(sigma.select(1, 0), lo);
  const torch::Tensor rest = sigma.narrow(1, 1, sigma.size(1) - 1);
  const torch::Tensor q_rest = q.narrow(1, 1, q.size(1) - 1);
  const torch::Tensor neg = neg_log_clamped(c * q_rest * rest, lo);
  return pos.sum() + neg.sum();
}

/// phi = 1 / q where q > 0, +inf where q <= 0 (clamped to 1 later, without
/// gradient); the division only sees the valid entries (q_safe = 1
/// elsewhere) so that the backward pass never forms 0 * inf.
torch::Tensor kernel(const torch::Tensor &q, const torch::Tensor &valid) {
  const torch::Tensor q_safe = q.masked_fill(valid.logical_not(), 1.0);
  return (1.0 / q_safe)
      .masked_fill(valid.logical_not(),
                   std::numeric_limits<double>::infinity());
}

torch::Tensor umap_loss(const UmapLoss &loss, const torch::Tensor &d2) {
  const torch::Tensor q = d2 + loss.eps;
  const torch::Tensor valid = q > 0;
  const torch::Tensor phi = kernel(q, valid);
  const torch::Tensor pos = neg_log_clamped(phi.select(1, 0), loss.clamp_low);
  // 1 - phi = (d^2 + eps - 1) / q (UmapLoss::negative); -1 where q <= 0, so
  // that the clamp gives clamp_low without a gradient as natively.
  const torch::Tensor q_safe = q.masked_fill(valid.logical_not(), 1.0);
  const torch::Tensor one_minus =
      ((d2 + (loss.eps - 1.0)) / q_safe).masked_fill(valid.logical_not(), -1.0);
  const torch::Tensor rest = one_minus.narrow(1, 1, one_minus.size(1) - 1);
  return pos.sum() + neg_log_clamped(rest, loss.clamp_low).sum();
}

torch::Tensor infonce_loss(const InfoNceLoss &loss, const torch::Tensor &d2) {
  const torch::Tensor q = d2 + loss.eps;
  const torch::Tensor phi =
      torch::clamp(kernel(q, q > 0), loss.clamp_low, 1.0); // phi~, each clamped
  const torch::Tensor l =
      -torch::log(phi.select(1, 0)) + torch::log(phi.sum(1)) / loss.rho;
  return loss.scale * l.sum();
}

} // namespace

torch::Tensor cne_torch_batch_loss(const CneLossConfig &loss,
                                   const torch::Tensor &Y_rows,
                                   const torch::Tensor &negative_rows,
                                   const torch::Tensor &log_z) {
  if (Y_rows.dim() != 2 || Y_rows.size(0) < 2 || Y_rows.size(0) % 2 != 0)
    throw NebenchError("CNE (torch): Y_rows must be 2b x dim with b >= 1");
  const std::int64_t b = Y_rows.size(0) / 2;
  if (negative_rows.dim() != 2 || negative_rows.size(0) != b ||
      negative_rows.scalar_type() != torch::kInt64)
    throw NebenchError("CNE (torch): negative_rows must be a b x m int64 "
                       "tensor (b = " +
                       std::to_string(b) + ")");
  const std::int64_t m = negative_rows.size(1);
  // neigh_inds of the package: column 0 the positive partner r + b, then the
  // negatives.
  const torch::Tensor tails = torch::arange(
      b, 2 * b,
      torch::TensorOptions().dtype(torch::kInt64).device(Y_rows.device()));
  const torch::Tensor idx =
      torch::cat({tails.unsqueeze(1), negative_rows}, 1).reshape({-1});
  const torch::Tensor heads = Y_rows.narrow(0, 0, b);
  const torch::Tensor partners =
      Y_rows.index_select(0, idx).view({b, m + 1, Y_rows.size(1)});
  const torch::Tensor d2 = (heads.unsqueeze(1) - partners).pow(2).sum(2);

  return std::visit(
      [&](const auto &l) -> torch::Tensor {
        using L = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<L, NegLoss>) {
          return neg_loss(d2, l.c, l.eps, l.clamp_low);
        } else if constexpr (std::is_same_v<L, NceLoss>) {
          // The code's negative_samples = min(m, 2b - 1); c = m exp(log Z).
          const double mm = static_cast<double>(std::max<std::int64_t>(
              std::min<std::int64_t>(l.negatives, 2 * b - 1), 0));
          if (log_z.defined())
            return neg_loss(d2, mm * torch::exp(log_z), l.eps, l.clamp_low);
          return neg_loss(d2, mm * std::exp(l.log_z), l.eps, l.clamp_low);
        } else if constexpr (std::is_same_v<L, UmapLoss>) {
          return umap_loss(l, d2);
        } else {
          return infonce_loss(l, d2);
        }
      },
      loss);
}

torch::Tensor cne_batch_points(const CneBatch &batch) {
  const int rows = 2 * batch.edges;
  torch::Tensor t = torch::empty({rows}, torch::kInt64);
  auto *p = t.data_ptr<std::int64_t>();
  for (int r = 0; r < rows; ++r)
    p[r] = batch.points[r];
  return t;
}

torch::Tensor cne_batch_negative_rows(const CneBatch &batch) {
  const int b = batch.edges, m = batch.negatives;
  torch::Tensor t = torch::empty({b, m}, torch::kInt64);
  auto *p = t.data_ptr<std::int64_t>();
  for (int r = 0; r < b; ++r)
    for (int s = 0; s < m; ++s)
      p[static_cast<std::int64_t>(r) * m + s] = batch.negative_row(r, s);
  return t;
}

double cne_neg_c(const CneLossConfig &loss, int batch_edges) {
  if (const auto *neg = std::get_if<NegLoss>(&loss))
    return neg->c;
  if (const auto *nce = std::get_if<NceLoss>(&loss)) {
    const int m = std::max(std::min(nce->negatives, 2 * batch_edges - 1), 0);
    return static_cast<double>(m) * std::exp(nce->log_z);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

} // namespace nebench
