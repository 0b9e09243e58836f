#pragma once
// The norms paper's simulations (Draganov et al., ICML 2025, Simulations
// notebook; papers/tsimcne_medical_norms.md sec. 3.2 and protocols A-C of
// sec. 4): n pairs of points in R^d pulled together by plain gradient
// descent on the mean cosine loss, and the gradient of direction-only
// losses at scaled inputs.
//
//   S1  pairs of random directions scaled to norm r: the steps to reach a
//       mean cosine of 1 - tol grow like r^2 (notebook: r = 0.25 .. 10 ->
//       6, 24, 96, 385, 869, 2416, 4737, 9662 steps, ~96 r^2; claim N2).
//   S2  unit pairs at a given starting angle: the steps rise with the angle
//       (notebook: 17 steps at 0.084 rad to 187 at 3.10 rad).
//   N1  the gradient of a direction-only loss at s z is orthogonal to z and
//       exactly 1/s times the gradient at z (sec. 3.1; protocol A).

#include "engine/core/matrix.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"

#include <cstdint>
#include <string>

namespace nebench {

/// Two views of n pairs: row i of z1 and row i of z2 form a pair.
struct PointPairs {
  MatrixD z1, z2; ///< n x d each
};

/// S1's start (notebook cell 2): both points of every pair are independent
/// uniform random directions (normalised standard normals) scaled to norm r.
/// Random numbers from Rng(seed).
PointPairs random_pairs_at_norm(std::int64_t n, std::int64_t d, double r,
                                std::uint64_t seed);

/// S2's start (notebook cell 3): z1 uniform unit directions; z2 =
/// normalise((1 - |t|) p - t z1) with p a second uniform unit direction,
/// the notebook's interpolation towards -z1. The notebook sweeps t; here t
/// = -cos(angle) / (|cos(angle)| + sin(angle)) so that a p orthogonal to z1
/// gives exactly `angle` (radians, in (0, pi)); in d = 20 p is nearly
/// orthogonal, and arccos of the mean start cosine is close to `angle`
/// (the notebook's t = -0.92 .. 0.96 give 0.084 .. 3.10 rad).
PointPairs pairs_at_angle(std::int64_t n, std::int64_t d, double angle,
                          std::uint64_t seed);

/// Protocol A's input: z1 standard normal, z2 = z1 + noise * standard
/// normal (a positive view near its anchor, as in SSL), from Rng(seed).
PointPairs noisy_pairs(std::int64_t n, std::int64_t d, double noise,
                       std::uint64_t seed);

struct PairDescentParams {
  /// Learning rate of plain gradient descent on L = -mean_i cos (the
  /// notebook's torch.optim.SGD, lr = 10, no momentum, no weight decay).
  double learning_rate = 10.0;
  /// Stop when the mean cosine reaches 1 - tol (notebook eps = 1e-3).
  double tol = 1e-3;
  /// Give up (NebenchError) after this many steps.
  std::int64_t max_steps = 100000;
  /// Trace every log_every-th step (and the start and the last step).
  std::int64_t log_every = 10;
};

struct PairDescentResult {
  std::int64_t steps = 0; ///< steps until mean cos >= 1 - tol
  /// Largest relative decrease of any point's norm over one step,
  /// max (|z_t| - |z_{t+1}|) / |z_t| over points and steps, 0 if none
  /// (sec. 3.1 (ii): |z - eta grad|^2 = |z|^2 + eta^2 |grad|^2, so it must
  /// stay 0 up to rounding).
  double norm_drop = 0;
  double start_angle = 0; ///< arccos of the mean cosine at the start
  /// Columns step, mean_cos, norm_mean (over all 2n points), norm_drop
  /// (running), start_angle, and steps (NaN but in the last row, which
  /// holds the step count: trace_last gives last_steps).
  Trace trace;
};

/// Gradient descent on -mean_i cos(z1_i, z2_i), both points of every pair
/// updated from the same gradient evaluation (engine/ne/direction_losses.h),
/// until the mean cosine reaches 1 - tol. The notebook counts the steps the
/// same way: the check comes before each step, so a start that is already
/// aligned takes 0 steps. (Its first step differentiates the dot product
/// divided by the initial r^2, which equals the cosine at the start but
/// not its gradient; every later step uses the cosine. We use the cosine
/// throughout, the loss the paper describes; step counts agree with the
/// notebook's within a few per cent.) Throws NebenchError when max_steps
/// is reached; ctx.check() between steps.
PairDescentResult descend_pairs(PointPairs &pairs,
                                const PairDescentParams &params,
                                const RunContext &ctx);

struct GradientScalingResult {
  double loss = 0;
  double grad_norm = 0; ///< Frobenius norm of [dL/dz1; dL/dz2]
  /// max over all 2n rows of |cos(dL/dz_i, z_i)| (0 for a zero gradient)
  double grad_cos = 0;
};

/// The loss ("cosine": mean_cosine_loss, "infonce": nt_xent_loss with
/// `temperature`) and its gradient at (scale z1, scale z2) (protocol A).
GradientScalingResult gradient_at_scale(const PointPairs &pairs,
                                        const std::string &loss,
                                        double temperature, double scale);

} // namespace nebench
