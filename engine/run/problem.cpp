#include "engine/run/problem.h"

#include "datasets/registry.h"
#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/knn/knn_graph_builder.h"
#include "engine/knn/pca.h"
#include "engine/run/memory_guard.h"

#include <chrono>
#include <spdlog/spdlog.h>

namespace nebench {

Matrix apply_preprocess(Matrix X, const std::vector<PreprocessOp> &ops) {
  for (const auto &op : ops) {
    if (op.op == "pca") {
      if (op.dim < X.cols)
        X = pca_transform(X, op.dim);
    } else if (op.op == "scale") {
      for (auto &v : X.data)
        v = static_cast<float>(v * op.factor);
    } else {
      throw NebenchError("unknown preprocess op '" + op.op + "'");
    }
  }
  return X;
}

Matrix pixels_of(const Dataset &ds, const std::string &spec_file,
                 const std::string &method_path) {
  if (ds.image.empty())
    throw SpecError(spec_file, method_path,
                    "the method needs images, but dataset \"" + ds.name +
                        "\" is not an image dataset (it has no image shape; "
                        "use an image dataset such as fashion-mnist, a "
                        "CIFAR/MedMNIST file or rotated-shapes)");
  if (ds.image.size() != ds.X.cols || !(ds.pixel_max > 0))
    throw DataError(ds.name + ": image shape " + ds.image.describe() +
                    " with pixel_max " + std::to_string(ds.pixel_max) +
                    " does not fit rows of " + std::to_string(ds.X.cols) +
                    " values");
  Matrix pixels = ds.X;
  const double scale = 1.0 / ds.pixel_max;
  for (auto &v : pixels.data)
    v = static_cast<float>(v * scale);
  return pixels;
}

DatasetRecord PreparedProblem::record(const DatasetSpec &spec) const {
  DatasetRecord r;
  r.name = dataset.name;
  r.sha256 = dataset.sha256;
  r.n = dataset.X.rows;
  r.d = dataset.X.cols;
  r.d_raw = d_raw;
  r.preprocess = nlohmann::json::array();
  for (const auto &op : spec.preprocess) {
    if (op.op == "pca")
      r.preprocess.push_back({{"op", "pca"}, {"dim", op.dim}});
    else
      r.preprocess.push_back({{"op", op.op}, {"factor", op.factor}});
  }
  r.class_names = dataset.class_names;
  r.labels = dataset.labels;
  r.indices = dataset.indices;
  if (dataset.is_image()) {
    // The raw images' shape: X may since have been PCA'd (d != C H W).
    r.image_shape = {dataset.image.channels, dataset.image.height,
                     dataset.image.width};
    r.pixel_max = dataset.pixel_max;
  }
  return r;
}

PreparedProblem prepare_problem(const Plan &plan, const std::string &repo_root,
                                const ResultFile *resume,
                                const RunContext &ctx) {
  using clock = std::chrono::steady_clock;
  PreparedProblem p;
  auto t0 = clock::now();
  p.dataset = load_dataset(plan.dataset, repo_root);
  p.d_raw = p.dataset.X.cols;
  // Image methods see the images as loaded (subsampled, not PCA'd or
  // scaled), so they are copied before preprocessing.
  for (const auto &run : plan.runs)
    if (run.method && run.method->needs_pixels()) {
      p.pixels = pixels_of(p.dataset, plan.spec.file, run.spec.method_path);
      p.has_pixels = true;
      break;
    }
  p.dataset.X =
      apply_preprocess(std::move(p.dataset.X), plan.dataset.preprocess);
  spdlog::info("dataset {}: n = {}, d = {} (raw {}), {:.1f} s", p.dataset.name,
               p.dataset.X.rows, p.dataset.X.cols, p.d_raw,
               std::chrono::duration<double>(clock::now() - t0).count());
  // Before the kNN graph, the first step whose size grows with n * k.
  check_memory(plan, p.dataset.X.rows, p.dataset.X.cols);
  ctx.check();

  if (p.dataset.is_graph()) {
    // Graph datasets have no coordinates: no kNN graph; the methods and
    // metrics read the dataset's own graph.
    for (const auto &run : plan.runs)
      if (run.method && run.method->neighbors_needed() > 0)
        throw SpecError(plan.spec.file, run.spec.method_path,
                        "the method needs the kNN graph of points, but "
                        "dataset \"" +
                            p.dataset.name +
                            "\" is a graph (use a graph method, or "
                            "\"input\": \"graph\")");
    p.adjacency = *p.dataset.graph;
    p.graph.n = p.dataset.X.rows;
    return p;
  }
  // The kNN graph as the input graph, only when a run or metric reads it
  // (at k = 90 on 70,000 points it is ~150 MB).
  bool input_graph = false;
  for (const auto &run : plan.runs)
    input_graph =
        input_graph || (run.method && run.method->needs_input_graph());
  for (const auto &m : plan.metrics)
    input_graph = input_graph || needs_input_graph(m);
  const int k = plan.graph_neighbors();
  if (k >= p.dataset.X.rows)
    throw SpecError(plan.spec.file, "graph.knn.k",
                    "needs " + std::to_string(k) +
                        " neighbours but the data has only " +
                        std::to_string(p.dataset.X.rows) + " points");
  if (resume && resume->has_graph()) {
    auto g = resume->read_graph();
    if (g.n == p.dataset.X.rows && g.k >= k) {
      p.graph = std::move(g);
      spdlog::info("kNN graph (k = {}) taken from the partial result file",
                   p.graph.k);
      if (input_graph)
        p.adjacency = binary_knn_graph(p.graph, plan.graph.k);
      return p;
    }
  }
  t0 = clock::now();
  p.graph = build_knn_graph(p.dataset.X, k, plan.graph.index);
  p.graph_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  spdlog::info("kNN graph: k = {}, index {}, {:.1f} s", k, plan.graph.index,
               p.graph_seconds);
  if (input_graph)
    p.adjacency = binary_knn_graph(p.graph, plan.graph.k);
  return p;
}

} // namespace nebench
