#pragma once
// kNN classification accuracy of an embedding on a held-out split: the
// class-separation metric of CLAIMS.md (t-SimCNE, medical, norms, graph
// papers; CNE uses it for SimCLR, papers/spectrum_and_cne.md section 1.5,
// there with sklearn's stratified train_test_split).

#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// Point indices of a train/test split, each sorted ascending.
struct Split {
  std::vector<std::int64_t> train; ///< points the classifier may look up
  std::vector<std::int64_t> test;  ///< points that are classified
};

/// Seeded stratified split. Classes are visited in ascending label order
/// with one Rng(seed); each class's points (ascending) are shuffled and the
/// first round(test_fraction * count) go to test (round half away from zero),
/// capped at count - 1 so that every class keeps at least one training point
/// (a class with a single point is always in train). Every label value,
/// negative ones included, is a class. Throws NebenchError unless
/// 0 < test_fraction < 1.
Split stratified_split(const std::vector<std::int32_t> &labels,
                       double test_fraction, std::uint64_t seed);

/// Predicted label of every point in `split.test` (same order) by majority
/// vote among its min(k, |train|) nearest training points (exact Euclidean
/// kNN, neighbours ordered by distance then index). A tie between classes
/// goes to the tied class whose first vote comes earliest in that order,
/// i.e. the class of the nearest tied neighbour.
std::vector<std::int32_t> knn_predict(const MatrixD &y,
                                      const std::vector<std::int32_t> &labels,
                                      const Split &split, int k);

/// Share of `split.test` whose knn_predict label equals the true label.
/// Throws NebenchError when train or test is empty.
double knn_accuracy_on_split(const MatrixD &y,
                             const std::vector<std::int32_t> &labels,
                             const Split &split, int k);

/// knn_accuracy_on_split on stratified_split(labels, test_fraction, seed).
double knn_accuracy(const MatrixD &y, const std::vector<std::int32_t> &labels,
                    int k, double test_fraction, std::uint64_t seed);

} // namespace nebench
