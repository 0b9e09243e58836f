#include "metrics/compute_metrics.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/class_norms.h"
#include "metrics/distance_correlation.h"
#include "metrics/edge_reconstruction_auc.h"
#include "metrics/embedding_knn.h"
#include "metrics/embedding_metric.h"
#include "metrics/graph_recall.h"
#include "metrics/knn_accuracy.h"
#include "metrics/knn_recall.h"
#include "metrics/linear_probe.h"
#include "metrics/norm_confidence.h"
#include "metrics/norm_stats.h"
#include "metrics/rank_correlation.h"
#include "metrics/shortest_path_correlation.h"
#include "metrics/silhouette.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

namespace nebench {

namespace {

std::vector<std::int64_t> recall_points(const MetricSpec &s, std::int64_t n,
                                        std::uint64_t seed) {
  if (s.points == 0 || s.points >= n)
    return {}; // all points
  return Rng(seed).sample(n, s.points);
}

/// The metric a spec names for rows of `cols` dimensions ("auto": Euclidean
/// for 2-D and 3-D layouts, cosine for high-dimensional embeddings, as the
/// graph paper evaluates them, papers/graph.md sec. 3).
EmbeddingMetric metric_for(const std::string &name, std::int64_t cols) {
  if (name == "auto")
    return cols > 3 ? EmbeddingMetric::cosine : EmbeddingMetric::euclidean;
  return parse_embedding_metric(name);
}

void require_rows(const char *what, std::int64_t rows, std::int64_t n) {
  if (rows != n)
    throw NebenchError(std::string(what) + " has " + std::to_string(rows) +
                       " rows but the embedding has " + std::to_string(n));
}

} // namespace

std::map<std::string, double>
compute_metrics(const std::vector<MetricSpec> &specs, const MetricInput &in) {
  if (!in.embedding)
    throw NebenchError("compute_metrics: no embedding");
  const MatrixD &y = *in.embedding;
  const std::int64_t n = y.rows;
  {
    std::set<std::string> seen;
    for (const auto &s : specs)
      for (const auto &name : metric_names(s))
        if (!seen.insert(name).second)
          throw NebenchError("metrics: \"" + name +
                             "\" is produced by more than one metric entry");
  }

  std::map<std::string, double> out;

  // kNN recall: one embedding kNN (largest k, union of the sampled points),
  // since a point's neighbours do not depend on which others are queried.
  int kmax = 0;
  bool all_points = false;
  std::set<std::int64_t> query_set;
  for (const auto &s : specs) {
    if (s.type != "knn_recall")
      continue;
    const bool need_input = s.reference != "affinity";
    const bool need_aff = s.reference != "input" && in.affinities;
    if (need_input) {
      if (!in.input_graph)
        throw NebenchError("knn_recall@" + std::to_string(s.k) +
                           ": no input kNN graph");
      if (in.input_graph->k < s.k)
        throw NebenchError("knn_recall@" + std::to_string(s.k) +
                           ": the input kNN graph has only k = " +
                           std::to_string(in.input_graph->k) +
                           " neighbours; raise graph.knn.k to at least " +
                           std::to_string(s.k));
      require_rows("the input kNN graph", in.input_graph->n, n);
    }
    if (need_aff)
      require_rows("the affinity matrix", in.affinities->n, n);
    if (!need_input && !need_aff)
      continue;
    kmax = std::max(kmax, s.k);
    const auto pts = recall_points(s, n, in.seed);
    if (pts.empty())
      all_points = true;
    query_set.insert(pts.begin(), pts.end());
  }
  if (kmax > 0) {
    const std::vector<std::int64_t> queries =
        all_points
            ? std::vector<std::int64_t>{}
            : std::vector<std::int64_t>(query_set.begin(), query_set.end());
    const KnnGraph emb = embedding_knn(y, kmax, queries);
    for (const auto &s : specs) {
      if (s.type != "knn_recall")
        continue;
      const auto pts = recall_points(s, n, in.seed);
      const std::string at_k = at_suffix(s.k);
      if (s.reference != "affinity")
        out["knn_recall" + at_k] = knn_recall(*in.input_graph, emb, s.k, pts);
      if (s.reference != "input" && in.affinities)
        out["knn_recall_affinity" + at_k] = knn_recall(
            top_k_affinity_neighbors(*in.affinities, s.k), emb, s.k, pts);
    }
  }

  for (const auto &s : specs) {
    // Cross-run metrics need other runs' embeddings: the runner computes
    // them after all runs (metrics/cross_run_metrics.h).
    if (is_cross_run(s))
      continue;
    const std::string at_k = at_suffix(s.k);
    if (s.type == "knn_accuracy" || s.type == "linear_probe") {
      const MatrixD *on = s.on == "features" ? in.features : &y;
      if (!in.labels || in.labels->empty() || !on)
        continue;
      require_rows("the label vector",
                   static_cast<std::int64_t>(in.labels->size()), n);
      require_rows("the features", on->rows, n);
      const std::string name = metric_names(s).front();
      out[name] =
          s.type == "knn_accuracy"
              ? knn_accuracy(metric_rows(*on, metric_for(s.metric, on->cols)),
                             *in.labels, s.k, s.test_fraction, in.seed)
              : linear_probe_accuracy(*on, *in.labels, s.test_fraction,
                                      in.seed);
    } else if (s.type == "graph_recall" || s.type == "edge_auc" ||
               s.type == "shortest_path_corr") {
      if (!in.adjacency || in.adjacency->n == 0)
        continue;
      const EmbeddingMetric metric = metric_for(s.metric, y.cols);
      const std::string name = metric_names(s).front();
      // Each metric samples its nodes or pairs with the run seed.
      const double v =
          s.type == "graph_recall"
              ? graph_recall(y, *in.adjacency, metric, s.points, in.seed)
          : s.type == "edge_auc"
              ? edge_reconstruction_auc(y, *in.adjacency, metric, s.points,
                                        in.seed)
              : shortest_path_correlation(y, *in.adjacency, metric, s.points,
                                          in.seed);
      if (std::isfinite(v))
        out[name] = v;
    } else if (s.type == "norm_confidence") {
      if (!in.labels || in.labels->empty())
        continue;
      require_rows("the label vector",
                   static_cast<std::int64_t>(in.labels->size()), n);
      const NormConfidence nc = norm_confidence(
          y, *in.labels, {s.k, s.test_fraction, s.bins, s.min_bin}, in.seed);
      const auto names = metric_names(s);
      const auto put = [&out](const std::string &name, double v) {
        if (std::isfinite(v))
          out[name] = v;
      };
      put(names[0], nc.auroc);
      put(names[1], nc.bin_spearman);
      out[names[2]] = nc.bins_used;
      // The accuracy of the lowest and the highest used bin: the two ends
      // of the paper's accuracy-per-norm-bin curve.
      for (int b = 0; b < s.bins; ++b)
        if (std::isfinite(nc.bin_accuracy[b])) {
          put(names[4], nc.bin_accuracy[b]);
          if (out.count(names[3]) == 0)
            put(names[3], nc.bin_accuracy[b]);
        }
    } else if (s.type == "class_norms") {
      if (!in.labels || in.labels->empty() || !in.training_rows)
        continue;
      require_rows("the label vector",
                   static_cast<std::int64_t>(in.labels->size()), n);
      const ClassNorms cn = class_norms(y, *in.labels, *in.training_rows);
      if (cn.unseen_ratio)
        out["norm_unseen_ratio"] = *cn.unseen_ratio;
      if (cn.count_spearman)
        out["norm_count_spearman"] = *cn.count_spearman;
    } else if (s.type == "spearman" || s.type == "distance_correlation") {
      if (!in.X)
        throw NebenchError(s.type + ": needs the input data X");
      require_rows("the input data", in.X->rows, n);
      if (s.type == "spearman")
        out["spearman"] =
            distance_rank_correlation(*in.X, y, s.points, in.seed);
      else
        out["dcor_input"] = distance_correlation(*in.X, y, s.points, in.seed);
    } else if (s.type == "silhouette") {
      if (!in.labels || in.labels->empty())
        continue;
      require_rows("the label vector",
                   static_cast<std::int64_t>(in.labels->size()), n);
      const double v = silhouette(y, *in.labels, s.points, in.seed);
      if (std::isfinite(v)) // NaN: fewer than 2 classes in the sample
        out["silhouette"] = v;
    } else if (s.type == "trace_last") {
      if (!in.trace)
        continue;
      const auto it = in.trace->columns.find(s.column);
      if (s.epoch > 0) {
        // The row of that epoch (the trace's "epoch" column); a missing row
        // or a non-finite value there (an epoch the run did not evaluate)
        // leaves the metric absent.
        const auto ep = in.trace->columns.find("epoch");
        if (it == in.trace->columns.end() || ep == in.trace->columns.end())
          continue;
        const auto &epochs = ep->second;
        for (std::size_t r = 0; r < epochs.size() && r < it->second.size(); ++r)
          if (epochs[r] == static_cast<double>(s.epoch) &&
              std::isfinite(it->second[r]))
            out[metric_names(s).front()] = it->second[r];
        continue;
      }
      // The last logged row is the state the embedding was taken at; a
      // non-finite value there (a column a phase does not define) means
      // the run has no such value, not an older one.
      if (it != in.trace->columns.end() && !it->second.empty() &&
          std::isfinite(it->second.back()))
        out["last_" + s.column] = it->second.back();
    } else if (s.type == "norms") {
      const NormStats st = norm_stats(y);
      const double values[] = {st.mean,   st.std, st.min, st.q05, st.q25,
                               st.median, st.q75, st.q95, st.max};
      const auto &names = norm_metric_names();
      for (std::size_t i = 0; i < names.size(); ++i)
        out[names[i]] = values[i];
    }
  }
  return out;
}

} // namespace nebench
