#include "engine/ne/edge_schedule.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {

std::vector<double> make_epochs_per_sample(const std::vector<double> &weights,
                                           int epochs) {
  if (epochs < 1)
    throw NebenchError("epochs per sample: epochs must be >= 1, got " +
                       std::to_string(epochs));
  double max_w = 0;
  for (double w : weights) {
    if (!(w >= 0) || !std::isfinite(w))
      throw NebenchError("epochs per sample: edge weights must be finite and "
                         ">= 0, got " +
                         std::to_string(w));
    max_w = std::max(max_w, w);
  }
  std::vector<double> out(weights.size(), -1.0);
  if (max_w <= 0)
    return out;
  // Same expression as umap-learn (not max_w / w) so that the schedule
  // matches it to the last bit.
  for (std::size_t e = 0; e < weights.size(); ++e) {
    const double n_samples = epochs * (weights[e] / max_w);
    if (n_samples > 0)
      out[e] = static_cast<double>(epochs) / n_samples;
  }
  return out;
}

Csr prune_weak_edges(const Csr &W, int epochs) {
  if (epochs < 1)
    throw NebenchError("prune weak edges: epochs must be >= 1");
  double max_w = 0;
  for (double w : W.values)
    max_w = std::max(max_w, w);
  const double threshold = max_w / static_cast<double>(epochs);
  Csr out;
  out.n = W.n;
  out.indptr.assign(W.n + 1, 0);
  for (std::int64_t i = 0; i < W.n; ++i) {
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      if (W.values[p] > 0 && !(W.values[p] < threshold)) {
        out.indices.push_back(W.indices[p]);
        out.values.push_back(W.values[p]);
      }
    out.indptr[i + 1] = static_cast<std::int64_t>(out.indices.size());
  }
  return out;
}

UmapEdgeSchedule::UmapEdgeSchedule(std::vector<double> epochs_per_sample,
                                   int negative_sample_rate)
    : epochs_per_sample_(std::move(epochs_per_sample)) {
  if (negative_sample_rate < 1)
    throw NebenchError(
        "edge schedule: negative_sample_rate must be >= 1, got " +
        std::to_string(negative_sample_rate));
  const std::size_t m = epochs_per_sample_.size();
  epochs_per_negative_.resize(m);
  for (std::size_t e = 0; e < m; ++e) {
    if (!(epochs_per_sample_[e] > 0) || !std::isfinite(epochs_per_sample_[e]))
      throw NebenchError("edge schedule: edge " + std::to_string(e) +
                         " has epochs_per_sample " +
                         std::to_string(epochs_per_sample_[e]) +
                         " (prune edges that are never sampled)");
    epochs_per_negative_[e] = epochs_per_sample_[e] / negative_sample_rate;
  }
  next_sample_ = epochs_per_sample_;
  next_negative_ = epochs_per_negative_;
}

} // namespace nebench
