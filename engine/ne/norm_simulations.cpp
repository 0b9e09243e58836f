#include "engine/ne/norm_simulations.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/direction_losses.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace nebench {

namespace {

double norm_of(const double *v, std::int64_t d) {
  double s = 0;
  for (std::int64_t k = 0; k < d; ++k)
    s += v[k] * v[k];
  return std::sqrt(s);
}

/// n x d rows of independent uniform directions (normalised normals).
MatrixD random_directions(std::int64_t n, std::int64_t d, Rng &rng) {
  MatrixD z(n, d);
  for (std::int64_t i = 0; i < n; ++i) {
    double nrm = 0;
    while (!(nrm > 0)) { // a zero vector has no direction: redraw
      for (std::int64_t k = 0; k < d; ++k)
        z(i, k) = rng.normal();
      nrm = norm_of(z.row(i), d);
    }
    for (std::int64_t k = 0; k < d; ++k)
      z(i, k) /= nrm;
  }
  return z;
}

void check_shape(std::int64_t n, std::int64_t d, const char *what) {
  if (n < 1 || d < 2)
    throw NebenchError(std::string(what) +
                       ": needs n >= 1 pairs in d >= 2, "
                       "got n = " +
                       std::to_string(n) + ", d = " + std::to_string(d));
}

/// Mean over pairs of cos(z1_i, z2_i).
double mean_cosine(const PointPairs &p) {
  const std::int64_t n = p.z1.rows, d = p.z1.cols;
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    double dot = 0;
    for (std::int64_t k = 0; k < d; ++k)
      dot += p.z1(i, k) * p.z2(i, k);
    sum += dot / (norm_of(p.z1.row(i), d) * norm_of(p.z2.row(i), d));
  }
  return sum / static_cast<double>(n);
}

double mean_norm(const PointPairs &p) {
  const std::int64_t n = p.z1.rows, d = p.z1.cols;
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += norm_of(p.z1.row(i), d) + norm_of(p.z2.row(i), d);
  return sum / static_cast<double>(2 * n);
}

} // namespace

PointPairs random_pairs_at_norm(std::int64_t n, std::int64_t d, double r,
                                std::uint64_t seed) {
  check_shape(n, d, "random_pairs_at_norm");
  if (!(r > 0) || !std::isfinite(r))
    throw NebenchError("random_pairs_at_norm: the norm r must be > 0, got " +
                       std::to_string(r));
  Rng rng(seed);
  PointPairs p;
  p.z1 = random_directions(n, d, rng);
  p.z2 = random_directions(n, d, rng);
  for (auto *m : {&p.z1, &p.z2})
    for (double &v : m->data)
      v *= r;
  return p;
}

PointPairs pairs_at_angle(std::int64_t n, std::int64_t d, double angle,
                          std::uint64_t seed) {
  check_shape(n, d, "pairs_at_angle");
  if (!(angle > 0 && angle < M_PI))
    throw NebenchError("pairs_at_angle: the angle must be in (0, pi), got " +
                       std::to_string(angle));
  Rng rng(seed);
  PointPairs p;
  p.z1 = random_directions(n, d, rng);
  p.z2 = random_directions(n, d, rng); // the notebook's random positive p
  // (1 - |t|) p - t z with p _|_ z has cos = -t / sqrt((1-|t|)^2 + t^2);
  // this t makes that cos(angle).
  const double c = std::cos(angle), s = std::sin(angle);
  const double t = -c / (std::fabs(c) + s);
  for (std::int64_t i = 0; i < n; ++i) {
    double *q = p.z2.row(i);
    const double *z = p.z1.row(i);
    for (std::int64_t k = 0; k < d; ++k)
      q[k] = (1.0 - std::fabs(t)) * q[k] - t * z[k];
    const double nrm = norm_of(q, d);
    if (!(nrm > 0))
      throw NebenchError("pairs_at_angle: a positive of norm 0 (p = z)");
    for (std::int64_t k = 0; k < d; ++k)
      q[k] /= nrm;
  }
  return p;
}

PointPairs noisy_pairs(std::int64_t n, std::int64_t d, double noise,
                       std::uint64_t seed) {
  check_shape(n, d, "noisy_pairs");
  if (!(noise >= 0) || !std::isfinite(noise))
    throw NebenchError("noisy_pairs: the noise must be >= 0, got " +
                       std::to_string(noise));
  Rng rng(seed);
  PointPairs p;
  p.z1 = MatrixD(n, d);
  p.z2 = MatrixD(n, d);
  for (double &v : p.z1.data)
    v = rng.normal();
  for (std::size_t j = 0; j < p.z2.data.size(); ++j)
    p.z2.data[j] = p.z1.data[j] + noise * rng.normal();
  return p;
}

PairDescentResult descend_pairs(PointPairs &p, const PairDescentParams &params,
                                const RunContext &ctx) {
  if (p.z1.rows < 1 || p.z1.rows != p.z2.rows || p.z1.cols != p.z2.cols)
    throw NebenchError("descend_pairs: the two views must have one shape");
  const std::int64_t n = p.z1.rows, d = p.z1.cols;
  PairDescentResult res;
  const double target = 1.0 - params.tol;
  double cos_mean = mean_cosine(p);
  res.start_angle = std::acos(std::clamp(cos_mean, -1.0, 1.0));
  const double nan = std::numeric_limits<double>::quiet_NaN();

  auto log_row = [&](std::int64_t step, bool last) {
    Trace &t = res.trace;
    t.push("step", static_cast<double>(step));
    t.push("mean_cos", cos_mean);
    t.push("norm_mean", mean_norm(p));
    t.push("norm_drop", res.norm_drop);
    t.push("start_angle", res.start_angle);
    t.push("steps", last ? static_cast<double>(step) : nan);
  };

  std::vector<double> before(static_cast<std::size_t>(2 * n));
  std::int64_t step = 0;
  while (cos_mean < target) {
    if (step >= params.max_steps)
      throw NebenchError(
          "pair descent did not reach mean cosine " + std::to_string(target) +
          " within max_steps = " + std::to_string(params.max_steps) +
          " (mean cosine " + std::to_string(cos_mean) +
          "); raise max_steps (steps grow like r^2, ~96 r^2 at lr 10)");
    if (step % params.log_every == 0)
      log_row(step, false);
    ctx.check();
    for (std::int64_t i = 0; i < n; ++i) {
      before[i] = norm_of(p.z1.row(i), d);
      before[n + i] = norm_of(p.z2.row(i), d);
    }
    // One step of plain gradient descent on L = -mean cos, both views from
    // the same gradient (sec. 3.2).
    const PairLossGradient g = mean_cosine_loss(p.z1, p.z2);
    for (std::size_t j = 0; j < p.z1.data.size(); ++j) {
      p.z1.data[j] -= params.learning_rate * g.grad1.data[j];
      p.z2.data[j] -= params.learning_rate * g.grad2.data[j];
    }
    for (std::int64_t i = 0; i < n; ++i) {
      const double a = norm_of(p.z1.row(i), d), b = norm_of(p.z2.row(i), d);
      res.norm_drop = std::max(res.norm_drop, (before[i] - a) / before[i]);
      res.norm_drop =
          std::max(res.norm_drop, (before[n + i] - b) / before[n + i]);
    }
    cos_mean = mean_cosine(p);
    ++step;
  }
  res.steps = step;
  log_row(step, true);
  return res;
}

GradientScalingResult gradient_at_scale(const PointPairs &pairs,
                                        const std::string &loss,
                                        double temperature, double scale) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw NebenchError("gradient_at_scale: the scale must be > 0, got " +
                       std::to_string(scale));
  PointPairs s = pairs;
  for (auto *m : {&s.z1, &s.z2})
    for (double &v : m->data)
      v *= scale;
  PairLossGradient g;
  if (loss == "cosine")
    g = mean_cosine_loss(s.z1, s.z2);
  else if (loss == "infonce")
    g = nt_xent_loss(s.z1, s.z2, temperature);
  else
    throw NebenchError("gradient_at_scale: unknown loss \"" + loss +
                       "\" (cosine or infonce)");
  GradientScalingResult out;
  out.loss = g.loss;
  const std::int64_t d = s.z1.cols;
  double sq = 0;
  const std::pair<const MatrixD *, const MatrixD *> views[] = {
      {&s.z1, &g.grad1}, {&s.z2, &g.grad2}};
  for (const auto &[z, gz] : views)
    for (std::int64_t i = 0; i < z->rows; ++i) {
      const double *zi = z->row(i), *gi = gz->row(i);
      double dot = 0;
      for (std::int64_t k = 0; k < d; ++k)
        dot += zi[k] * gi[k];
      const double gn = norm_of(gi, d);
      sq += gn * gn;
      if (gn > 0)
        out.grad_cos =
            std::max(out.grad_cos, std::fabs(dot) / (gn * norm_of(zi, d)));
    }
  out.grad_norm = std::sqrt(sq);
  return out;
}

} // namespace nebench
