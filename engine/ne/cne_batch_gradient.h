#pragma once
// The gradient of the summed loss of one CNE batch (loss_aggregation =
// "sum" in the paper's scripts) with respect to every embedding entry, as
// torch's autograd computes it for the package's non-parametric model
// (an nn.Embedding table): every row of the batch, head, tail or negative,
// receives the gradient of every pair it is part of, and a point that occurs
// in several rows sums them.
//
// For a pair (i, k) with coefficient coef = dl/d(d2_ik) (engine/ne/
// cne_loss.h), d2_ik = |y_i - y_k|^2 gives
//   dl/dy_i = 2 coef (y_i - y_k),   dl/dy_k = -2 coef (y_i - y_k).
// The gradients are first accumulated per ROW of the batch (a 2b x dim
// local table, cleared per batch) and then added into the n x dim gradient
// at the rows' points only (cne_scatter_rows), so nothing of size n is
// touched per batch. One thread, fixed order: the result is bitwise
// reproducible.

#include "engine/core/matrix.h"
#include "engine/ne/cne_batch_sampler.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nebench {

/// Buffers of cne_batch_gradient(), sized once for the largest batch.
struct CneBatchScratch {
  std::vector<double> row_grad; ///< 2b x dim: gradient per batch row
  std::vector<double> d2;       ///< 1 + negatives: squared distances of a row
  std::vector<double> coef;     ///< 1 + negatives: dl/d(d2) of a row

  /// Sizes the buffers for batches of at most `batch_edges` edges with at
  /// most `negatives` negatives per head (allocates only when growing).
  void reserve(int batch_edges, int negatives, int dim) {
    const auto rows = static_cast<std::size_t>(2 * batch_edges);
    if (row_grad.size() < rows * dim)
      row_grad.resize(rows * dim);
    if (d2.size() < static_cast<std::size_t>(negatives) + 1) {
      d2.resize(static_cast<std::size_t>(negatives) + 1);
      coef.resize(d2.size());
    }
  }
};

namespace cne_detail {

template <int Dim, bool kLoss, class Loss>
double batch_gradient(const Loss &loss, const double *Y, int dim,
                      const CneBatch &batch, double *row_grad, double *d2,
                      double *coef, double &dlogz) {
  const int D = Dim > 0 ? Dim : dim;
  const int b = batch.edges, m = batch.negatives;
  const std::int32_t *points = batch.points.data();
  std::fill(row_grad, row_grad + static_cast<std::size_t>(2 * b) * D, 0.0);
  double total = 0.0;
  auto row_of = [&](int r, int t) {
    return t == 0 ? r + b : batch.negative_row(r, t - 1);
  };
  for (int r = 0; r < b; ++r) {
    const double *yi = Y + static_cast<std::int64_t>(points[r]) * D;
    for (int t = 0; t <= m; ++t) {
      const double *yk =
          Y + static_cast<std::int64_t>(points[row_of(r, t)]) * D;
      double s = 0.0;
      for (int d = 0; d < D; ++d) {
        const double diff = yi[d] - yk[d];
        s += diff * diff;
      }
      d2[t] = s;
    }
    total += loss.template row<kLoss>(d2, m + 1, coef, dlogz);
    double *gi = row_grad + static_cast<std::size_t>(r) * D;
    for (int t = 0; t <= m; ++t) {
      const double c2 = 2.0 * coef[t];
      if (c2 == 0.0)
        continue;
      const int s = row_of(r, t);
      const double *yk = Y + static_cast<std::int64_t>(points[s]) * D;
      double *gk = row_grad + static_cast<std::size_t>(s) * D;
      for (int d = 0; d < D; ++d) {
        const double g = c2 * (yi[d] - yk[d]);
        gi[d] += g;
        gk[d] -= g;
      }
    }
  }
  return total;
}

} // namespace cne_detail

/// The summed loss of `batch` at embedding Y (n x dim); writes the gradient
/// of each of its 2b rows to scratch.row_grad (row r at [r * dim, (r + 1) *
/// dim)) and adds dl/d(log Z) to dlogz (nce). Calls loss.row() once per
/// head row, in order. With with_loss = false the loss value is skipped
/// (returns 0; the gradient is the same).
template <class Loss>
double cne_batch_gradient(const Loss &loss, const MatrixD &Y,
                          const CneBatch &batch, CneBatchScratch &scratch,
                          double &dlogz, bool with_loss = true) {
  const int dim = static_cast<int>(Y.cols);
  scratch.reserve(batch.edges, batch.negatives, dim);
  double *g = scratch.row_grad.data();
  double *d2 = scratch.d2.data();
  double *coef = scratch.coef.data();
  const double *y = Y.data.data();
  if (dim == 2)
    return with_loss ? cne_detail::batch_gradient<2, true>(loss, y, dim, batch,
                                                           g, d2, coef, dlogz)
                     : cne_detail::batch_gradient<2, false>(loss, y, dim, batch,
                                                            g, d2, coef, dlogz);
  return with_loss ? cne_detail::batch_gradient<0, true>(loss, y, dim, batch, g,
                                                         d2, coef, dlogz)
                   : cne_detail::batch_gradient<0, false>(loss, y, dim, batch,
                                                          g, d2, coef, dlogz);
}

/// Adds the row gradients of `batch` into G (n x dim, row-major) at the
/// rows' points: G[points[r]] += row_grad[r].
inline void cne_scatter_rows(const CneBatch &batch, const double *row_grad,
                             int dim, double *G) {
  const int rows = 2 * batch.edges;
  for (int r = 0; r < rows; ++r) {
    double *gp = G + static_cast<std::int64_t>(batch.points[r]) * dim;
    const double *gr = row_grad + static_cast<std::size_t>(r) * dim;
    for (int d = 0; d < dim; ++d)
      gp[d] += gr[d];
  }
}

} // namespace nebench
