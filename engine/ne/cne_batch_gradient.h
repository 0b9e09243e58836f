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
//
// The rows' coordinates are first gathered into a 2b x dim table
// (cne_gather_rows), so that the pair loop reads only cache-resident data;
// the gradients are accumulated per ROW of the batch (a 2b x dim table,
// cleared per batch), which is what torch returns for the gathered rows.
// The optimizer (engine/ne/cne_optimizer.h) then sums the rows of each
// distinct point of the batch before the clip; cne_scatter_rows does the
// same into an n x dim table.
//
// The pairs are done a block of head rows at a time, in three passes:
// y_i - y_k and d2 of every pair of the block, then the loss's rows() over
// the whole block (its coefficient loops vectorise across rows), then the
// gradients (y_i's sum kept in registers and added once per row). For
// dim = 2 a point is one 2-lane vector, and the paper's m = 5 has a kernel
// of 4 rows at a time without buffers (the same result). A range of head
// rows can be done on its own (cne_rows_gradient): the optimizer gives each
// thread its rows and its own row table. Fixed order within a range: the
// result is bitwise reproducible.

#include "engine/core/matrix.h"
#include "engine/ne/cne_batch_sampler.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nebench {

/// Pairs per block of cne_rows_gradient() (a block holds at least one
/// head row): ~20 KB of buffers, which stay in L1 between the passes.
inline constexpr int kCnePairBlock = 512;

/// Per-block buffers of cne_rows_gradient(): for a block of n head rows,
/// entries [0, n) are the positive pairs and [n, n + n m) the negatives
/// (row-major).
struct CnePairBuffers {
  std::vector<double> d2;   ///< squared distance of each pair
  std::vector<double> coef; ///< dl/d(d2) of each pair
  std::vector<double> diff; ///< y_i - y_k of each pair (dim values)

  /// Head rows per block with `negatives` negatives each.
  static int block_rows(int negatives) {
    return std::max(1, kCnePairBlock / (negatives + 1));
  }
  /// Sizes the buffers for `negatives` negatives per head row in dim
  /// dimensions (allocates only when growing).
  void reserve(int negatives, int dim) {
    const auto pairs = static_cast<std::size_t>(block_rows(negatives)) *
                       (static_cast<std::size_t>(negatives) + 1);
    if (d2.size() < pairs) {
      d2.resize(pairs);
      coef.resize(pairs);
    }
    if (diff.size() < pairs * dim)
      diff.resize(pairs * dim);
  }
};

/// Buffers of cne_batch_gradient(), sized once for the largest batch.
struct CneBatchScratch {
  std::vector<double> coords;   ///< 2b x dim: coordinates of each row
  std::vector<double> row_grad; ///< 2b x dim: gradient per batch row
  CnePairBuffers pairs;         ///< per-head-row buffers

  /// Sizes the buffers for batches of at most `batch_edges` edges with at
  /// most `negatives` negatives per head (allocates only when growing).
  void reserve(int batch_edges, int negatives, int dim) {
    const auto rows = static_cast<std::size_t>(2 * batch_edges);
    if (row_grad.size() < rows * dim) {
      row_grad.resize(rows * dim);
      coords.resize(rows * dim);
    }
    pairs.reserve(negatives, dim);
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

/// A 2-D point (GCC/Clang vector extension: one SSE register).
using Vec2 = double __attribute__((vector_size(16)));

// Element-wise loads and stores of a row of a dim-2 table: the compiler
// makes one unaligned vector access of each, and they alias only doubles
// (memcpy would alias anything and make it reload every pointer after each
// store).
inline Vec2 load2(const double *p) { return Vec2{p[0], p[1]}; }
inline void store2(double *p, Vec2 v) {
  p[0] = v[0];
  p[1] = v[1];
}

/// The kernel of cne_rows_gradient for a fixed Dim (0: runtime dim),
/// whether the loss value is wanted, and full-batch mode (negatives
/// implicit) or drawn negatives.
template <int Dim, bool kLoss, bool kFull, class Loss>
double rows_gradient(const Loss &loss, const double *coords, int dim,
                     const CneBatch &batch, int row_begin, int row_end,
                     double *grad, CnePairBuffers &buf, double &dlogz) {
  const int D = Dim > 0 ? Dim : dim;
  const int b = batch.edges, m = batch.negatives;
  const std::int32_t *negative_rows = batch.negative_rows.data();
  auto negative_row = [&](int r, int t) -> int {
    if constexpr (kFull)
      return batch.negative_row(r, t);
    else
      return negative_rows[static_cast<std::size_t>(r) * m + t];
  };
  auto row = [&](int r) { return coords + static_cast<std::size_t>(r) * D; };
  // Pass 1 for one pair: y_i - y_k to diff, |y_i - y_k|^2 to d2.
  auto distance = [&](const double *yi, int k, double *diff, double &d2) {
    if constexpr (Dim == 2) {
      const Vec2 dv = load2(yi) - load2(row(k));
      store2(diff, dv);
      d2 = dv[0] * dv[0] + dv[1] * dv[1];
    } else {
      const double *yk = row(k);
      double s = 0.0;
      for (int d = 0; d < D; ++d) {
        diff[d] = yi[d] - yk[d];
        s += diff[d] * diff[d];
      }
      d2 = s;
    }
  };
  // Pass 3 for one pair: g = 2 coef (y_i - y_k) to i's sum, -g to k. A
  // clamped pair has coef = 0 and adds zeros.
  auto pull = [&](double coef, const double *diff, int k, auto &sum) {
    double *gk = grad + static_cast<std::size_t>(k) * D;
    if constexpr (Dim == 2) {
      const Vec2 g = (2.0 * coef) * load2(diff);
      sum += g;
      store2(gk, load2(gk) - g);
    } else {
      for (int d = 0; d < D; ++d) {
        const double g = 2.0 * coef * diff[d];
        sum[d] += g;
        gk[d] -= g;
      }
    }
  };
  const int block = CnePairBuffers::block_rows(m);
  double total = 0.0;
  for (int r0 = row_begin; r0 < row_end; r0 += block) {
    const int n = std::min(block, row_end - r0);
    double *d2_pos = buf.d2.data(), *d2_neg = d2_pos + n;
    double *coef_pos = buf.coef.data(), *coef_neg = coef_pos + n;
    double *diff_pos = buf.diff.data(),
           *diff_neg = diff_pos + static_cast<std::size_t>(n) * D;
    for (int i = 0; i < n; ++i) {
      const int r = r0 + i;
      const double *yi = row(r);
      distance(yi, r + b, diff_pos + static_cast<std::size_t>(i) * D,
               d2_pos[i]);
      for (int t = 0; t < m; ++t) {
        const std::size_t j = static_cast<std::size_t>(i) * m + t;
        distance(yi, negative_row(r, t), diff_neg + j * D, d2_neg[j]);
      }
    }
    total += loss.template rows<kLoss>(d2_pos, d2_neg, n, m, coef_pos, coef_neg,
                                       dlogz);
    for (int i = 0; i < n; ++i) {
      const int r = r0 + i;
      double *gi = grad + static_cast<std::size_t>(r) * D;
      if constexpr (Dim == 2) {
        Vec2 sum = {0.0, 0.0};
        pull(coef_pos[i], diff_pos + 2 * static_cast<std::size_t>(i), r + b,
             sum);
        for (int t = 0; t < m; ++t) {
          const std::size_t j = static_cast<std::size_t>(i) * m + t;
          pull(coef_neg[j], diff_neg + 2 * j, negative_row(r, t), sum);
        }
        store2(gi, load2(gi) + sum);
      } else {
        pull(coef_pos[i], diff_pos + static_cast<std::size_t>(i) * D, r + b,
             gi);
        for (int t = 0; t < m; ++t) {
          const std::size_t j = static_cast<std::size_t>(i) * m + t;
          pull(coef_neg[j], diff_neg + j * D, negative_row(r, t), gi);
        }
      }
    }
  }
  return total;
}

/// The kernel for dim = 2 and a compile-time number M of drawn negatives
/// (the paper's m = 5): R head rows at a time with all their pairs in
/// registers or on the stack (the loss's rows() on R rows, its loops
/// unrolled and vectorised), no buffers; the rows left over one at a time.
/// The same arithmetic per pair, and the same order of the sums, as
/// rows_gradient: the same result, bit for bit.
template <int M, int R, bool kLoss, class Loss>
double rows_gradient_2d(const Loss &loss, const double *coords,
                        const CneBatch &batch, int row_begin, int row_end,
                        double *grad, double &dlogz) {
  const int b = batch.edges;
  const std::int32_t *negative_rows = batch.negative_rows.data();
  auto row = [&](int r) { return coords + 2 * static_cast<std::size_t>(r); };
  double total = 0.0;
  int r0 = row_begin;
  for (; r0 + R <= row_end; r0 += R) {
    int k[R][M + 1]; // the partner rows: the tail, then the negatives
    Vec2 diff[R][M + 1];
    double d2_pos[R], d2_neg[R * M], coef_pos[R], coef_neg[R * M];
    for (int i = 0; i < R; ++i) {
      const int r = r0 + i;
      const std::int32_t *neg = negative_rows + static_cast<std::size_t>(r) * M;
      k[i][0] = r + b;
      for (int t = 0; t < M; ++t)
        k[i][t + 1] = neg[t];
      const Vec2 yi = load2(row(r));
      for (int t = 0; t <= M; ++t) {
        diff[i][t] = yi - load2(row(k[i][t]));
        const double d2 =
            diff[i][t][0] * diff[i][t][0] + diff[i][t][1] * diff[i][t][1];
        (t == 0 ? d2_pos[i] : d2_neg[i * M + t - 1]) = d2;
      }
    }
    total += loss.template rows<kLoss>(d2_pos, d2_neg, R, M, coef_pos, coef_neg,
                                       dlogz);
    for (int i = 0; i < R; ++i) {
      Vec2 sum = {0.0, 0.0};
      for (int t = 0; t <= M; ++t) {
        const double coef = t == 0 ? coef_pos[i] : coef_neg[i * M + t - 1];
        const Vec2 g = (2.0 * coef) * diff[i][t];
        sum += g;
        double *gk = grad + 2 * static_cast<std::size_t>(k[i][t]);
        store2(gk, load2(gk) - g);
      }
      double *gi = grad + 2 * static_cast<std::size_t>(r0 + i);
      store2(gi, load2(gi) + sum);
    }
  }
  if constexpr (R > 1)
    if (r0 < row_end)
      total += rows_gradient_2d<M, 1, kLoss>(loss, coords, batch, r0, row_end,
                                             grad, dlogz);
  return total;
}

template <int Dim, class Loss>
double rows_gradient_dispatch(const Loss &loss, const double *coords, int dim,
                              const CneBatch &batch, int row_begin, int row_end,
                              double *grad, CnePairBuffers &buf, double &dlogz,
                              bool with_loss) {
  if (batch.full)
    return with_loss ? rows_gradient<Dim, true, true>(loss, coords, dim, batch,
                                                      row_begin, row_end, grad,
                                                      buf, dlogz)
                     : rows_gradient<Dim, false, true>(loss, coords, dim, batch,
                                                       row_begin, row_end, grad,
                                                       buf, dlogz);
  return with_loss ? rows_gradient<Dim, true, false>(loss, coords, dim, batch,
                                                     row_begin, row_end, grad,
                                                     buf, dlogz)
                   : rows_gradient<Dim, false, false>(loss, coords, dim, batch,
                                                      row_begin, row_end, grad,
                                                      buf, dlogz);
}

} // namespace cne_detail

/// The summed loss of head rows [row_begin, row_end) of `batch`, whose row
/// coordinates are in coords (2b x dim, cne_gather_rows); ADDS the gradient
/// of those rows' pairs to row_grad (2b x dim; every row a pair touches,
/// head, tail or negative) and dl/d(log Z) to dlogz (nce). buf must be
/// reserved for batch.negatives. Calls loss.rows() once per block of head
/// rows, in order. With with_loss = false the loss value is skipped
/// (returns 0; the gradient is the same).
template <class Loss>
double cne_rows_gradient(const Loss &loss, const double *coords, int dim,
                         const CneBatch &batch, int row_begin, int row_end,
                         double *row_grad, CnePairBuffers &buf, double &dlogz,
                         bool with_loss = true) {
  // The paper's m = 5 without the loss value (all but the logged epochs):
  // 4 rows at a time without buffers. The value takes logarithms, a few
  // per call of the loss's rows() (engine/ne/cne_loss.h), so the logged
  // epochs use the blocks; both give the same gradient, bit for bit.
  if (dim == 2 && !batch.full && batch.negatives == 5 && !with_loss)
    return cne_detail::rows_gradient_2d<5, 4, false>(
        loss, coords, batch, row_begin, row_end, row_grad, dlogz);
  if (dim == 2)
    return cne_detail::rows_gradient_dispatch<2>(loss, coords, dim, batch,
                                                 row_begin, row_end, row_grad,
                                                 buf, dlogz, with_loss);
  return cne_detail::rows_gradient_dispatch<0>(loss, coords, dim, batch,
                                               row_begin, row_end, row_grad,
                                               buf, dlogz, with_loss);
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
                           batch.edges, scratch.row_grad.data(), scratch.pairs,
                           dlogz, with_loss);
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
