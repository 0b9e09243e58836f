#pragma once
// Linear probe: the test accuracy of a multinomial logistic regression
// (softmax) trained on a representation, the standard read-out of
// self-supervised features (t-SimCNE's "linear" column on the backbone
// features H, papers/tsimcne_medical_norms.md sec. 1.5; SimCLR's linear
// accuracy, papers/spectrum_and_cne.md sec. 1.5: "an unpenalised logistic
// regression after standardisation").
//
// Features are standardised with the TRAIN split's mean and standard
// deviation (a constant feature is only centred). The objective is the mean
// cross-entropy over the training points plus (l2 / 2) |W|^2 (the bias is
// not penalised): a small l2 keeps the optimum finite on separable data,
// where the unpenalised problem has none. It is minimised with L-BFGS
// (Nocedal & Wright 2006, Algorithm 7.4; 10 correction pairs, Armijo
// backtracking) from W = 0, b = 0, so the result is deterministic. It is
// native (Eigen) rather than LibTorch so that builds without LibTorch have
// it too.

#include "engine/core/matrix.h"
#include "metrics/knn_accuracy.h"

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace nebench {

struct LinearProbeParams {
  /// L2 weight on W (not on the bias), per the mean loss.
  double l2 = 1e-4;
  /// L-BFGS iterations at most.
  int max_iterations = 500;
  /// Stop when the gradient's max-norm falls below this.
  double gradient_tolerance = 1e-6;
};

/// The training objective at parameters theta = [W (d x K) column-major,
/// then b (K)] on standardised features x (m x d) with classes y in [0, K):
/// mean cross-entropy + (l2 / 2) |W|^2. Writes its gradient to grad (same
/// layout). Exposed for the finite-difference test.
double softmax_objective(const Eigen::VectorXd &theta, const Eigen::MatrixXd &x,
                         const std::vector<int> &y, int classes, double l2,
                         Eigen::VectorXd &grad);

/// Minimises softmax_objective; returns theta.
Eigen::VectorXd fit_softmax(const Eigen::MatrixXd &x, const std::vector<int> &y,
                            int classes, const LinearProbeParams &params);

/// Share of split.test classified correctly by a softmax regression fitted
/// on split.train (x: n x d rows, labels: n). Classes are the label values
/// of the training points; a test point of another class counts as wrong.
/// Throws NebenchError when train or test is empty or sizes disagree.
double linear_probe_accuracy_on_split(const MatrixD &x,
                                      const std::vector<std::int32_t> &labels,
                                      const Split &split,
                                      const LinearProbeParams &params = {});

/// linear_probe_accuracy_on_split on stratified_split(labels, test_fraction,
/// seed), the split knn_accuracy uses for the same arguments.
double linear_probe_accuracy(const MatrixD &x,
                             const std::vector<std::int32_t> &labels,
                             double test_fraction, std::uint64_t seed,
                             const LinearProbeParams &params = {});

} // namespace nebench
