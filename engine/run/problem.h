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
  /// The subsampled raw images divided by dataset.pixel_max (values in
  /// [0, 1]), kept only when `has_pixels` (some run needs_pixels()).
  Matrix pixels;
  bool has_pixels = false;
  /// Problem::adjacency: the dataset's graph, or the binary symmetric kNN
  /// graph at the spec's graph.knn.k when a run (Method::needs_input_graph)
  /// or a metric reads it; else empty (n = 0).
  Csr adjacency;

  Problem view() const {
    return {&dataset.X,      &graph,
            &dataset.labels, has_pixels ? &pixels : nullptr,
            dataset.image,   &adjacency};
  }
  DatasetRecord record(const DatasetSpec &spec) const;
};

/// Applies the preprocess ops in order (pca via FAISS, scale).
Matrix apply_preprocess(Matrix X, const std::vector<PreprocessOp> &ops);

/// The images of `dataset` (after subsampling, before preprocessing) scaled
/// to [0, 1] by 1/pixel_max, for Problem::pixels. SpecError at
/// `method_path` of `spec_file` when the dataset is not an image dataset.
Matrix pixels_of(const Dataset &dataset, const std::string &spec_file,
                 const std::string &method_path);

/// Loads and preprocesses the data, keeping the raw pixels (pixels_of) when
/// a planned run's method needs_pixels(). The graph is taken from `resume`
/// when it holds one with enough neighbours (resuming must not recompute
/// it), else built with FAISS.
PreparedProblem prepare_problem(const Plan &plan, const std::string &repo_root,
                                const ResultFile *resume,
                                const RunContext &ctx);

} // namespace nebench
