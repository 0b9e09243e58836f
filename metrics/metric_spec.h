#pragma once
// One entry of a spec's "metrics" array (shared spec reference, "metrics"):
// which metric to compute on every run and with which parameters.

#include "engine/core/spec_node.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

struct MetricSpec {
  /// knn_recall | knn_accuracy | spearman | distance_correlation | norms
  std::string type;
  /// neighbours per point (knn_recall, knn_accuracy); papers use 15
  /// (papers/spectrum_and_cne.md sections 1.5, 2.3)
  int k = 15;
  /// knn_recall reference: "input" (shared kNN graph of the preprocessed
  /// data, CNE section 1.5), "affinity" (top-k of the method's own input
  /// affinities, spectrum section 2.3) or "both"
  std::string reference = "both";
  /// sampled points: knn_recall 0 = all (default), spearman and
  /// distance_correlation default 5000 (both papers use 5,000)
  std::int64_t points = 0;
  /// held-out share of every class for knn_accuracy, in (0, 1)
  double test_fraction = 0.2;

  /// Strict: exactly the keys of the given type; errors name the JSON path.
  static MetricSpec from_spec(const SpecNode &node);
};

/// Stored metric names this spec produces ("knn_recall@15",
/// "knn_recall_affinity@15", "knn_accuracy@15", "spearman", "dcor_input",
/// "norm_mean", ...). A name may be absent from a run's results when its
/// input is missing (affinity matrix, labels): see compute_metrics.
std::vector<std::string> metric_names(const MetricSpec &spec);

/// "@k", the suffix of k-dependent metric names ("knn_recall@15").
std::string at_suffix(int k);

/// Names of the norm statistics stored by a "norms" metric, in order.
const std::vector<std::string> &norm_metric_names();

} // namespace nebench
