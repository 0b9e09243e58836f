#include "metrics/embedding_metric.h"

#include "engine/core/errors.h"

#include <cmath>

namespace nebench {

EmbeddingMetric parse_embedding_metric(const std::string &name) {
  if (name == "euclidean")
    return EmbeddingMetric::euclidean;
  if (name == "cosine")
    return EmbeddingMetric::cosine;
  throw NebenchError("unknown embedding metric '" + name +
                     "' (expected euclidean or cosine)");
}

MatrixD metric_rows(const MatrixD &y, EmbeddingMetric metric) {
  for (const double v : y.data)
    if (!std::isfinite(v))
      throw NebenchError("embedding has a non-finite value");
  MatrixD out = y;
  if (metric == EmbeddingMetric::cosine)
    for (std::int64_t i = 0; i < out.rows; ++i) {
      double sq = 0.0;
      for (std::int64_t c = 0; c < out.cols; ++c)
        sq += out(i, c) * out(i, c);
      if (sq > 0.0) {
        const double inv = 1.0 / std::sqrt(sq);
        for (std::int64_t c = 0; c < out.cols; ++c)
          out(i, c) *= inv;
      }
    }
  return out;
}

} // namespace nebench
