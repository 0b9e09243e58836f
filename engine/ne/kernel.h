#pragma once
// The similarity kernel of t-SNE-like methods, w(d^2) = (1 + d^2/alpha)^-alpha
// (Kobak et al. 2019, "Heavy-tailed kernels reveal a finer cluster
// structure"; alpha = dof = 1 is t-SNE's Cauchy kernel). Both attraction and
// repulsion are written with the factors below (openTSNE's _tsne.pyx):
//   d w_ij / d y_i          = -2 * w_ij * base_ij * (y_i - y_j)
//   d(-log w_ij) / d y_i     =  2 * base_ij * (y_i - y_j)
// with base = (1 + d^2/alpha)^-1, so w * base = w^((alpha+1)/alpha).
// Hot loops are templated on the kernel so that alpha = 1 avoids pow().

#include <cmath>

namespace nebench {

/// alpha = 1: w = 1 / (1 + d^2).
struct CauchyKernel {
  double weight(double d2) const { return 1.0 / (1.0 + d2); }
  /// base = (1 + d^2)^-1, the attraction factor.
  double attraction(double d2) const { return 1.0 / (1.0 + d2); }
  /// Returns the repulsion factor w^2 and stores w.
  double repulsion(double d2, double &w) const {
    w = 1.0 / (1.0 + d2);
    return w * w;
  }
  /// log w, for the loss.
  double log_weight(double d2) const { return -std::log1p(d2); }
};

/// General degree of freedom alpha > 0: w = (1 + d^2/alpha)^-alpha.
struct HeavyTailedKernel {
  double alpha = 1.0;
  double weight(double d2) const { return std::pow(1.0 + d2 / alpha, -alpha); }
  double attraction(double d2) const { return 1.0 / (1.0 + d2 / alpha); }
  double repulsion(double d2, double &w) const {
    const double base = 1.0 / (1.0 + d2 / alpha);
    w = std::pow(base, alpha);
    return w * base;
  }
  double log_weight(double d2) const { return -alpha * std::log1p(d2 / alpha); }
};

/// Calls f(kernel) with the fastest kernel type for this dof.
template <class F> decltype(auto) with_kernel(double dof, F &&f) {
  if (dof == 1.0)
    return f(CauchyKernel{});
  return f(HeavyTailedKernel{dof});
}

} // namespace nebench
