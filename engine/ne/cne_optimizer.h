#pragma once
// The optimizer of non-parametric CNE (Damrich et al. 2023; sec. 1.4 of
// papers/spectrum_and_cne.md), as the paper's scripts run the cne package:
// the embedding table (n x dim) is the parameter; per batch the gradient of
// the summed batch loss (engine/ne/cne_batch_gradient.h) is clipped value by
// value to [-4, 4] (torch.nn.utils.clip_grad_value_ on the parameter
// gradient, i.e. AFTER summing the contributions of a point's rows), then
// plain SGD (momentum 0) steps with lr_e = lr0 (1 - e / E) in epoch e =
// 0 .. E-1 of a phase (anneal_lr, lr_min_factor = 0). NCE's log Z is a
// second parameter with its own fixed learning rate (1e-3, not annealed)
// and the same clip.
//
// Batches are sequential (SGD); the batch pipeline is engine/ne/
// cne_batch_sampler.h. Per batch only the rows of the batch are touched:
// their gradients are added into an n x dim gradient table at the batch's
// points, each such point steps once with its clipped sum and its entry is
// zeroed right after (a point seen again in the same batch then steps by
// zero), so no n x dim array is cleared per batch and nothing is allocated
// in the loop.
//
// Randomness: epoch e of phase p draws its edge permutation and then the
// negatives of its batches, in order, from the stream Rng(seed,
// cne_stream(p, e)). One thread, so the result is bitwise reproducible on
// any machine and thread count. Not parallelised: at the paper's b = 1024 a
// batch is ~6k pair evaluations (~130 us); of an epoch (bench/
// cne_bench.cpp, 70k points, ~190 ms) about a third is the sequential
// sampling (permutation, negatives) and the clipped step, the rest mostly
// the random gathers from Y and scatters into the gradient table.

#include "engine/core/csr.h"
#include "engine/core/errors.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/ne/cne_batch_gradient.h"
#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_loss.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace nebench {

struct CneOptimizerParams {
  /// b, directed edges per batch (paper: 1024; package default 2^15).
  int batch_size = 1024;
  /// m, negatives per positive edge, drawn from the batch (paper: 5).
  int negatives = 5;
  /// lr0 of the embedding; epoch e of a phase with E epochs uses
  /// lr0 (1 - e / E) (paper: 1, linear annealing to 0, sec. 1.4).
  double learning_rate = 1.0;
  /// Fixed SGD learning rate of NCE's log Z (the code's 1e-3).
  double log_z_learning_rate = 1e-3;
  /// Per-value gradient clip of the embedding and of log Z (the code's 4).
  double clip = 4.0;
  /// Trace after every log_every-th epoch (counted over all phases) and
  /// after the first and last epoch of each phase.
  int log_every = 50;
  /// Seed of every random stream of the optimizer.
  std::uint64_t seed = 0;
  /// Label for progress reports.
  std::string label = "CNE";
};

/// Where a phase sits in the whole run (for the trace and progress).
struct CnePhaseInfo {
  int index = 0;         ///< phase number (0 = early phase when there is one)
  int epochs = 1;        ///< E of this phase
  int epochs_before = 0; ///< epochs of the earlier phases
  int total_epochs = 1;  ///< epochs of all phases
};

/// Stream id of Rng(seed, stream) for epoch `epoch` of phase `phase`:
/// disjoint from the small ids of initializations and from sgd_stream().
inline std::uint64_t cne_stream(int phase, int epoch) {
  return (1ULL << 61) | (static_cast<std::uint64_t>(phase) << 32) |
         static_cast<std::uint64_t>(epoch);
}

class CneOptimizer {
public:
  /// A: the (binary symmetric) graph; every stored entry is a directed
  /// edge. Throws NebenchError for invalid parameters or graphs.
  CneOptimizer(const Csr &A, CneOptimizerParams params);
  CneOptimizer(const CneOptimizer &) = delete;
  CneOptimizer &operator=(const CneOptimizer &) = delete;

  const CneEdges &edges() const { return edges_; }
  const CneOptimizerParams &params() const { return params_; }
  /// The learning rate of epoch e (0-based) of a phase of E epochs.
  double learning_rate(int epoch, int epochs) const {
    return params_.learning_rate *
           (1.0 - static_cast<double>(epoch) / static_cast<double>(epochs));
  }

  /// One epoch of phase `phase` at learning rate lr on Y (n x dim, updated
  /// in place); returns the loss summed over its batches (0 when with_loss
  /// is false). NceLoss's log_z is updated after every batch.
  template <class Loss>
  double run_epoch(Loss &loss, int phase, int epoch, double lr, MatrixD &Y,
                   bool with_loss = true) {
    check_shape(Y);
    const int dim = static_cast<int>(Y.cols);
    if (grad_.size() != Y.data.size())
      grad_.assign(Y.data.size(), 0.0);
    scratch_.reserve(batch_capacity_, max_negatives_, dim);
    Rng rng(params_.seed, cne_stream(phase, epoch));
    sampler_.start_epoch(rng);
    double total = 0.0;
    for (std::int64_t bi = 0; bi < sampler_.batches(); ++bi) {
      sampler_.fill(bi, rng, batch_);
      loss.prepare(batch_.edges);
      double dlogz = 0.0;
      total += cne_batch_gradient(loss, Y, batch_, scratch_, dlogz, with_loss);
      cne_scatter_rows(batch_, scratch_.row_grad.data(), dim, grad_.data());
      clipped_step(Y, lr);
      if constexpr (requires { loss.log_z; })
        loss.log_z -= params_.log_z_learning_rate *
                      std::clamp(dlogz, -params_.clip, params_.clip);
    }
    return total;
  }

  /// Runs `phase.epochs` epochs with the lr schedule restarted at lr0, and
  /// appends a trace row (columns epoch = epochs done over all phases,
  /// phase, loss = mean per directed edge over the epoch's batches, lr,
  /// norm_mean, seconds since construction; log_z and zbar = exp(log Z)
  /// n^2 for NceLoss; c = neg_c(loss), NaN in a phase without one, see
  /// push_c) per logged epoch. Calls ctx.check() and ctx.report() once per
  /// epoch; throws NumericalError when Y becomes non-finite.
  template <class Loss>
  void run_phase(Loss &loss, const CnePhaseInfo &phase, MatrixD &Y,
                 Trace &trace, const RunContext &ctx) {
    if (phase.epochs < 1)
      throw NebenchError("CNE: a phase needs >= 1 epochs");
    const double edges = static_cast<double>(edges_.size());
    for (int e = 0; e < phase.epochs; ++e) {
      ctx.check();
      const double lr = learning_rate(e, phase.epochs);
      const int t = phase.epochs_before + e + 1;
      const bool logged =
          e == 0 || e + 1 == phase.epochs || t % params_.log_every == 0;
      const double sum = run_epoch(loss, phase.index, e, lr, Y, logged);
      check_finite(Y, sum, t);
      if (logged) {
        trace.push("epoch", t);
        trace.push("phase", phase.index);
        trace.push("loss", sum / edges);
        trace.push("lr", lr);
        trace.push("norm_mean", norm_mean(Y));
        if constexpr (requires { loss.log_z; }) {
          trace.push("log_z", loss.log_z);
          trace.push("zbar", cne_zbar_from_log_z(loss.log_z, edges_.n));
        }
        push_c(trace, loss);
        trace.push("seconds", std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count());
      }
      ctx.report(t, phase.total_epochs, params_.label);
    }
  }

  /// The c of the NEG estimator sigma = 1 / (1 + c q) a loss uses, the
  /// position on the paper's Z-bar axis (c = m Z-bar / n^2, sec. 1.3):
  /// NegLoss its constant; NceLoss m exp(log Z) with the code's m =
  /// min(m, 2b - 1) of a full batch (NceLoss::prepare), after the epoch's
  /// last update of log Z. None (nullopt) for InfoNCE and UMAP, which
  /// have no NEG normaliser.
  template <class Loss> std::optional<double> neg_c(const Loss &loss) const {
    if constexpr (requires { loss.log_z; }) {
      const int m =
          std::max(std::min(loss.negatives, 2 * batch_capacity_ - 1), 0);
      return static_cast<double>(m) * std::exp(loss.log_z);
    } else if constexpr (requires { loss.c; }) {
      return loss.c;
    } else {
      return std::nullopt;
    }
  }

private:
  /// Trace column "c" (neg_c): present once any phase has a c; a row of a
  /// phase without one holds NaN, so that all columns keep one length when
  /// an early NEG phase (c = 1) precedes InfoNCE or UMAP.
  template <class Loss> void push_c(Trace &trace, const Loss &loss) const {
    const std::optional<double> c = neg_c(loss);
    if (!c && !trace.columns.count("c"))
      return;
    auto &col = trace.columns["c"];
    const std::size_t rows = trace.columns.at("epoch").size();
    col.resize(rows - 1, std::numeric_limits<double>::quiet_NaN());
    col.push_back(c ? *c : std::numeric_limits<double>::quiet_NaN());
  }

  void check_shape(const MatrixD &Y) const;
  /// Y[p] -= lr clip(G[p]) and G[p] = 0 for the points of the batch.
  void clipped_step(MatrixD &Y, double lr);
  static double norm_mean(const MatrixD &Y);
  static void check_finite(const MatrixD &Y, double loss, int epoch);

  CneOptimizerParams params_;
  CneEdges edges_;
  CneBatchSampler sampler_;
  int batch_capacity_ = 0; ///< largest batch, min(b, E)
  int max_negatives_ = 0;  ///< largest negatives per head, min(m, 2b - 2)
  CneBatch batch_;
  CneBatchScratch scratch_;
  std::vector<double> grad_; ///< n x dim, zero outside a batch's step
  std::chrono::steady_clock::time_point start_;
};

} // namespace nebench
