#pragma once
// The norms paper's simulations as a Method (spec type "simulation";
// engine/ne/norm_simulations.h; Draganov et al., ICML 2025, sec. 3.2 of
// papers/tsimcne_medical_norms.md, protocols A-C of its sec. 4). The run
// makes its own points from the run seed and ignores the spec's dataset
// (a spec still names one, a tiny generator; see experiments/norms/
// simulations.json). "kind":
//   steps_vs_norm     S1: n random pairs at norm r, gradient descent on
//                     -mean cos until mean cos >= 1 - tol; trace step,
//                     mean_cos, norm_mean, norm_drop, start_angle, steps.
//   steps_vs_angle    S2: the same from unit pairs at `angle` radians.
//   gradient_scaling  N1: ||dL/dz|| and max_i |cos(dL/dz_i, z_i)| of the
//                     cosine or NT-Xent loss at scale * z; trace one row of
//                     scale, loss, grad_norm, grad_cos, grad_norm_x_scale.
// Embedding: the final z1 (n x d) of S1/S2, scale * z1 of N1.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"
#include "engine/ne/norm_simulations.h"

#include <cstdint>
#include <string>

namespace nebench {

struct NormSimulationParams {
  /// steps_vs_norm | steps_vs_angle | gradient_scaling
  std::string kind;
  /// Pairs (notebook: 500).
  std::int64_t n = 500;
  /// Dimension (notebook: 20).
  std::int64_t d = 20;
  /// steps_vs_norm: the norm of every starting point (S1 sweeps 0.25..10).
  double r = 1.0;
  /// steps_vs_angle: starting angle of every pair, radians in (0, pi).
  double angle = M_PI / 2;
  /// S1/S2: learning rate, tol, max_steps, log_every (notebook: lr 10, tol
  /// 1e-3).
  PairDescentParams descent;
  /// gradient_scaling: "cosine" (-mean pair cosine) or "infonce" (SimCLR's
  /// NT-Xent).
  std::string loss = "cosine";
  /// gradient_scaling, infonce: temperature (SimCLR: 0.5).
  double temperature = 0.5;
  /// gradient_scaling: the factor s applied to all points (protocol A: 1,
  /// 2, 10).
  double scale = 1.0;
  /// gradient_scaling: z2 = z1 + noise * N(0, I), z1 ~ N(0, I).
  double noise = 0.5;

  /// Parses {"type": "simulation", "kind", "n", "d", and per kind:
  /// steps_vs_norm: "r", "learning_rate", "tol", "max_steps", "log_every";
  /// steps_vs_angle: "angle" (required) and the same four; gradient_scaling:
  /// "loss", "temperature" (infonce only), "scale", "noise"} strictly: a key
  /// of another kind is an unknown key (SpecError naming the JSON path).
  static NormSimulationParams from_spec(const SpecNode &method_node);
};

class NormSimulationMethod : public Method {
public:
  explicit NormSimulationMethod(NormSimulationParams params);
  std::string type() const override { return "simulation"; }
  int neighbors_needed() const override { return 0; }
  double estimated_bytes(std::int64_t n) const override;
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const NormSimulationParams &params() const { return params_; }

private:
  NormSimulationParams params_;
};

} // namespace nebench
