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
// The rows' coordinates are first gathered into a 2b x dim table
// (cne_gather_rows), so that the pair loop reads only cache-resident data;
// the gradients are accumulated per ROW of the batch (a 2b x dim table,
// cleared per batch) and then added into the n x dim gradient at the rows'
// points only (cne_scatter_rows), so nothing of size n is touched per
// batch. A range of head rows can be done on its own (cne_rows_gradient):
// the optimizer gives each thread its rows and its own row table. Fixed
// order within a range: the result is bitwise reproducible.

#include "engine/core/matrix.h"
#include "engine/ne/cne_batch_sampler.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nebench {

/// Buffers of cne_batch_gradient(), sized once for the largest batch.
struct CneBatchScratch {
  std::vector<double> coords;   ///< 2b x dim: coordinates of each batch row
  std::vector<double> row_grad; ///< 2b x dim: gradient per batch row
  std::vector<double> d2;       ///< 1 + negatives: squared distances of a row
  std::vector<double> coef;     ///< 1 + negatives: dl/d(d2) of a row

  /// Sizes the buffers for batches of at most `batch_edges` edges with at
  /// most `negatives` negatives per head (allocates only when growing).
  void reserve(int batch_edges, int negatives, int dim) {
    const auto rows = static_cast<std::size_t>(2 * batch_edges);
    if (row_grad.size() < rows * dim) {
      row_grad.resize(rows * dim);
      coords.resize(rows * dim);
    }
    if (d2.size() < static_cast<std::size_t>(negatives) + 1) {
      d2.resize(static_cast<std::size_t>(negatives) + 1);
      coef.resize(d2.size());
    }
  }
};

/// coords[r] = Y[points[r]] for the rows r of [row_begin, row_end).
inline void cne_gather_rows(const CneBatch &batch, const double *Y, int dim,
                            int row_begin, int row_end, double *coords) {
  for (int r = row_begin; r < row_end; ++r) {
    const double *y = Y + static_cast<std::int64_t>(batch.points[r]) * dim;
    std::copy(y, y + dim, coords + static_cast<std::size_t>(r) * dim);
  }
}

namespace cne_detail {

template <int Dim, bool kLoss, class Loss>
double rows_gradient(const Loss &loss, const double *coords, int dim,
                     const CneBatch &batch, int row_begin, int row_end,
                     double *row_grad, double *d2, double *coef,
                     double &dlogz) {
  const int D = Dim > 0 ? Dim : dim;
  const int b = batch.edges, m = batch.negatives;
  const std::int32_t *negative_rows =
      batch.full ? nullptr : batch.negative_rows.data();
  auto row_of = [&](int r, int t) {
    if (t == 0)
      return r + b;
    return negative_rows
               ? negative_rows[static_cast<std::size_t>(r) * m + t - 1]
               : batch.negative_row(r, t - 1);
  };
  double total = 0.0;
  for (int r = row_begin; r < row_end; ++r) {
    const double *yi = coords + static_cast<std::size_t>(r) * D;
    for (int t = 0; t <= m; ++t) {
      const double *yk = coords + static_cast<std::size_t>(row_of(r, t)) * D;
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
      const double *yk = coords + static_cast<std::size_t>(s) * D;
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

/// The summed loss of head rows [row_begin, row_end) of `batch`, whose row
/// coordinates are in coords (2b x dim, cne_gather_rows); ADDS the gradient
/// of those rows' pairs to row_grad (2b x dim; every row a pair touches,
/// head, tail or negative) and dl/d(log Z) to dlogz (nce). d2 and coef hold
/// 1 + negatives values. Calls loss.row() once per head row, in order.
/// With with_loss = false the loss value is skipped (returns 0; the
/// gradient is the same).
template <class Loss>
double cne_rows_gradient(const Loss &loss, const double *coords, int dim,
                         const CneBatch &batch, int row_begin, int row_end,
                         double *row_grad, double *d2, double *coef,
                         double &dlogz, bool with_loss = true) {
  using cne_detail::rows_gradient;
  if (dim == 2)
    return with_loss
               ? rows_gradient<2, true>(loss, coords, dim, batch, row_begin,
                                        row_end, row_grad, d2, coef, dlogz)
               : rows_gradient<2, false>(loss, coords, dim, batch, row_begin,
                                         row_end, row_grad, d2, coef, dlogz);
  return with_loss
             ? rows_gradient<0, true>(loss, coords, dim, batch, row_begin,
                                      row_end, row_grad, d2, coef, dlogz)
             : rows_gradient<0, false>(loss, coords, dim, batch, row_begin,
                                       row_end, row_grad, d2, coef, dlogz);
}

/// The summed loss of `batch` at embedding Y (n x dim); writes the gradient
/// of each of its 2b rows to scratch.row_grad (row r at [r * dim, (r + 1) *
/// dim)) and adds dl/d(log Z) to dlogz (nce). One thread, all rows.
template <class Loss>
double cne_batch_gradient(const Loss &loss, const MatrixD &Y,
                          const CneBatch &batch, CneBatchScratch &scratch,
                          double &dlogz, bool with_loss = true) {
  const int dim = static_cast<int>(Y.cols);
  const int rows = 2 * batch.edges;
  scratch.reserve(batch.edges, batch.negatives, dim);
  cne_gather_rows(batch, Y.data.data(), dim, 0, rows, scratch.coords.data());
  std::fill(scratch.row_grad.begin(),
            scratch.row_grad.begin() + static_cast<std::size_t>(rows) * dim,
            0.0);
  return cne_rows_gradient(loss, scratch.coords.data(), dim, batch, 0,
                           batch.edges, scratch.row_grad.data(),
                           scratch.d2.data(), scratch.coef.data(), dlogz,
                           with_loss);
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
