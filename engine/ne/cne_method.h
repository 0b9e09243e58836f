#pragma once
// Non-parametric contrastive neighbor embedding as a Method (spec type
// "cne"; Damrich et al., "From t-SNE to UMAP with contrastive learning",
// ICLR 2023), following the paper's protocol (sec. 1 of
// papers/spectrum_and_cne.md), not the cne package's defaults:
//   graph   binary max-symmetrised kNN graph, k = 15, from the shared graph
//           (engine/affinity/binary_knn_affinity.h);
//   batches b = 1024 directed edges, m = 5 negatives from the batch,
//           resampled every batch (engine/ne/cne_batch_sampler.h);
//   loss    neg (Neg-t-SNE, c or Z-bar), nce (learned Z), infonce, umap
//           (engine/ne/cne_loss.h), summed over the batch;
//   SGD     lr 1 annealed linearly per epoch, momentum 0, gradient values
//           clipped to +-4 (engine/ne/cne_optimizer.h);
//   init    PCA scaled to std(PC1) = 1;
//   phases  optional early phase of Neg-t-SNE at c = 1 (the paper's spectra:
//           250 epochs, then 500 at the target loss), each phase restarting
//           the lr schedule; not for nce (the paper disables it there).
// The parametric variant (an MLP, LibTorch) lives in engine/torch.

#include "engine/core/spec_node.h"
#include "engine/ne/cne_loss.h"
#include "engine/ne/method.h"

#include <cstdint>
#include <optional>
#include <string>

namespace nebench {

struct CneInitParams {
  /// "pca": the first dim principal components of the data, scaled so that
  /// the first has standard deviation `std` (the paper: std(PC1) = 1,
  /// sec. 1.4); "random": i.i.d. N(0, std^2) from the run seed (the paper's
  /// scripts: randn rescaled to std 1).
  std::string type = "pca";
  /// Standard deviation of the first column (pca) or of every entry
  /// (random); 1 in the paper.
  double std = 1.0;
};

struct CneParams {
  /// Loss (sec. 1.2): neg, nce, infonce (the package's default) or umap.
  CneLossType loss = CneLossType::infonce;
  /// Neighbours per point of the binary symmetric kNN graph, the point
  /// itself not counted (paper: 15).
  int k = 15;
  /// m, negatives per positive edge, drawn from the batch (paper: 5;
  /// ablations 5, 50, 500). m >= 2b - 2 uses the whole batch.
  int negatives = 5;
  /// b, directed edges per batch (paper: 1024).
  int batch_size = 1024;
  /// Epochs at the target loss (paper: 750 from PCA init, 500 after the
  /// 250 early epochs); default 750, or 500 when early_epochs > 0.
  int epochs = 750;
  /// Epochs of the early phase (Neg-t-SNE at c = 1) before the target loss
  /// (paper's spectra: 250; default 0 = none). Not allowed for nce.
  int early_epochs = 0;
  /// neg: c = m Z-bar / n^2 in sigma = 1 / (1 + c (d^2 + eps)); c = 1 is
  /// plain negative sampling (UMAP-like). Exactly one of c and zbar.
  std::optional<double> c;
  /// neg: the fixed normaliser Z-bar (c = m Z-bar / n^2, the code's |X| =
  /// n^2; Z-bar = n^2 / m is c = 1).
  std::optional<double> zbar;
  /// neg: Z-bar taken at run time from an earlier run of the spec, written
  /// "zbar": {"run": "tsne", "trace": "Z"} (Z^{t-SNE}, the kernel sum of a
  /// converged t-SNE) or {"run": "nce", "trace": "zbar"} (NCE's learned
  /// normaliser): the paper's sweep marks both (sec. 1.3).
  std::optional<RunValueRef> zbar_from;
  /// infonce: 1/rho weights the log-sum term (paper: 1; like t-SNE's
  /// exaggeration).
  double rho = 1.0;
  /// infonce: factor of the loss; the code multiplies the Euclidean
  /// InfoNCE loss by temperature / base_temperature = 0.5 (the package's
  /// default temperature, unchanged by the paper's scripts), which halves
  /// the step before clipping. 1 = the plain loss.
  double loss_scale = 0.5;
  /// Kernel offset eps of phi = 1 / (eps + d^2): 1 Cauchy, 0 UMAP's 1/d^2.
  double eps = 1.0;
  /// lr0 of the embedding, annealed linearly to 0 per phase (paper: 1).
  double learning_rate = 1.0;
  /// nce: fixed SGD learning rate of log Z (code: 1e-3, not annealed).
  double log_z_learning_rate = 1e-3;
  /// nce: initial log Z (code: log 1 = 0).
  double log_z_init = 0.0;
  /// Lower clamp of log arguments (paper's scripts: 1e-10; package 1e-4).
  double clamp_low = 1e-10;
  /// Embedding dimension (paper: 2).
  int dim = 2;
  /// Threads that share each batch (0 = all of --threads); the result is
  /// bitwise reproducible for a fixed count. Default 1: at the paper's
  /// b = 1024 a batch is ~30 us of arithmetic, and on the 2-vCPU machine
  /// the batch-sized exchanges between threads cost more than they save
  /// (bench/cne_bench.cpp, BM_CneEpoch/.../2 threads).
  int batch_threads = 1;
  CneInitParams init;
  /// Trace every this many epochs (over both phases) and the first and last
  /// epoch of each phase.
  int log_every = 50;

  /// c of the neg loss for n points (from c, zbar, or zbar_from through
  /// ctx, which must then be given).
  double resolved_c(std::int64_t n, const RunContext *ctx = nullptr) const;

  /// Parses {"type": "cne", "loss", "k", "negatives", "batch_size",
  /// "epochs", "early_epochs", "c" | "zbar" (neg only), "rho", "loss_scale"
  /// (infonce only), "eps", "learning_rate", "log_z_learning_rate",
  /// "log_z_init" (nce only), "clamp_low", "dim", "init": {"type", "std"},
  /// "log_every", "batch_threads", "parametric": false} strictly (SpecError
  /// naming the JSON path). "parametric": true is built by make_method()
  /// through the hook of engine/ne/method_registry.h
  /// (engine/torch/parametric_cne.h).
  static CneParams from_spec(const SpecNode &method_node);

  /// The keys both variants share (all of from_spec's but "parametric",
  /// "learning_rate" and "init"), read without finish(): the parametric
  /// parser (engine/torch) reads its own keys, then finishes.
  static CneParams read_shared(const SpecNode &method_node);
};

class CneMethod : public Method {
public:
  explicit CneMethod(CneParams params);
  std::string type() const override { return "cne"; }
  int neighbors_needed() const override { return params_.k; }
  std::vector<RunValueRef> references() const override {
    if (params_.zbar_from)
      return {*params_.zbar_from};
    return {};
  }
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding n x dim; affinities: the binary kNN graph (values 1); trace:
  /// epoch, phase (0 early, 1 target loss), loss, lr, norm_mean, seconds,
  /// log_z and zbar for nce, and c (the NEG estimator's c = m Z-bar / n^2:
  /// neg's constant, 1 in the early phase, m exp(log Z) for nce; NaN in
  /// the rows of an infonce or umap phase, absent without any NEG phase).
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const CneParams &params() const { return params_; }

private:
  CneParams params_;
};

} // namespace nebench
