#pragma once
// One entry of a spec's "metrics" array (shared spec reference, "metrics"):
// which metric to compute on every run and with which parameters.

#include "engine/core/spec_node.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nebench {

struct MetricSpec {
  /// knn_recall | knn_accuracy | linear_probe | spearman |
  /// distance_correlation | distance_correlation_to_run | norms |
  /// norm_confidence | class_norms | silhouette | trace_last |
  /// graph_recall | edge_auc | shortest_path_corr
  std::string type;
  /// neighbours per point (knn_recall, knn_accuracy); papers use 15
  /// (papers/spectrum_and_cne.md sections 1.5, 2.3)
  int k = 15;
  /// knn_recall reference: "input" (shared kNN graph of the preprocessed
  /// data, CNE section 1.5), "affinity" (top-k of the method's own input
  /// affinities, spectrum section 2.3) or "both"
  std::string reference = "both";
  /// sampled points: knn_recall 0 = all (default), spearman,
  /// distance_correlation, distance_correlation_to_run and silhouette
  /// default 5000 (both papers use 5,000)
  std::int64_t points = 0;
  /// held-out share of every class for knn_accuracy and linear_probe, in
  /// (0, 1)
  double test_fraction = 0.2;
  /// knn_accuracy and linear_probe: read the run's 2-D "embedding" or the
  /// representation its method also returns as "features" (an image
  /// model's backbone output h: t-SimCNE reports kNN and linear accuracy on
  /// it, papers/tsimcne_medical_norms.md sec. 1.5); stored with the suffix
  /// "_features" (knn_accuracy_features@15, linear_probe_features)
  std::string on = "embedding";
  /// distance_correlation_to_run: the reference run (runs[].name), which must
  /// not be swept, so that it has one expanded run per seed (spectrum paper
  /// section 2.3 places UMAP, FA2 and LE on the t-SNE exaggeration axis by
  /// the distance correlation of their embeddings with each t-SNE(rho))
  std::string run;
  /// trace_last: the trace column whose last logged value is stored as
  /// "last_<column>" (e.g. "c", "Z", "zbar": the CNE paper's Z-bar axis,
  /// sec. 1.3, places t-SNE and NCE runs by their Z)
  std::string column;
  /// trace_last with "epoch": E (>= 1): the value of the row whose trace
  /// column "epoch" equals E instead of the last row, stored as
  /// "<column>@e<E>" (the norms paper's kNN accuracy after epochs 1, 2, 4,
  /// 8: knn_features@e4; claim N4). 0 = the last row.
  std::int64_t epoch = 0;
  /// norm_confidence (metrics/norm_confidence.h): equal-width bins of the
  /// rescaled norm (paper: 20) and the fewest held-out samples a bin needs
  /// to count (paper: 10); k and test_fraction as for knn_accuracy.
  int bins = 20;
  std::int64_t min_bin = 10;
  /// knn_accuracy and the graph metrics: how rows are compared, "euclidean"
  /// (2-D layouts) or "cosine" (the graph paper's 128-D embeddings,
  /// papers/graph.md sec. 3; metrics/embedding_metric.h), or "auto": the
  /// paper's convention per run, Euclidean up to 3 dimensions and cosine
  /// above (a spec that compares 2-D layouts with 128-D embeddings).
  std::string metric = "euclidean";

  /// Strict: exactly the keys of the given type; errors name the JSON path.
  /// `run_sweep_params` maps every run name of the spec to its sweep
  /// parameter names (Spec::run_sweep_params): the reference run of
  /// distance_correlation_to_run must be there with no sweep parameters
  /// ("metrics[4].run: ...").
  static MetricSpec from_spec(
      const SpecNode &node,
      const std::map<std::string, std::set<std::string>> &run_sweep_params);
};

/// True for metrics that compare a run with another run of the same spec
/// (distance_correlation_to_run). compute_metrics() skips them; they are
/// computed after all runs by compute_cross_run_metrics()
/// (metrics/cross_run_metrics.h).
bool is_cross_run(const MetricSpec &spec);

/// True for metrics that read the input graph (graph_recall, edge_auc,
/// shortest_path_corr; MetricInput::adjacency).
bool needs_input_graph(const MetricSpec &spec);

/// Stored metric names this spec produces ("knn_recall@15",
/// "knn_recall_affinity@15", "knn_accuracy@15", "knn_accuracy_features@15",
/// "linear_probe", "spearman", "dcor_input",
/// "dcor_to_umap", "norm_mean", "norm_knn_auroc@15", "norm_unseen_ratio",
/// "silhouette", "last_c", ...). A name may be
/// absent from a run's results when its input is missing (affinity matrix,
/// labels, trace column): see compute_metrics.
std::vector<std::string> metric_names(const MetricSpec &spec);

/// Every metric "type" a spec may name, in the order `nebench list metrics`
/// shows them.
const std::vector<std::string> &metric_types();

/// "@k", the suffix of k-dependent metric names ("knn_recall@15").
std::string at_suffix(int k);

/// Names of the norm statistics stored by a "norms" metric, in order.
const std::vector<std::string> &norm_metric_names();

} // namespace nebench
