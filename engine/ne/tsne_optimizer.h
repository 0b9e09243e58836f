#pragma once
// openTSNE's gradient descent (openTSNE/tsne.py, class gradient_descent):
// momentum, delta-bar-delta gains (Jacobs 1988), a per-point cap on the step
// norm, and re-centering every iteration. Phases (early exaggeration, then
// the main phase) run one after another on the same optimizer state, as
// openTSNE's TSNE.fit does with optimize(..., inplace=True): the update and
// gains carry over from one phase to the next.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/ne/repulsion.h"

#include <vector>

namespace nebench {

/// One phase of the schedule (Boehm et al. 2022, sec. 2.1: 250 iterations
/// at rho = max(12, rho) with momentum 0.5, then 500 at rho with 0.8).
struct TsnePhase {
  /// Number of iterations (>= 0).
  int iters = 0;
  /// rho, the factor on the attractive term (1 = plain t-SNE).
  double exaggeration = 1.0;
  /// Momentum mu in update = mu * update - eta * gains * grad, in [0, 1).
  double momentum = 0.8;
  /// eta in openTSNE units (no factor 4 in the gradient); n/12 for the
  /// paper protocol. Must be > 0.
  double learning_rate = 1.0;
};

struct TsneOptimizerParams {
  /// Kernel degree of freedom alpha (Kobak et al. 2019); 1 is t-SNE.
  double dof = 1.0;
  /// Per-point cap on the norm of the update (openTSNE >= 0.4.4: 5).
  double max_step_norm = 5.0;
  /// Added after the gains decay: gains = 0.8 * gains + min_gain (openTSNE).
  double min_gain = 0.01;
  /// Trace every this many iterations (and at iteration 0 and the last).
  int log_every = 50;
};

class TsneOptimizer {
public:
  /// P (summing to 1) and the repulsion estimator must outlive the optimizer.
  TsneOptimizer(const Csr &P, RepulsionEstimator &repulsion,
                const TsneOptimizerParams &params);

  /// Runs all phases on Y in place. Trace rows are written at iteration 0,
  /// every log_every iterations and at the last one; row t describes the
  /// embedding after t updates: loss = KL(P || Q) (un-exaggerated; with the
  /// estimated Z for approximate repulsion), Z, exaggeration of the phase
  /// that produced it (of the first phase at t = 0), grad_norm (Frobenius
  /// norm of the gradient at that exaggeration), norm_mean (mean |y_i|),
  /// seconds since the start. Calls ctx.check() and ctx.report() every
  /// iteration. Throws NumericalError("iteration N: embedding contains NaN")
  /// when an update produces NaN or Inf. The update and gains persist across
  /// phases and across calls.
  Trace optimize(MatrixD &Y, const std::vector<TsnePhase> &phases,
                 const RunContext &ctx);

private:
  /// Attraction and repulsion at Y into attr_/rep_; returns Z.
  double evaluate(const MatrixD &Y);
  void step(MatrixD &Y, const TsnePhase &phase, double Z);

  const Csr &P_;
  RepulsionEstimator &repulsion_;
  TsneOptimizerParams params_;
  MatrixD attr_, rep_; ///< last attraction / repulsion evaluation
  MatrixD update_;     ///< momentum buffer (openTSNE's self.update)
  MatrixD gains_;      ///< delta-bar-delta gains (openTSNE's self.gains)
};

} // namespace nebench
