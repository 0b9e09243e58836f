#pragma once
// A method turns the shared problem (preprocessed data + shared kNN graph)
// into an embedding. Methods are built from their spec node by make_method()
// (engine/ne/method_registry.h), which parses and validates all parameters
// up front so that `nebench validate` catches every error before any run.

#include "datasets/image_shape.h"
#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/ne/run_value_ref.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nebench {

/// The problem every run of a spec shares (built once, cached by the runner).
struct Problem {
  const Matrix *X = nullptr;       ///< preprocessed data, n x d
  const KnnGraph *graph = nullptr; ///< shared exact kNN graph of X
  const std::vector<std::int32_t> *labels = nullptr; ///< may be empty
  /// Raw images for image methods (t-SimCNE, SimCLR): n x C*H*W, row i the
  /// image of row i of X, channel-major (C x H x W, as torch's N x C x H x
  /// W), scaled by 1/pixel_max to [0, 1], before any preprocessing of X.
  /// Null unless a method of the plan needs_pixels().
  const Matrix *pixels = nullptr;
  /// The shape of each image (empty when the data are not images).
  ImageShape image;
  /// The input graph of graph methods (graph t-SNE, graph CNE, ForceAtlas2
  /// and Laplacian eigenmaps with "input": "graph", DeepWalk, node2vec) and
  /// graph metrics: a graph dataset's own graph, or for point data the
  /// binary symmetric kNN graph at graph.knn.k (the graph paper's kNN graph
  /// of MNIST, papers/graph.md sec. 4). Symmetric, unweighted (values 1),
  /// columns sorted, no self-loops.
  const Csr *adjacency = nullptr;
};

struct MethodOutput {
  MatrixD embedding; ///< n x dim
  Trace trace;       ///< per logged iteration
  /// The method's own input affinities/graph (t-SNE's P, UMAP's fuzzy set,
  /// the binary kNN graph), used by knn_recall against the method's input.
  std::optional<Csr> affinities;
  /// A representation the method learns besides the embedding (an image
  /// model's backbone features h), n rows; read by the metrics with "on":
  /// "features" (t-SimCNE reports kNN and linear accuracy on h), not stored.
  std::optional<MatrixD> features;
  /// The rows the method trained on when it trained on a subset and
  /// embedded every row (tsimcne's train_exclude_classes and
  /// train_class_decay); read by the class_norms metric, not stored.
  std::optional<std::vector<std::int64_t>> training_rows;
};

class Method {
public:
  virtual ~Method() = default;
  /// Short type name as in specs ("tsne").
  virtual std::string type() const = 0;
  /// Number of neighbours the method needs from the shared graph.
  virtual int neighbors_needed() const = 0;
  /// Whether the method reads Problem::adjacency (graph methods); for point
  /// data the runner then builds the binary symmetric kNN graph.
  virtual bool needs_input_graph() const { return false; }
  /// Bytes the run will need at n points (refuse runs that cannot fit).
  virtual double estimated_bytes(std::int64_t n) const = 0;
  /// Parameters taken from earlier runs (make_plan checks that they exist,
  /// come earlier and are unswept; the runner provides their values through
  /// RunContext::earlier_run_value).
  virtual std::vector<RunValueRef> references() const { return {}; }
  /// Whether the method reads Problem::pixels (the raw images) rather than
  /// only the preprocessed X; the runner then keeps them, and refuses data
  /// that are not images.
  virtual bool needs_pixels() const { return false; }
  virtual MethodOutput run(const Problem &problem, const RunContext &ctx) = 0;
};

} // namespace nebench
