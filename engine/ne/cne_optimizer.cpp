#include "engine/ne/cne_optimizer.h"

#include <cmath>

namespace nebench {

CneOptimizer::CneOptimizer(const Csr &A, CneOptimizerParams params)
    : params_(std::move(params)), edges_(cne_directed_edges(A)),
      sampler_(edges_, params_.batch_size, params_.negatives),
      start_(std::chrono::steady_clock::now()) {
  if (!(params_.learning_rate > 0))
    throw NebenchError("CNE: learning_rate must be > 0");
  if (!(params_.log_z_learning_rate >= 0))
    throw NebenchError("CNE: log_z_learning_rate must be >= 0");
  if (!(params_.clip > 0))
    throw NebenchError("CNE: the gradient clip must be > 0");
  if (params_.threads < 0)
    throw NebenchError("CNE: threads must be >= 0");
  if (params_.log_every < 1)
    throw NebenchError("CNE: log_every must be >= 1");
  batch_capacity_ = static_cast<int>(
      std::min<std::int64_t>(params_.batch_size, edges_.size()));
  max_negatives_ =
      std::max(std::min(params_.negatives, 2 * batch_capacity_ - 2), 1);
  batch_ = sampler_.make_batch();
}

void CneOptimizer::check_shape(const MatrixD &Y) const {
  if (Y.rows != edges_.n)
    throw NebenchError("CNE: the embedding has " + std::to_string(Y.rows) +
                       " rows but the graph " + std::to_string(edges_.n) +
                       " points");
  if (Y.cols < 1)
    throw NebenchError("CNE: the embedding has no columns");
}

void CneOptimizer::reserve(int T, int dim) {
  const auto table = static_cast<std::size_t>(2 * batch_capacity_) * dim;
  if (grad_.size() != static_cast<std::size_t>(edges_.n) * dim)
    grad_.assign(static_cast<std::size_t>(edges_.n) * dim, 0.0);
  if (coords_.size() < table)
    coords_.resize(table);
  if (threads_.size() != static_cast<std::size_t>(T))
    threads_.resize(static_cast<std::size_t>(T));
  for (CneThreadScratch &t : threads_) {
    if (t.row_grad.size() < table)
      t.row_grad.resize(table);
    t.d2.resize(static_cast<std::size_t>(max_negatives_) + 1);
    t.coef.resize(t.d2.size());
  }
}

void CneOptimizer::gather_owned_rows(std::int64_t index, int tid, int T,
                                     const double *y, int dim,
                                     double *coords) const {
  const int b = batch_.edges;
  const CneEdge *edges = sampler_.batch_edges(index);
  auto gather = [&](std::int32_t p, int r) {
    const double *yp = y + static_cast<std::int64_t>(p) * dim;
    double *c = coords + static_cast<std::size_t>(r) * dim;
    if (dim == 2) { // the common case, without a memmove call per row
      c[0] = yp[0];
      c[1] = yp[1];
    } else {
      std::copy(yp, yp + dim, c);
    }
  };
  for (int r = 0; r < b; ++r) {
    if (T == 1 || owns(edges[r].head, tid, T))
      gather(edges[r].head, r);
    if (T == 1 || owns(edges[r].tail, tid, T))
      gather(edges[r].tail, r + b);
  }
}

void CneOptimizer::owned_points_step(int b, int tid, int T, double *y, int dim,
                                     double lr) {
  const int rows = 2 * b;
  const double clip = params_.clip;
  const std::int32_t *points = batch_.points.data();
  auto owned = [&](std::int32_t p) { return owns(p, tid, T); };
  double *g = grad_.data();
  for (int r = 0; r < rows; ++r) {
    if (!owned(points[r]))
      continue;
    double *gp = g + static_cast<std::int64_t>(points[r]) * dim;
    for (const CneThreadScratch &t : threads_) {
      const double *gr = t.row_grad.data() + static_cast<std::size_t>(r) * dim;
      for (int d = 0; d < dim; ++d)
        gp[d] += gr[d];
    }
  }
  for (int r = 0; r < rows; ++r) {
    if (!owned(points[r]))
      continue;
    const std::int64_t off = static_cast<std::int64_t>(points[r]) * dim;
    double *yp = y + off, *gp = g + off;
    for (int d = 0; d < dim; ++d) {
      yp[d] -= lr * std::clamp(gp[d], -clip, clip);
      gp[d] = 0.0;
    }
  }
}

double CneOptimizer::norm_mean(const MatrixD &Y) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    double s = 0.0;
    for (std::int64_t d = 0; d < Y.cols; ++d)
      s += Y(i, d) * Y(i, d);
    sum += std::sqrt(s);
  }
  return sum / static_cast<double>(Y.rows);
}

void CneOptimizer::check_finite(const MatrixD &Y, double loss, int epoch) {
  bool has_nan = std::isnan(loss), has_inf = std::isinf(loss);
  for (double v : Y.data) {
    has_nan = has_nan || std::isnan(v);
    has_inf = has_inf || std::isinf(v);
  }
  if (has_nan || has_inf)
    throw NumericalError("CNE: epoch " + std::to_string(epoch) +
                         ": the embedding or loss contains " +
                         (has_nan ? "NaN" : "Inf"));
}

} // namespace nebench
