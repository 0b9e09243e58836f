#pragma once
// Repulsion estimators: the policy that separates exact t-SNE, Barnes-Hut
// (van der Maaten 2014) and FFT interpolation (Linderman et al. 2019). The
// methods on the attraction-repulsion spectrum differ in how they estimate
// the repulsive half of the gradient (DESIGN section 1); the optimizer only
// sees this interface.
//
// Convention (kernel w_ij = (1 + |y_i - y_j|^2/alpha)^-alpha, engine/ne/
// kernel.h). compute() returns the normalization
//     Z = sum_{i != j} w_ij
// and writes the UN-normalized repulsive forces
//     forces(i) = sum_{j != i} w_ij^((alpha+1)/alpha) (y_i - y_j)
//               = -1/2 d/dy_i sum_{j != i} w_ij,
// so that the t-SNE loss L = -rho sum p log w + log Z has the gradient
//     dL/dy_i = 4 (rho * attraction(i) - forces(i) / Z)
// (attraction in engine/ne/attraction.h). Like openTSNE we drop the 4.

#include "engine/core/matrix.h"

#include <string>

namespace nebench {

class RepulsionEstimator {
public:
  virtual ~RepulsionEstimator() = default;
  /// Short name for traces and errors ("exact", "bh", "fft").
  virtual std::string name() const = 0;
  /// Fills `forces` (resized to Y's shape) as documented above and returns
  /// Z. Deterministic: the same Y gives bitwise the same result whatever the
  /// number of threads.
  virtual double compute(const MatrixD &Y, MatrixD &forces) = 0;
};

} // namespace nebench
