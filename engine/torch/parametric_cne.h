#pragma once
// Parametric contrastive neighbor embedding (Damrich et al., ICLR 2023; sec.
// 1.4 of papers/spectrum_and_cne.md): spec {"type": "cne", "parametric":
// true}. The embedding is y = f(x), an MLP d_in -> 100 -> 100 -> 100 -> dim
// with ReLU (the package's FCNetwork), trained with Adam (lr 1e-3) on the
// same objective as the native method (engine/ne/cne_method.h):
//   batches  the native pipeline: CneBatchSampler driven by Rng(seed,
//            cne_stream(phase, epoch)), so a parametric and a non-parametric
//            run of one seed see the same edges and negatives;
//   loss     the same four losses (engine/torch/cne_torch_loss.h), summed;
//   step     clip_grad_value_(4) on the network's parameters (and log Z),
//            then Adam; the lr is annealed linearly to 0 per phase like the
//            native SGD lr (lr_e = lr0 (1 - e / E), the paper's anneal_lr
//            with lr_min_factor = 0); NCE's log Z is a second Adam group at
//            its fixed log_z_learning_rate (the package puts it into the
//            model's optimizer with lr 1e-3);
//   phases   early_epochs of Neg-t-SNE at c = 1, then epochs at the target
//            loss, each phase with a fresh Adam (the paper's early phase is a
//            separate run) and its own lr schedule; not for nce.
// Differences to the native method: there is no initial layout (no "init";
// the network's initialization is LibTorch's default for Linear layers,
// seeded with torch::manual_seed(run seed)); "learning_rate" is replaced by
// "optimizer_lr"; computations are in float32 (the package's dtype).
//
// Device: LibTorch tensors and the module go to CUDA when the run's device
// (select_method_device(), from --device) is "cuda"; engine/torch/
// torch_methods.cpp registers "cuda" only when LibTorch sees a GPU. On the
// CPU seeded runs are bitwise identical; on CUDA the backward scatters use
// atomics and may differ in the last bits.

#include "engine/ne/cne_method.h"
#include "engine/ne/method.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

struct ParametricCneParams {
  /// The keys shared with the native method: loss, k, negatives,
  /// batch_size, epochs, early_epochs, c | zbar, rho, loss_scale, eps,
  /// log_z_learning_rate, log_z_init, clamp_low, dim, log_every
  /// (CneParams::read_shared; learning_rate and init are not used).
  CneParams cne;
  /// Widths of the hidden layers, each followed by ReLU (paper: 100, 100,
  /// 100, the package's FCNetwork); empty = a linear map d_in -> dim.
  std::vector<int> hidden = {100, 100, 100};
  /// Adam's initial learning rate, annealed linearly to 0 in each phase
  /// (paper: 1e-3, sec. 1.4).
  double optimizer_lr = 1e-3;
  /// LibTorch intra-op threads during the run (0 = --threads). Default 1:
  /// at b = 1024 the MLP's matrices (2b x 100) are too small to split, and
  /// on the 2-vCPU machine 2 threads were 2x slower than one (OpenMP
  /// workers spinning between the many small ops).
  int torch_threads = 1;
  /// Per-value gradient clip of the parameters and of log Z (the code's 4).
  double clip = 4.0;

  /// Parses {"type": "cne", "parametric": true, the shared keys, "hidden":
  /// [int, ...], "optimizer_lr", "torch_threads"} strictly; "learning_rate" and
  /// "init" are errors naming their replacement.
  static ParametricCneParams from_spec(const SpecNode &method_node);
};

/// The MLP in_dim -> hidden[0] -> ... -> out_dim with ReLU after every hidden
/// layer (LibTorch's default Linear initialization from the global torch
/// generator: seed it first).
torch::nn::Sequential make_cne_mlp(std::int64_t in_dim,
                                   const std::vector<int> &hidden,
                                   std::int64_t out_dim);

class ParametricCneMethod : public Method {
public:
  explicit ParametricCneMethod(ParametricCneParams params);
  std::string type() const override { return "cne"; }
  int neighbors_needed() const override { return params_.cne.k; }
  std::vector<RunValueRef> references() const override {
    if (params_.cne.zbar_from)
      return {*params_.cne.zbar_from};
    return {};
  }
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding f(X), n x dim; affinities: the binary kNN graph; trace as
  /// the native method: epoch, phase, loss (mean per directed edge), lr
  /// (Adam's), norm_mean (of f(X)), seconds, log_z and zbar for nce, c.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const ParametricCneParams &params() const { return params_; }

private:
  ParametricCneParams params_;
};

} // namespace nebench
