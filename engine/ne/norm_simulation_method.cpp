#include "engine/ne/norm_simulation_method.h"

#include "engine/core/errors.h"

#include <cmath>
#include <string>
#include <utility>

namespace nebench {

NormSimulationParams NormSimulationParams::from_spec(const SpecNode &node) {
  NormSimulationParams p;
  node.string("type", std::string("simulation"), {"simulation"});
  p.kind = node.string("kind", std::nullopt,
                       {"steps_vs_norm", "steps_vs_angle", "gradient_scaling"});
  p.n = node.integer("n", 500, Range::closed(1, 1e6));
  p.d = node.integer("d", 20, Range::closed(2, 1e5));
  if (p.kind == "gradient_scaling") {
    p.loss = node.string("loss", std::string("cosine"), {"cosine", "infonce"});
    if (p.loss == "infonce")
      p.temperature = node.number("temperature", 0.5, Range::positive());
    p.scale = node.number("scale", 1.0, Range::positive());
    p.noise = node.number("noise", 0.5, Range::at_least(0.0));
    // NT-Xent holds a 2n x 2n similarity matrix.
    if (p.loss == "infonce" && p.n > 5000)
      node.fail_at("n", "at most 5000 pairs with the infonce loss (a 2n x 2n "
                        "similarity matrix), got " +
                            std::to_string(p.n));
  } else {
    if (p.kind == "steps_vs_norm")
      p.r = node.number("r", 1.0, {0.0, 1e6, true, false});
    else
      p.angle = node.number("angle", std::nullopt, {0.0, M_PI, true, true});
    PairDescentParams &g = p.descent;
    g.learning_rate = node.number("learning_rate", 10.0, Range::positive());
    g.tol = node.number("tol", 1e-3, {0.0, 2.0, true, true});
    g.max_steps = node.integer("max_steps", 100000, Range::closed(1, 1e9));
    g.log_every = node.integer("log_every", 10, Range::closed(1, 1e9));
  }
  node.finish();
  return p;
}

NormSimulationMethod::NormSimulationMethod(NormSimulationParams params)
    : params_(std::move(params)) {}

double NormSimulationMethod::estimated_bytes(std::int64_t) const {
  // The points (a few copies of 2 n x d) and, for NT-Xent, two 2n x 2n
  // matrices; the dataset's n does not matter.
  const double nd = static_cast<double>(params_.n) * params_.d;
  const double sim =
      params_.kind == "gradient_scaling" && params_.loss == "infonce"
          ? 2.0 * 4.0 * params_.n * params_.n * 8.0
          : 0.0;
  return 8.0 * 2.0 * nd * 8.0 + sim + (1 << 20);
}

MethodOutput NormSimulationMethod::run(const Problem &, const RunContext &ctx) {
  const NormSimulationParams &p = params_;
  MethodOutput out;
  if (p.kind == "gradient_scaling") {
    const PointPairs pairs = noisy_pairs(p.n, p.d, p.noise, ctx.seed);
    const GradientScalingResult g =
        gradient_at_scale(pairs, p.loss, p.temperature, p.scale);
    out.trace.push("scale", p.scale);
    out.trace.push("loss", g.loss);
    out.trace.push("grad_norm", g.grad_norm);
    out.trace.push("grad_cos", g.grad_cos);
    // Constant over scales when ||grad|| ~ 1/s (sec. 3.1 (i)).
    out.trace.push("grad_norm_x_scale", g.grad_norm * p.scale);
    out.embedding = pairs.z1;
    for (double &v : out.embedding.data)
      v *= p.scale;
    return out;
  }
  PointPairs pairs = p.kind == "steps_vs_norm"
                         ? random_pairs_at_norm(p.n, p.d, p.r, ctx.seed)
                         : pairs_at_angle(p.n, p.d, p.angle, ctx.seed);
  PairDescentResult res = descend_pairs(pairs, p.descent, ctx);
  out.trace = std::move(res.trace);
  out.embedding = std::move(pairs.z1);
  return out;
}

} // namespace nebench
