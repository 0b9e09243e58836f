#pragma once
// The rows a model trains on when the norms paper's confidence experiments
// change the class make-up of the training set (Draganov et al., ICML 2025,
// sec. 3.3 of papers/tsimcne_medical_norms.md, protocol E(c, d)): classes
// held out of training entirely, and classes subsampled to an imbalanced
// geometric profile (their unbalanced CIFAR keeps 5000 * 1.5^-c images of
// class c). The model then embeds every row, so the held-out and the rare
// classes can be compared with the others.

#include <cstdint>
#include <vector>

namespace nebench {

struct ClassSubset {
  /// Labels whose rows are left out of training (the "unseen" classes).
  std::vector<std::int32_t> exclude;
  /// Imbalance factor r >= 1: the class of rank c (0 for the smallest
  /// label present, 1 for the next, ...) keeps round(count * r^-c) of its
  /// rows, at least one. 1 = every row (default).
  double decay = 1.0;

  bool active() const { return !exclude.empty() || decay != 1.0; }
};

/// Ascending rows of `labels` that train under `subset`: the rows of
/// excluded classes are dropped, and of every other class a seeded uniform
/// choice (Rng(seed, kClassSubsetStream)) of the number the decay leaves.
/// Throws NebenchError when decay < 1 or is not finite, or when no row is
/// left.
std::vector<std::int64_t>
class_subset_rows(const std::vector<std::int32_t> &labels,
                  const ClassSubset &subset, std::uint64_t seed);

} // namespace nebench
