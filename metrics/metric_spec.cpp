#include "metrics/metric_spec.h"

#include <regex>

namespace nebench {

namespace {
std::string join(const std::set<std::string> &names) {
  std::string out;
  for (const auto &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}
} // namespace

MetricSpec MetricSpec::from_spec(
    const SpecNode &node,
    const std::map<std::string, std::set<std::string>> &run_sweep_params) {
  MetricSpec s;
  s.type = node.string("type", std::nullopt, metric_types());
  if (s.type == "knn_recall") {
    s.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
    s.reference =
        node.string("reference", "both", {"input", "affinity", "both"});
    s.points = node.integer("points", 0, Range::at_least(0));
  } else if (s.type == "knn_accuracy" || s.type == "linear_probe") {
    if (s.type == "knn_accuracy")
      s.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
    s.test_fraction = node.number("test_fraction", 0.2,
                                  Range{0.0, 1.0, /*lo_open=*/true,
                                        /*hi_open=*/true});
    s.on =
        node.string("on", std::string("embedding"), {"embedding", "features"});
    if (s.type == "knn_accuracy")
      s.metric =
          node.string("metric", s.metric, {"euclidean", "cosine", "auto"});
  } else if (s.type == "graph_recall" || s.type == "edge_auc" ||
             s.type == "shortest_path_corr") {
    // papers/graph.md sec. 3: 1,000 test nodes or pairs.
    s.metric = node.string("metric", s.metric, {"euclidean", "cosine", "auto"});
    s.points = node.integer(
        "points", 1000,
        Range::closed(s.type == "shortest_path_corr" ? 2 : 1, 1e9));
  } else if (s.type == "norm_confidence") {
    s.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
    s.test_fraction = node.number("test_fraction", 0.2,
                                  Range{0.0, 1.0, /*lo_open=*/true,
                                        /*hi_open=*/true});
    s.bins = static_cast<int>(node.integer("bins", 20, Range::closed(1, 1e4)));
    s.min_bin = node.integer("min_bin", 10, Range::closed(1, 1e9));
  } else if (s.type == "spearman") {
    s.points = node.integer("points", 5000, Range::at_least(10));
  } else if (s.type == "distance_correlation") {
    s.points = node.integer("points", 5000, Range::at_least(10));
  } else if (s.type == "distance_correlation_to_run") {
    s.run = node.string("run");
    const auto it = run_sweep_params.find(s.run);
    if (it == run_sweep_params.end()) {
      std::set<std::string> names;
      for (const auto &[name, params] : run_sweep_params)
        names.insert(name);
      node.fail_at("run",
                   "unknown run \"" + s.run + "\" (runs: " + join(names) + ")");
    }
    // A swept reference has several expanded runs per seed: which one a
    // value refers to would be ambiguous.
    if (!it->second.empty())
      node.fail_at("run", "run \"" + s.run + "\" is swept (over " +
                              join(it->second) +
                              "); the reference of distance_correlation_to_run "
                              "must be an unswept run (one embedding per "
                              "seed)");
    s.points = node.integer("points", 5000, Range::at_least(10));
  } else if (s.type == "silhouette") {
    s.points = node.integer("points", 5000, Range::at_least(10));
  } else if (s.type == "trace_last") {
    s.column = node.string("column");
    // The column becomes part of a stored metric name (an HDF5 attribute
    // and a /summary dataset name): keep it to an identifier.
    static const std::regex identifier("^[A-Za-z][A-Za-z0-9_]*$");
    if (!std::regex_match(s.column, identifier))
      node.fail_at("column", "must be a trace column name (a letter, then "
                             "letters, digits or '_'), got \"" +
                                 s.column + "\"");
    s.epoch = node.integer("epoch", 0, Range::closed(1, 1e9));
  }
  node.finish();
  return s;
}

bool is_cross_run(const MetricSpec &spec) {
  return spec.type == "distance_correlation_to_run";
}

bool needs_input_graph(const MetricSpec &spec) {
  return spec.type == "graph_recall" || spec.type == "edge_auc" ||
         spec.type == "shortest_path_corr";
}

const std::vector<std::string> &metric_types() {
  static const std::vector<std::string> types = {"knn_recall",
                                                 "knn_accuracy",
                                                 "linear_probe",
                                                 "spearman",
                                                 "distance_correlation",
                                                 "distance_correlation_to_run",
                                                 "norms",
                                                 "norm_confidence",
                                                 "class_norms",
                                                 "silhouette",
                                                 "graph_recall",
                                                 "edge_auc",
                                                 "shortest_path_corr",
                                                 "trace_last"};
  return types;
}

std::string at_suffix(int k) {
  // Built by append: GCC 12 warns falsely (-Wrestrict) on "@" + to_string().
  std::string s(1, '@');
  s.append(std::to_string(k));
  return s;
}

const std::vector<std::string> &norm_metric_names() {
  static const std::vector<std::string> names = {
      "norm_mean",   "norm_std", "norm_min", "norm_q05", "norm_q25",
      "norm_median", "norm_q75", "norm_q95", "norm_max"};
  return names;
}

std::vector<std::string> metric_names(const MetricSpec &spec) {
  const std::string at_k = at_suffix(spec.k);
  if (spec.type == "knn_recall") {
    std::vector<std::string> out;
    if (spec.reference != "affinity")
      out.push_back("knn_recall" + at_k);
    if (spec.reference != "input")
      out.push_back("knn_recall_affinity" + at_k);
    return out;
  }
  const std::string on = spec.on == "features" ? "_features" : "";
  if (spec.type == "knn_accuracy")
    return {"knn_accuracy" + on + at_k};
  if (spec.type == "linear_probe")
    return {"linear_probe" + on};
  if (spec.type == "spearman")
    return {"spearman"};
  if (spec.type == "distance_correlation")
    return {"dcor_input"};
  if (spec.type == "distance_correlation_to_run")
    return {"dcor_to_" + spec.run};
  if (spec.type == "norms")
    return norm_metric_names();
  if (spec.type == "norm_confidence")
    return {"norm_knn_auroc" + at_k, "norm_knn_spearman" + at_k,
            "norm_knn_bins" + at_k, "norm_knn_low" + at_k,
            "norm_knn_high" + at_k};
  if (spec.type == "class_norms")
    return {"norm_unseen_ratio", "norm_count_spearman"};
  if (spec.type == "silhouette")
    return {"silhouette"};
  if (spec.type == "graph_recall")
    return {"graph_recall"};
  if (spec.type == "edge_auc")
    return {"edge_auc"};
  if (spec.type == "shortest_path_corr")
    return {"sp_corr"};
  if (spec.type == "trace_last")
    return {spec.epoch > 0 ? spec.column + "@e" + std::to_string(spec.epoch)
                           : "last_" + spec.column};
  return {};
}

} // namespace nebench
