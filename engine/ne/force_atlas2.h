#pragma once
// ForceAtlas2 (Jacomy et al. 2014, PLoS ONE 9(6): e98679) on a weighted
// symmetric graph: the forces of engine/ne/fa2_forces.h (repulsion by
// Barnes-Hut, engine/ne/fa2_barnes_hut.h) moved with the paper's adaptive
// speeds, exactly as Gephi's ForceAtlas2.goAlgo() (and the Python port `fa2`
// used by the spectrum paper, Boehm et al. 2022, sec. 2.2 of our notes):
//
//   swinging  swg(i) = m_i |F_i(t) - F_i(t-1)|     (erratic movement)
//   traction  tra(i) = m_i |F_i(t) + F_i(t-1)| / 2  (useful movement)
//   global speed s(G) from sum swg, sum tra and the jitter tolerance, rising
//   at most 50% per iteration (fa2_adjust_speed below),
//   local speed s(i) = s(G) / (1 + sqrt(s(G) swg(i))),  y_i += s(i) F_i.
//
// Optionally the displacement of a node per iteration is capped (the
// paper's k_smax; Gephi applies a cap of 10 only in its prevent-overlap
// mode, the spectrum paper's runs used none).
//
// Deterministic: forces are per node given the tree; global sums run
// serially in node order.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/ne/fa2_barnes_hut.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nebench {

struct ForceAtlas2LayoutParams {
  /// Iterations (750 in the spectrum paper, sec. 2.2 of our notes).
  int iters = 750;
  /// k_r, repulsion strength (Gephi's scalingRatio; 2 in the paper).
  double scaling_ratio = 2.0;
  /// k_g, gravity towards the origin (Gephi default 1).
  double gravity = 1.0;
  /// Gravity proportional to the distance to the origin (Gephi's
  /// strongGravityMode).
  bool strong_gravity = false;
  /// LinLog attraction log(1 + d) instead of d (Noack's LinLog energy).
  bool linlog = false;
  /// Barnes-Hut accuracy (distance * theta > region size; 1.2 in Gephi and
  /// the paper); 0 = exact O(n^2) repulsion.
  double theta = 1.2;
  /// tau, how much swinging the global speed tolerates (Gephi: 1).
  double jitter_tolerance = 1.0;
  /// Per-node cap on the displacement per iteration, in layout units (the
  /// paper's k_smax, 10 there in prevent-overlap mode); none by default as
  /// in Gephi's and fa2's normal mode.
  std::optional<double> max_displacement;
  /// Trace every this many iterations (and at the first and last).
  int log_every = 50;
};

/// Global speed state of ForceAtlas2 (Gephi: speed and speedEfficiency, both
/// 1 at the start).
struct Fa2Speed {
  double speed = 1.0;      ///< s(G)
  double efficiency = 1.0; ///< adapts how fast s(G) follows its target
};

/// One global speed update of Gephi's goAlgo() from the total swinging and
/// traction of an iteration on n nodes with jitter tolerance tau:
///   jt = tau * max(sqrt(0.05 sqrt(n)), min(10, 0.05 sqrt(n) tra / n^2));
///   if swg / tra > 2: efficiency *= 0.5 (while > 0.05), jt = max(jt, tau);
///   target = jt * efficiency * tra / swg;
///   if swg > jt tra: efficiency *= 0.7 (while > 0.05)
///   else if speed < 1000: efficiency *= 1.3;
///   speed += min(target - speed, 0.5 speed).
/// With swg = 0 the target is infinite (speed rises by 50%); with swg = tra
/// = 0 (no forces at all) the state is returned unchanged.
Fa2Speed fa2_adjust_speed(Fa2Speed state, double swinging, double traction,
                          std::int64_t n, double jitter_tolerance);

class ForceAtlas2Layout {
public:
  /// `graph`: symmetric, non-negative weights (both directions stored);
  /// masses are 1 + degree (engine/ne/fa2_forces.h). Throws NebenchError on
  /// invalid parameters.
  ForceAtlas2Layout(const Csr &graph, const ForceAtlas2LayoutParams &params);

  /// Total force F = F_r + F_g + F_a on every node of the 2-D layout Y
  /// (`forces` resized to n x 2).
  void compute_forces(const MatrixD &Y, MatrixD &forces);

  /// Runs params.iters iterations on Y (n x 2) in place and returns the
  /// trace: iteration, speed, speed_efficiency, swinging, traction (totals
  /// of the iteration), displacement_mean (mean |step| of the nodes),
  /// norm_mean (mean |y_i| after the step), seconds. Throws NumericalError
  /// when the layout becomes NaN/Inf and Interrupted on ctx's stop flag.
  Trace run(MatrixD &Y, const RunContext &ctx);

  const std::vector<double> &masses() const { return mass_; }

private:
  const Csr &graph_;
  ForceAtlas2LayoutParams params_;
  std::vector<double> mass_;
  Fa2BarnesHut tree_;
};

} // namespace nebench
