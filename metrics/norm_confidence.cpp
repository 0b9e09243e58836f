#include "metrics/norm_confidence.h"

#include "engine/core/errors.h"
#include "metrics/embedding_metric.h"
#include "metrics/knn_accuracy.h"
#include "metrics/rank_correlation.h"
#include "metrics/roc_auc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace nebench {

namespace {

double row_norm(const MatrixD &z, std::int64_t i) {
  double sq = 0;
  for (std::int64_t j = 0; j < z.cols; ++j)
    sq += z(i, j) * z(i, j);
  return std::sqrt(sq);
}

} // namespace

NormConfidence norm_confidence(const MatrixD &z,
                               const std::vector<std::int32_t> &labels,
                               const NormConfidenceParams &p,
                               std::uint64_t seed) {
  if (static_cast<std::int64_t>(labels.size()) != z.rows)
    throw NebenchError("norm_confidence: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(z.rows) + " rows");
  if (p.k < 1 || p.bins < 1 || p.min_bin < 1)
    throw NebenchError("norm_confidence: k, bins and min_bin must be >= 1");
  const Split split = stratified_split(labels, p.test_fraction, seed);
  if (split.train.empty() || split.test.empty())
    throw NebenchError("norm_confidence: the split has an empty train or "
                       "test part");
  const std::vector<std::int32_t> predicted =
      knn_predict(metric_rows(z, EmbeddingMetric::cosine), labels, split, p.k);

  const std::size_t m = split.test.size();
  std::vector<double> norms(m);
  std::vector<bool> correct(m);
  for (std::size_t t = 0; t < m; ++t) {
    norms[t] = row_norm(z, split.test[t]);
    correct[t] = predicted[t] == labels[split.test[t]];
  }

  NormConfidence out;
  out.auroc = roc_auc(norms, correct);

  // The paper's bins: (n - min) / (max - min) in [0, 1], width 1 / bins; the
  // largest norm joins the last bin.
  const auto [lo, hi] = std::minmax_element(norms.begin(), norms.end());
  const double span = *hi - *lo;
  std::vector<std::int64_t> hits(p.bins, 0);
  out.bin_count.assign(p.bins, 0);
  for (std::size_t t = 0; t < m; ++t) {
    const double u = span > 0 ? (norms[t] - *lo) / span : 0.0;
    const int b = std::min(p.bins - 1, static_cast<int>(u * p.bins));
    ++out.bin_count[b];
    hits[b] += correct[t] ? 1 : 0;
  }
  std::vector<double> position, accuracy;
  out.bin_accuracy.assign(p.bins, std::numeric_limits<double>::quiet_NaN());
  for (int b = 0; b < p.bins; ++b) {
    if (out.bin_count[b] < p.min_bin)
      continue;
    out.bin_accuracy[b] =
        static_cast<double>(hits[b]) / static_cast<double>(out.bin_count[b]);
    position.push_back(b);
    accuracy.push_back(out.bin_accuracy[b]);
  }
  out.bins_used = static_cast<int>(position.size());
  out.bin_spearman = out.bins_used >= 3
                         ? spearman_correlation(position, accuracy)
                         : std::numeric_limits<double>::quiet_NaN();
  return out;
}

} // namespace nebench
