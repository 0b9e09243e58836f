#pragma once
// t-SNE as a Method: affinities from the shared kNN graph (perplexity or
// binary kNN), PCA or random initialization, exact, Barnes-Hut or FFT
// repulsion,
// and openTSNE's phased gradient descent (engine/ne/tsne_optimizer.h).
// Defaults follow openTSNE and the spectrum paper's protocol (Boehm et al.
// 2022, sec. 2.1).

#include "engine/core/spec_node.h"
#include "engine/ne/fft_repulsion.h"
#include "engine/ne/method.h"
#include "engine/ne/tsne_optimizer.h"

#include <optional>
#include <string>
#include <vector>

namespace nebench {

struct TsneAffinityParams {
  /// "perplexity" (Gaussian, van der Maaten & Hinton 2008), "binary_knn"
  /// (P = A / sum A on the max-symmetrized kNN graph, CNE paper sec. 1.1)
  /// or "graph" (graph t-SNE: P_ij = (1/d_i + 1/d_j) / 2N on the edges of
  /// the input graph, Problem::adjacency; engine/affinity/graph_affinity.h).
  std::string type = "perplexity";
  /// Target perplexity (perplexity type only), in (1, 10000].
  double perplexity = 30;
  /// Neighbours per point: round(3 * perplexity) or 15 by default; 0 for
  /// "graph".
  int k = 90;
};

struct TsneInitParams {
  /// "pca" (first PCs rescaled, plus openTSNE's 1% jitter seeded by the run
  /// seed), "random" (isotropic Gaussian from the run seed) or "spectral"
  /// (the input graph's Laplacian eigenvectors rescaled, plus the same
  /// jitter; graph t-SNE, papers/graph.md sec. 1).
  std::string type = "pca";
  /// Standard deviation of the first column (pca) or of every entry
  /// (random); 1e-4 in openTSNE and the spectrum paper.
  double std = 1e-4;
};

/// One phase as written in a spec; the learning rate may be left to the
/// method-level setting.
struct TsnePhaseSpec {
  int iters = 0;                       ///< iterations
  double exaggeration = 1.0;           ///< rho
  double momentum = 0.8;               ///< in [0, 1)
  std::optional<double> learning_rate; ///< overrides the method's rate
};

struct TsneParams {
  TsneAffinityParams affinity;
  TsneInitParams init;
  /// "auto" (exact for n <= 2000, Barnes-Hut for n <= 10,000, else FFT),
  /// "exact", "bh" or "fft".
  std::string repulsion = "auto";
  /// Barnes-Hut accuracy, in [0, 3] (openTSNE default 0.5).
  double theta = 0.5;
  /// FFT interpolation grid (spec key "fft": n_interp, min_intervals,
  /// ints_in_interval; openTSNE defaults). Its dof is ignored (`dof` below).
  FftRepulsionParams fft;
  /// Kernel degree of freedom alpha > 0 (Kobak et al. 2019); 1 = t-SNE.
  double dof = 1.0;
  /// Learning rate in openTSNE units; nullopt = "auto" = n / max phase
  /// exaggeration, in every phase (Belkina et al. 2019; Boehm et al. 2022
  /// use n / max(12, rho)).
  std::optional<double> learning_rate;
  /// Per-point step cap (openTSNE: 5).
  double max_step_norm = 5.0;
  /// openTSNE's min_gain, in [0, 1).
  double min_gain = 0.01;
  /// Trace every this many iterations.
  int log_every = 50;
  /// The schedule; default: 250 iterations at rho = 12, momentum 0.5, then
  /// 500 at rho = 1, momentum 0.8 (openTSNE's TSNE defaults).
  std::vector<TsnePhaseSpec> phases = {{250, 12.0, 0.5, std::nullopt},
                                       {500, 1.0, 0.8, std::nullopt}};
  /// Embedding dimension (not a spec key; Barnes-Hut needs 2).
  int dim = 2;

  /// Parses the method object of a spec strictly (unknown keys, wrong
  /// types and out-of-range values throw SpecError naming the JSON path).
  static TsneParams from_spec(const SpecNode &method_node);
};

class TsneMethod : public Method {
public:
  explicit TsneMethod(TsneParams params);
  std::string type() const override { return "tsne"; }
  int neighbors_needed() const override { return params_.affinity.k; }
  bool needs_input_graph() const override {
    return params_.affinity.type == "graph" || params_.init.type == "spectral";
  }
  double estimated_bytes(std::int64_t n) const override;
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const TsneParams &params() const { return params_; }
  /// The phases with learning rates resolved for n points.
  std::vector<TsnePhase> resolved_phases(std::int64_t n) const;

private:
  TsneParams params_;
};

} // namespace nebench
