#include "engine/ne/tsne_optimizer.h"

#include "engine/core/errors.h"
#include "engine/ne/attraction.h"
#include "engine/ne/tsne_objective.h"

#include <chrono>
#include <cmath>
#include <string>

namespace nebench {

namespace {

/// numpy's sign: -1, 0 or 1.
inline int sign(double v) { return (v > 0) - (v < 0); }

} // namespace

TsneOptimizer::TsneOptimizer(const Csr &P, RepulsionEstimator &repulsion,
                             const TsneOptimizerParams &params)
    : P_(P), repulsion_(repulsion), params_(params) {
  if (!(params.dof > 0))
    throw NebenchError("t-SNE optimizer: dof must be > 0");
  if (!(params.max_step_norm > 0))
    throw NebenchError("t-SNE optimizer: max_step_norm must be > 0");
  if (!(params.min_gain >= 0 && params.min_gain < 1))
    throw NebenchError("t-SNE optimizer: min_gain must be in [0, 1)");
  if (params.log_every < 1)
    throw NebenchError("t-SNE optimizer: log_every must be >= 1");
}

double TsneOptimizer::evaluate(const MatrixD &Y) {
  const double Z = repulsion_.compute(Y, rep_);
  attractive_forces(P_, Y, params_.dof, attr_);
  return Z;
}

void TsneOptimizer::step(MatrixD &Y, const TsnePhase &phase, double Z) {
  const std::int64_t n = Y.rows, dim = Y.cols;
  const double rho = phase.exaggeration, mu = phase.momentum;
  const double eta = phase.learning_rate, inv_z = 1.0 / Z;
  const double min_gain = params_.min_gain;
  const double max_step2 = params_.max_step_norm * params_.max_step_norm;
  double *y = Y.data.data(), *u = update_.data.data(), *g = gains_.data.data();
  const double *a = attr_.data.data(), *r = rep_.data.data();
  // Element-wise work is O(n) and cheap next to the forces: it runs serially,
  // which saves two thread barriers per iteration (they cost more than the
  // work when cores are shared).
  for (std::int64_t i = 0; i < n; ++i) {
    double norm2 = 0;
    for (std::int64_t d = 0; d < dim; ++d) {
      const std::int64_t e = i * dim + d;
      const double grad = rho * a[e] - r[e] * inv_z;
      // openTSNE: gains grow by 0.2 where sign(update) != sign(grad) (numpy
      // sign, so a zero update counts as a flip) and decay to 0.8 * gains +
      // min_gain elsewhere.
      if (sign(u[e]) != sign(grad))
        g[e] += 0.2;
      else
        g[e] = g[e] * 0.8 + min_gain;
      u[e] = mu * u[e] - eta * g[e] * grad;
      norm2 += u[e] * u[e];
    }
    // Clip the step of each point to max_step_norm (openTSNE >= 0.4.4): the
    // clipped step is what the momentum remembers.
    if (norm2 > max_step2) {
      const double s = params_.max_step_norm / std::sqrt(norm2);
      for (std::int64_t d = 0; d < dim; ++d)
        u[i * dim + d] *= s;
    }
    for (std::int64_t d = 0; d < dim; ++d)
      y[i * dim + d] += u[i * dim + d];
  }
  // Re-center (serial sum: deterministic whatever the thread count).
  for (std::int64_t d = 0; d < dim; ++d) {
    double mean = 0;
    for (std::int64_t i = 0; i < n; ++i)
      mean += y[i * dim + d];
    mean /= static_cast<double>(n);
    for (std::int64_t i = 0; i < n; ++i)
      y[i * dim + d] -= mean;
  }
}

Trace TsneOptimizer::optimize(MatrixD &Y, const std::vector<TsnePhase> &phases,
                              const RunContext &ctx) {
  const std::int64_t n = Y.rows, dim = Y.cols;
  if (P_.n != n)
    throw NebenchError("t-SNE optimizer: P has " + std::to_string(P_.n) +
                       " rows but the embedding has " + std::to_string(n) +
                       " points");
  if (n < 2)
    throw NebenchError("t-SNE optimizer: needs at least 2 points");
  if (phases.empty())
    throw NebenchError("t-SNE optimizer: no phases");
  std::int64_t total = 0;
  for (const auto &ph : phases) {
    if (ph.iters < 0 || !(ph.exaggeration > 0) || !(ph.learning_rate > 0) ||
        !(ph.momentum >= 0 && ph.momentum < 1))
      throw NebenchError("t-SNE optimizer: invalid phase (iters >= 0, "
                         "exaggeration > 0, learning_rate > 0, momentum in "
                         "[0, 1) required)");
    total += ph.iters;
  }
  if (update_.rows != n || update_.cols != dim) {
    update_ = MatrixD(n, dim, 0.0);
    gains_ = MatrixD(n, dim, 1.0);
  }

  // phase_end[p] = number of iterations done when phase p ends.
  std::vector<std::int64_t> phase_end;
  for (const auto &ph : phases)
    phase_end.push_back((phase_end.empty() ? 0 : phase_end.back()) + ph.iters);
  // Phase of iteration t (1-based); t = 0 maps to the first phase that runs.
  auto phase_of = [&](std::int64_t t) -> const TsnePhase & {
    for (std::size_t p = 0; p < phases.size(); ++p)
      if (phases[p].iters > 0 && t <= phase_end[p])
        return phases[p];
    return phases.front();
  };

  const double p_log_p = sum_p_log_p(P_);
  const double p_sum = sum_values(P_);
  const auto start = std::chrono::steady_clock::now();
  Trace trace;
  for (std::int64_t t = 0;; ++t) {
    ctx.check();
    const double Z = evaluate(Y);
    if (t % params_.log_every == 0 || t == total) {
      const double rho = phase_of(t).exaggeration;
      double g2 = 0, norm_sum = 0;
      for (std::size_t e = 0; e < attr_.data.size(); ++e) {
        const double g = rho * attr_.data[e] - rep_.data[e] / Z;
        g2 += g * g;
      }
      for (std::int64_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::int64_t d = 0; d < dim; ++d)
          s += Y(i, d) * Y(i, d);
        norm_sum += std::sqrt(s);
      }
      const double loss =
          p_log_p - sum_p_log_w(P_, Y, params_.dof) + p_sum * std::log(Z);
      trace.push("iteration", static_cast<double>(t));
      trace.push("loss", loss);
      trace.push("exaggeration", rho);
      trace.push("grad_norm", std::sqrt(g2));
      trace.push("Z", Z);
      trace.push("norm_mean", norm_sum / static_cast<double>(n));
      trace.push("seconds", std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    }
    if (t == total)
      break;
    step(Y, phase_of(t + 1), Z);

    bool has_nan = false, has_inf = false;
    for (std::size_t e = 0; e < Y.data.size(); ++e) {
      has_nan = has_nan || std::isnan(Y.data[e]);
      has_inf = has_inf || std::isinf(Y.data[e]);
    }
    if (has_nan || has_inf)
      throw NumericalError("iteration " + std::to_string(t + 1) +
                           ": embedding contains " + (has_nan ? "NaN" : "Inf") +
                           " (repulsion " + repulsion_.name() + ")");
    ctx.report(t + 1, total, "t-SNE");
  }
  return trace;
}

} // namespace nebench
