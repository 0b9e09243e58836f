#pragma once
// UMAP's low-dimensional similarity phi(d) = 1 / (1 + a d^{2b}) (McInnes et
// al. 2018, sec. 3.2 and Appendix C): a and b are fitted by least squares to
// the "offset exponential" target
//   psi(x) = 1 for x < min_dist,  exp(-(x - min_dist) / spread) otherwise,
// on 300 equally spaced points of [0, 3 spread] (umap-learn's find_ab_params,
// which calls scipy's curve_fit, i.e. Levenberg-Marquardt from a = b = 1).
// Known values: min_dist 0.1, spread 1 -> a = 1.577, b = 0.895 (umap-learn's
// defaults); min_dist 0.001 -> a = 1.929, b = 0.792 (uwot's table).

namespace nebench {

struct UmapCurve {
  double a = 1.0; ///< scale of d^{2b}
  double b = 1.0; ///< exponent; a = b = 1 is the Cauchy kernel of t-SNE
};

/// Least-squares fit of a and b (Levenberg-Marquardt, 2 parameters, started
/// at a = b = 1 as curve_fit). Throws NebenchError unless spread > 0 and
/// 0 <= min_dist, or when the fit does not converge.
UmapCurve fit_umap_curve(double min_dist, double spread);

} // namespace nebench
