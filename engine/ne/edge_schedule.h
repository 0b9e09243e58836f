#pragma once
// When each edge is sampled in UMAP's SGD (umap-learn's
// make_epochs_per_sample and the counters of optimize_layout_euclidean; uwot's
// sampler.h): instead of weighting the gradient by w_ij, edge e is sampled
// every epochs_per_sample[e] = max_w / w_e epochs, so the strongest edge is
// sampled once per epoch; each time it is sampled it draws
// floor((epoch - next_negative) / epochs_per_negative_sample) negatives,
// i.e. negative_sample_rate per positive on average.
//
// The epoch-schedule policy of EdgeSamplingSgd. Counters are per edge, so
// nodes (or edge chunks) processed by different threads never share one.

#include "engine/core/csr.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// umap-learn's make_epochs_per_sample: n_samples = epochs * w / max(w),
/// result epochs / n_samples where n_samples > 0 and -1 (never sampled)
/// elsewhere. Empty weights give an empty result; throws NebenchError when
/// epochs < 1 or a weight is negative or not finite.
std::vector<double> make_epochs_per_sample(const std::vector<double> &weights,
                                           int epochs);

/// W without the entries w < max(w) / epochs, which would be sampled less
/// than once in the whole run (umap-learn's simplicial_set_embedding).
Csr prune_weak_edges(const Csr &W, int epochs);

class UmapEdgeSchedule {
public:
  UmapEdgeSchedule() = default;
  /// epochs_per_sample > 0 for every edge (prune first);
  /// negative_sample_rate >= 1. Throws NebenchError otherwise.
  UmapEdgeSchedule(std::vector<double> epochs_per_sample,
                   int negative_sample_rate);

  std::int64_t size() const {
    return static_cast<std::int64_t>(epochs_per_sample_.size());
  }
  /// Whether edge e is sampled in epoch `epoch` (0-based; no edge is due in
  /// epoch 0, as in umap-learn and uwot).
  bool due(std::int64_t e, int epoch) const { return next_sample_[e] <= epoch; }
  /// Negatives to draw with this sample of edge e.
  int negatives(std::int64_t e, int epoch) const {
    return static_cast<int>((epoch - next_negative_[e]) /
                            epochs_per_negative_[e]);
  }
  /// Records that edge e was sampled with n_negatives negatives.
  void advance(std::int64_t e, int n_negatives) {
    next_sample_[e] += epochs_per_sample_[e];
    next_negative_[e] += n_negatives * epochs_per_negative_[e];
  }

private:
  std::vector<double> epochs_per_sample_;
  std::vector<double> next_sample_;
  std::vector<double> epochs_per_negative_;
  std::vector<double> next_negative_;
};

} // namespace nebench
