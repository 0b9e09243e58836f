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
  if (params_.log_every < 1)
    throw NebenchError("CNE: log_every must be >= 1");
  batch_capacity_ = static_cast<int>(
      std::min<std::int64_t>(params_.batch_size, edges_.size()));
  max_negatives_ = std::min(params_.negatives, 2 * batch_capacity_ - 2);
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

void CneOptimizer::clipped_step(MatrixD &Y, double lr) {
  const int dim = static_cast<int>(Y.cols);
  const double clip = params_.clip;
  const int rows = 2 * batch_.edges;
  double *y = Y.data.data();
  double *g = grad_.data();
  for (int r = 0; r < rows; ++r) {
    const std::int64_t off = static_cast<std::int64_t>(batch_.points[r]) * dim;
    for (int d = 0; d < dim; ++d) {
      y[off + d] -= lr * std::clamp(g[off + d], -clip, clip);
      g[off + d] = 0.0;
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
