#pragma once
// UMAP as a Method (spec type "umap"; McInnes, Healy & Melville 2018):
// the fuzzy simplicial set of the shared kNN graph
// (engine/affinity/fuzzy_simplicial_set.h), an initial layout, and
// edge-sampling SGD with UMAP's gradients (engine/ne/edge_sampling_sgd.h,
// engine/ne/umap_gradient.h). Defaults follow umap-learn; the spectrum
// paper's reference variant (Boehm et al. 2022, sec. 2.2) is
// {"type": "umap", "a": 1, "b": 1, "epochs": 750,
//  "init": {"type": "pca", "max_abs": 10}}.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"
#include "engine/ne/umap_curve.h"

#include <optional>
#include <string>

namespace nebench {

struct UmapInitParams {
  /// "pca" (first principal components), "spectral" (umap-learn's default:
  /// eigenvectors of the normalized Laplacian of the fuzzy set; falls back
  /// to "random" with a warning when the graph is disconnected or the
  /// eigensolver fails, as umap-learn does for solver failures) or "random"
  /// (i.i.d. from the run seed).
  std::string type = "pca";
  /// Scale rule "max_abs": pca/spectral scaled so that max |y| = max_abs
  /// over all coordinates, plus N(0, 1e-4^2) noise (umap-learn's
  /// noisy_scale_coords, 10; the spectrum paper's PCA init); random is
  /// U(-max_abs, max_abs) (umap-learn: U(-10, 10)).
  double max_abs = 10.0;
  /// Scale rule "std", when set (excludes max_abs): pca/spectral scaled so
  /// that the first column has this standard deviation, no noise (the CNE
  /// paper's std(PC1) = 1, Damrich et al. 2023 sec. 1.4); random is
  /// N(0, std^2).
  std::optional<double> std;
};

struct UmapParams {
  /// umap-learn's n_neighbors, counting the point itself: uses k - 1
  /// neighbours of the shared graph (15 in umap-learn and the spectrum paper).
  int k = 15;
  /// Curve phi(d) = 1 / (1 + a d^{2b}); when the spec gives neither a nor b
  /// they are fitted from min_dist and spread (engine/ne/umap_curve.h).
  UmapCurve curve{};
  /// Whether a and b came from the spec (else fitted).
  bool curve_given = false;
  /// umap-learn's min_dist (0.1) and spread (1), used for the fit only.
  double min_dist = 0.1;
  double spread = 1.0;
  /// Epochs; nullopt = umap-learn's default, 500 for n <= 10,000 else 200.
  std::optional<int> epochs;
  /// Initial SGD learning rate alpha_0, decayed linearly (umap-learn: 1).
  double learning_rate = 1.0;
  /// Negative samples per positive sample (umap-learn: 5).
  int negative_sample_rate = 5;
  /// gamma, weight of the repulsive term (umap-learn's repulsion_strength).
  double repulsion_strength = 1.0;
  /// Added to d^2 in the repulsive denominator (umap-learn: 0.001).
  double eps = 0.001;
  UmapInitParams init;
  /// Trace every this many epochs (and epoch 0 and the last).
  int log_every = 50;
  /// Epoch-synchronous updates (the same bits for any thread count); false
  /// = umap-learn's in-place updates (reproducible with one thread only).
  /// See engine/ne/edge_sampling_sgd.h.
  bool batch = true;
  /// Embedding dimension (not a spec key).
  int dim = 2;

  /// Epochs for n points.
  int resolved_epochs(std::int64_t n) const;

  /// Parses {"type": "umap", "k", "a", "b", "min_dist", "spread", "epochs",
  /// "learning_rate", "negative_sample_rate", "repulsion_strength", "eps",
  /// "init": {"type", "max_abs" | "std"}, "log_every", "batch"} strictly
  /// (SpecError naming the JSON path).
  static UmapParams from_spec(const SpecNode &method_node);
};

class UmapMethod : public Method {
public:
  explicit UmapMethod(UmapParams params);
  std::string type() const override { return "umap"; }
  int neighbors_needed() const override { return params_.k - 1; }
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding n x dim; affinities: the fuzzy set W (before the pruning of
  /// edges too weak to be sampled); trace: epoch, loss, norm_mean, seconds.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const UmapParams &params() const { return params_; }

  /// The initial layout (n x dim) for `params.init` from the data, the fuzzy
  /// set W and the seed; exposed for tests.
  static MatrixD initial_layout(const UmapParams &params, const Matrix &X,
                                const Csr &W, std::uint64_t seed);

private:
  UmapParams params_;
};

} // namespace nebench
