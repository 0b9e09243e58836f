#pragma once
// Exact O(n^2) repulsion: the reference every approximation is tested
// against, and the default for small n. Any embedding dimension.

#include "engine/ne/repulsion.h"

#include <vector>

namespace nebench {

class ExactRepulsion : public RepulsionEstimator {
public:
  /// dof: kernel degree of freedom alpha > 0 (engine/ne/kernel.h).
  explicit ExactRepulsion(double dof = 1.0);
  std::string name() const override { return "exact"; }
  double compute(const MatrixD &Y, MatrixD &forces) override;

private:
  double dof_;
  std::vector<double> row_z_; ///< per-point partial sums of Z
};

} // namespace nebench
