#pragma once
// A validated spec: every sub-object (dataset, graph, methods, metrics,
// claims) parsed by its owner, so that all errors surface before any run
// starts. `nebench validate` is make_plan() without running.

#include "datasets/dataset_spec.h"
#include "engine/ne/method.h"
#include "engine/spec/spec.h"
#include "metrics/claim_check.h"
#include "metrics/metric_spec.h"

#include <memory>
#include <string>
#include <vector>

namespace nebench {

/// The shared kNN graph of the preprocessed data ("graph": {"knn": ...}).
struct GraphSpec {
  int k = 90;                 ///< neighbours per point (3 x perplexity 30)
  std::string index = "Flat"; ///< FAISS factory string; Flat is exact
};

struct PlannedRun {
  RunSpec spec;
  std::shared_ptr<Method> method;
};

struct Plan {
  Spec spec;
  DatasetSpec dataset;
  GraphSpec graph;
  std::vector<PlannedRun> runs;
  std::vector<MetricSpec> metrics;
  std::vector<ClaimSpec> claims;

  /// Neighbours the shared graph must hold: graph.k, every method's and
  /// every metric's k.
  int graph_neighbors() const;
};

Plan make_plan(const Spec &spec);

} // namespace nebench
