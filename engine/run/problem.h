#pragma once
// The shared problem of a spec: the dataset after subsampling and
// preprocessing, and the exact kNN graph that all runs and metrics use.

#include "datasets/dataset.h"
#include "engine/core/knn_graph.h"
#include "engine/core/run_context.h"
#include "engine/run/plan.h"
#include "engine/store/result_file.h"

namespace nebench {

struct PreparedProblem {
  Dataset dataset; ///< labels, names, indices; X holds the preprocessed data
  std::int64_t d_raw = 0;
  KnnGraph graph;
  double graph_seconds = 0;

  Problem view() const { return {&dataset.X, &graph, &dataset.labels}; }
  DatasetRecord record(const DatasetSpec &spec) const;
};

/// Applies the preprocess ops in order (pca via FAISS, scale).
Matrix apply_preprocess(Matrix X, const std::vector<PreprocessOp> &ops);

/// Loads and preprocesses the data. The graph is taken from `resume` when it
/// holds one with enough neighbours (resuming must not recompute it), else
/// built with FAISS.
PreparedProblem prepare_problem(const Plan &plan, const std::string &repo_root,
                                const ResultFile *resume,
                                const RunContext &ctx);

} // namespace nebench
