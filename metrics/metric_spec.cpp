#include "metrics/metric_spec.h"

namespace nebench {

MetricSpec MetricSpec::from_spec(const SpecNode &node) {
  MetricSpec s;
  s.type = node.string("type", std::nullopt,
                       {"knn_recall", "knn_accuracy", "spearman",
                        "distance_correlation", "norms"});
  if (s.type == "knn_recall") {
    s.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
    s.reference =
        node.string("reference", "both", {"input", "affinity", "both"});
    s.points = node.integer("points", 0, Range::at_least(0));
  } else if (s.type == "knn_accuracy") {
    s.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
    s.test_fraction = node.number("test_fraction", 0.2,
                                  Range{0.0, 1.0, /*lo_open=*/true,
                                        /*hi_open=*/true});
  } else if (s.type == "spearman") {
    s.points = node.integer("points", 5000, Range::at_least(10));
  } else if (s.type == "distance_correlation") {
    s.points = node.integer("points", 5000, Range::at_least(10));
  }
  node.finish();
  return s;
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
  if (spec.type == "knn_accuracy")
    return {"knn_accuracy" + at_k};
  if (spec.type == "spearman")
    return {"spearman"};
  if (spec.type == "distance_correlation")
    return {"dcor_input"};
  if (spec.type == "norms")
    return norm_metric_names();
  return {};
}

} // namespace nebench
