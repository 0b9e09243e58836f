#pragma once
// UMAP's per-sample gradients (McInnes et al. 2018, sec. 3.2 / Appendix C;
// umap-learn's layouts.py optimize_layout_euclidean), the gradient policy of
// EdgeSamplingSgd (engine/ne/edge_sampling_sgd.h).
//
// With phi(d) = 1 / (1 + a d^{2b}) and d2 = |y_i - y_j|^2, the cross-entropy
// terms of one positive edge and one negative sample are
//   attraction  L+ = -log phi(d_ij)          = log(1 + a d2^b)
//   repulsion   L- = -gamma log(1 - phi(d_ik)) = gamma [log(1 + a d2^b)
//                                                  - log(a d2^b)]
// and their negative gradients with respect to the head y_i are
//   -dL+/dy_i = -2ab d2^{b-1} / (1 + a d2^b) (y_i - y_j)
//   -dL-/dy_i = 2 gamma b / (d2 (1 + a d2^b)) (y_i - y_k),
// where umap-learn replaces d2 by (eps + d2), eps = 0.001, in the repulsive
// denominator so that coincident points do not receive infinite steps.
//
// The policy concept (what EdgeSamplingSgd calls; NEG/NCE policies of the
// CNE paper, Damrich et al. 2023 sec. 1.2, are other models of it):
//   T attraction(T d2) const   coefficient c+: the head moves by
//                              clip(c+ (y_i - y_j)) per coordinate; d2 > 0
//   T repulsion(T d2) const    coefficient c- >= 0: the head moves by
//                              clip(c- (y_i - y_k)); d2 > 0
//   double clip_value() const  per-coordinate clip (umap-learn: 4)
//   double attraction_loss(double d2), repulsion_loss(double d2) const
//                              L+ and L- above, for the trace

#include <algorithm>
#include <cmath>

namespace nebench {

struct UmapGradientParams {
  double a = 1.577;   ///< curve scale (engine/ne/umap_curve.h)
  double b = 0.895;   ///< curve exponent
  double gamma = 1.0; ///< repulsion_strength: weight of negative samples
  double eps = 0.001; ///< added to d2 in the repulsive denominator
  double clip = 4.0;  ///< per-coordinate gradient clip (umap-learn: 4)
};

/// kUnitB = true is the b = 1 specialization (a = b = 1 is the spectrum
/// paper's reference UMAP, Boehm et al. 2022 sec. 2.2): no pow() call.
/// The caller picks it only when params.b == 1 exactly.
template <bool kUnitB> struct UmapGradient {
  UmapGradientParams params;

  explicit UmapGradient(const UmapGradientParams &p) : params(p) {}

  /// d2^b.
  template <class T> T pow_b(T d2) const {
    if constexpr (kUnitB)
      return d2;
    else
      return std::pow(d2, static_cast<T>(params.b));
  }

  /// -2ab d2^{b-1} / (1 + a d2^b), written with one power as d2^b / d2.
  template <class T> T attraction(T d2) const {
    const T a = static_cast<T>(params.a), b = static_cast<T>(params.b);
    const T p = pow_b(d2);
    return T(-2) * a * b * p / (d2 * (a * p + T(1)));
  }

  /// 2 gamma b / ((eps + d2) (1 + a d2^b)).
  template <class T> T repulsion(T d2) const {
    const T a = static_cast<T>(params.a);
    return static_cast<T>(2.0 * params.gamma * params.b) /
           ((static_cast<T>(params.eps) + d2) * (a * pow_b(d2) + T(1)));
  }

  double clip_value() const { return params.clip; }

  double attraction_loss(double d2) const {
    return std::log1p(params.a * pow_b(d2));
  }

  /// gamma (log(1 + a d2^b) - log(a d2^b)), with 1 - phi clamped at 1e-4
  /// (the cne package's clamp) so that coincident points give a finite value.
  double repulsion_loss(double d2) const {
    const double ad = params.a * pow_b(d2);
    const double one_minus_phi = std::max(ad / (1.0 + ad), 1e-4);
    return -params.gamma * std::log(one_minus_phi);
  }
};

} // namespace nebench
