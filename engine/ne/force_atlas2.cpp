#include "engine/ne/force_atlas2.h"

#include "engine/core/errors.h"
#include "engine/ne/fa2_forces.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace nebench {

Fa2Speed fa2_adjust_speed(Fa2Speed state, double swinging, double traction,
                          std::int64_t n, double jitter_tolerance) {
  if (swinging == 0 && traction == 0)
    return state; // no force anywhere: nothing to adapt (Gephi: 0/0 = NaN)
  const double nd = static_cast<double>(n);
  // "The 'right' jitter tolerance for this network. Bigger networks need
  // more tolerance. Denser networks need less tolerance. Totally empiric."
  // (Gephi): estimated optimum 0.05 sqrt(n), clamped to [sqrt of it, 10].
  const double estimated = 0.05 * std::sqrt(nd);
  const double min_jt = std::sqrt(estimated);
  const double max_jt = 10.0;
  double jt =
      jitter_tolerance *
      std::max(min_jt, std::min(max_jt, estimated * traction / (nd * nd)));
  const double min_efficiency = 0.05;
  // Protection against erratic behaviour (swg / tra > 2, infinite when
  // there is swinging but no traction).
  if (traction == 0 || swinging / traction > 2.0) {
    if (state.efficiency > min_efficiency)
      state.efficiency *= 0.5;
    jt = std::max(jt, jitter_tolerance);
  }
  const double target = swinging == 0
                            ? std::numeric_limits<double>::infinity()
                            : jt * state.efficiency * traction / swinging;
  // The efficiency is adjusted "slowly and carefully" (Gephi).
  if (swinging > jt * traction) {
    if (state.efficiency > min_efficiency)
      state.efficiency *= 0.7;
  } else if (state.speed < 1000) {
    state.efficiency *= 1.3;
  }
  // The speed may rise by at most 50% per iteration (max rise).
  const double max_rise = 0.5;
  state.speed += std::min(target - state.speed, max_rise * state.speed);
  return state;
}

ForceAtlas2Layout::ForceAtlas2Layout(const Csr &graph,
                                     const ForceAtlas2LayoutParams &params)
    : graph_(graph), params_(params), mass_(fa2_masses(graph)), tree_([&] {
        Fa2BarnesHutParams p;
        p.theta = params.theta;
        return p;
      }()) {
  if (params.iters < 0)
    throw NebenchError("ForceAtlas2: iters must be >= 0");
  if (!(params.scaling_ratio > 0) || !std::isfinite(params.scaling_ratio))
    throw NebenchError("ForceAtlas2: scaling_ratio must be > 0");
  if (!(params.gravity >= 0) || !std::isfinite(params.gravity))
    throw NebenchError("ForceAtlas2: gravity must be >= 0");
  if (!(params.jitter_tolerance > 0) || !std::isfinite(params.jitter_tolerance))
    throw NebenchError("ForceAtlas2: jitter_tolerance must be > 0");
  if (params.max_displacement && !(*params.max_displacement > 0))
    throw NebenchError("ForceAtlas2: max_displacement must be > 0");
  if (params.log_every < 1)
    throw NebenchError("ForceAtlas2: log_every must be >= 1");
  for (double v : graph.values)
    if (!(v >= 0) || !std::isfinite(v))
      throw NebenchError("ForceAtlas2: edge weights must be finite and >= 0, "
                         "got " +
                         std::to_string(v));
}

void ForceAtlas2Layout::compute_forces(const MatrixD &Y, MatrixD &forces) {
  if (Y.rows != graph_.n || Y.cols != 2)
    throw NebenchError("ForceAtlas2: the layout is " + std::to_string(Y.rows) +
                       " x " + std::to_string(Y.cols) + ", expected " +
                       std::to_string(graph_.n) + " x 2");
  if (params_.theta > 0)
    tree_.compute(Y, mass_, params_.scaling_ratio, forces);
  else
    fa2_exact_repulsion(Y, mass_, params_.scaling_ratio, forces);
  fa2_add_gravity(Y, mass_, params_.gravity, params_.strong_gravity, forces);
  fa2_add_attraction(graph_, Y, params_.linlog, forces);
}

Trace ForceAtlas2Layout::run(MatrixD &Y, const RunContext &ctx) {
  const std::int64_t n = graph_.n;
  if (Y.rows != n || Y.cols != 2)
    throw NebenchError("ForceAtlas2: the initial layout is " +
                       std::to_string(Y.rows) + " x " + std::to_string(Y.cols) +
                       ", expected " + std::to_string(n) + " x 2");
  MatrixD force(n, 2), old_force(n, 2); // Gephi starts from dx = dy = 0
  Fa2Speed speed;
  Trace trace;
  const auto start = std::chrono::steady_clock::now();
  const double max_disp = params_.max_displacement.value_or(
      std::numeric_limits<double>::infinity());
  for (int t = 1; t <= params_.iters; ++t) {
    ctx.check();
    compute_forces(Y, force);

    // Swinging and traction of every node, summed in node order.
    double total_swinging = 0, total_traction = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double fx = force(i, 0), fy = force(i, 1);
      const double ox = old_force(i, 0), oy = old_force(i, 1);
      total_swinging +=
          mass_[i] * std::sqrt((ox - fx) * (ox - fx) + (oy - fy) * (oy - fy));
      total_traction +=
          0.5 * mass_[i] *
          std::sqrt((ox + fx) * (ox + fx) + (oy + fy) * (oy + fy));
    }
    speed = fa2_adjust_speed(speed, total_swinging, total_traction, n,
                             params_.jitter_tolerance);

    // Local speed: s(i) = s(G) / (1 + sqrt(s(G) swg(i))) (Gephi's normal
    // mode), the step optionally capped at max_displacement.
    double displacement = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double fx = force(i, 0), fy = force(i, 1);
      const double ox = old_force(i, 0), oy = old_force(i, 1);
      const double swinging =
          mass_[i] * std::sqrt((ox - fx) * (ox - fx) + (oy - fy) * (oy - fy));
      double factor = speed.speed / (1.0 + std::sqrt(speed.speed * swinging));
      const double norm = std::sqrt(fx * fx + fy * fy);
      if (factor * norm > max_disp)
        factor = max_disp / norm;
      Y(i, 0) += factor * fx;
      Y(i, 1) += factor * fy;
      displacement += factor * norm;
    }
    std::swap(force, old_force);

    bool has_nan = false, has_inf = false;
    for (double v : Y.data) {
      has_nan = has_nan || std::isnan(v);
      has_inf = has_inf || std::isinf(v);
    }
    if (has_nan || has_inf)
      throw NumericalError("ForceAtlas2 iteration " + std::to_string(t) +
                           ": layout contains " + (has_nan ? "NaN" : "Inf") +
                           " (speed " + std::to_string(speed.speed) + ")");

    if (t == 1 || t % params_.log_every == 0 || t == params_.iters) {
      double norm_sum = 0;
      for (std::int64_t i = 0; i < n; ++i)
        norm_sum += std::sqrt(Y(i, 0) * Y(i, 0) + Y(i, 1) * Y(i, 1));
      const double nd = static_cast<double>(std::max<std::int64_t>(n, 1));
      trace.push("iteration", t);
      trace.push("speed", speed.speed);
      trace.push("speed_efficiency", speed.efficiency);
      trace.push("swinging", total_swinging);
      trace.push("traction", total_traction);
      trace.push("displacement_mean", displacement / nd);
      trace.push("norm_mean", norm_sum / nd);
      trace.push("seconds", std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    }
    ctx.report(t, params_.iters, "ForceAtlas2");
  }
  return trace;
}

} // namespace nebench
