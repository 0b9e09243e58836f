#pragma once
// Computes a spec's metrics for one run's embedding; the runner stores the
// result as /runs/<id>/metrics attributes and /summary/metrics columns.

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/trace.h"
#include "metrics/metric_spec.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nebench {

/// Everything a metric may read. Pointers are borrowed, not owned.
struct MetricInput {
  /// preprocessed input data (n x d); needed by spearman and
  /// distance_correlation
  const Matrix *X = nullptr;
  /// shared exact kNN graph of X (n rows); needed by knn_recall@k
  const KnnGraph *input_graph = nullptr;
  /// the method's own input affinities P (n x n); may be null, then
  /// knn_recall_affinity@k is skipped
  const Csr *affinities = nullptr;
  /// the run's embedding (n x dim); required
  const MatrixD *embedding = nullptr;
  /// class labels (n); may be null or empty, then knn_accuracy and
  /// silhouette are skipped
  const std::vector<std::int32_t> *labels = nullptr;
  /// seed of every sampled metric: point samples are Rng(seed).sample(n, m)
  /// and the knn_accuracy split is stratified_split(labels, f, seed), so
  /// metrics with the same `points` share their sample
  std::uint64_t seed = 0;
  /// the method's optimisation trace (MethodOutput::trace); may be null,
  /// then trace_last is skipped
  const Trace *trace = nullptr;
  /// the representation the method also returned (MethodOutput::features,
  /// n rows); may be null, then metrics with "on": "features" are skipped
  const MatrixD *features = nullptr;
  /// the rows the method trained on when it trained on a subset
  /// (MethodOutput::training_rows); may be null, then class_norms is skipped
  const std::vector<std::int64_t> *training_rows = nullptr;
  /// the problem's input graph (Problem::adjacency); may be null or empty,
  /// then graph_recall, edge_auc and sp_corr are skipped
  const Csr *adjacency = nullptr;
};

/// Stored metric name -> value for every spec (names as metric_names()).
/// knn_recall computes the embedding kNN once (largest k, union of samples).
/// Skipped, i.e. absent from the map: knn_recall_affinity@k without
/// affinities, knn_accuracy@k, linear_probe and silhouette without labels,
/// the "_features" variants without features, norm_confidence without
/// labels (norm_knn_spearman with fewer than 3 used bins, norm_knn_auroc
/// when every or no prediction is correct), class_norms without labels or
/// training rows (each of its values when undefined), silhouette when
/// the sample holds fewer than 2 classes, last_<column> when the trace is
/// missing, lacks the column or its last value is not finite (e.g. c of an
/// InfoNCE phase after an early NEG phase), and every cross-run metric
/// (is_cross_run: computed later by compute_cross_run_metrics). Throws
/// NebenchError when the embedding is missing, two specs produce the same
/// name, the input graph is missing or has fewer than k columns, X is
/// missing for spearman / distance_correlation, or row counts disagree.
std::map<std::string, double>
compute_metrics(const std::vector<MetricSpec> &specs, const MetricInput &input);

} // namespace nebench
