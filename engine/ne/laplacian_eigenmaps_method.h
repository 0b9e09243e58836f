#pragma once
// Laplacian eigenmaps as a Method (spec type "laplacian_eigenmaps"): the
// generalized eigenvectors of engine/ne/laplacian_eigenmaps.h on the binary
// symmetric kNN graph (k = 15), the rho -> infinity end of the spectrum
// (Boehm et al. 2022; sec. 2.2 of our notes).

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

#include <string>

namespace nebench {

struct LaplacianEigenmapsParams {
  /// Neighbours per point of the binary symmetric kNN graph (15 in the
  /// spectrum paper).
  int k = 15;
  /// "knn" (the binary symmetric kNN graph at k) or "graph" (the problem's
  /// input graph; engine/ne/input_graph.h).
  std::string input = "knn";
  /// Embedding dimension: eigenvectors 2 .. dim + 1.
  int dim = 2;
  /// Lanczos tolerance on the Ritz residuals
  /// (LaplacianEigenmapsOptions::tolerance); the paper's LOBPCG used 1e-5.
  double tolerance = 1e-10;
  /// Maximum number of Lanczos restarts per attempt (before and after the
  /// shift-invert fallback of engine/ne/laplacian_eigenmaps.h).
  int max_restarts = 1000;

  /// Parses {"type": "laplacian_eigenmaps", "k", "dim", "tolerance",
  /// "max_restarts"} strictly (SpecError naming the JSON path).
  static LaplacianEigenmapsParams from_spec(const SpecNode &method_node);
};

class LaplacianEigenmapsMethod : public Method {
public:
  explicit LaplacianEigenmapsMethod(LaplacianEigenmapsParams params);
  std::string type() const override { return "laplacian_eigenmaps"; }
  bool needs_input_graph() const override { return params_.input == "graph"; }
  int neighbors_needed() const override {
    return params_.input == "graph" ? 0 : params_.k;
  }
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding n x dim (D-normalized eigenvectors); affinities: the binary
  /// kNN graph (values 1); trace: one row per component with columns
  /// component (1-based), eigenvalue (lambda of L v = lambda D v), residual
  /// (|N u - mu u|), restarts, matvecs, shift_invert (0/1), seconds. Throws
  /// NumericalError on a disconnected graph.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const LaplacianEigenmapsParams &params() const { return params_; }

private:
  LaplacianEigenmapsParams params_;
};

} // namespace nebench
