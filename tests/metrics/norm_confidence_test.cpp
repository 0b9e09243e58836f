// Norm as confidence (metrics/norm_confidence.h): bins, AUROC and the bin
// Spearman on constructed embeddings whose kNN errors sit at known norms.
#include "metrics/norm_confidence.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/knn_accuracy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace nebench {
namespace {

/// Two classes on opposite directions (+x and -x), each row turned by a
/// seeded random angle in [-0.3, 0.3] rad. Row i has norm 1 + i / n. The
/// `wrong` rows point the other class's way, where most rows are of the
/// other class, so cosine kNN misclassifies them (and only them).
struct Toy {
  MatrixD z;
  std::vector<std::int32_t> labels;
};

Toy toy(std::int64_t n, const std::function<bool(std::int64_t)> &wrong) {
  Toy t{MatrixD(n, 2), std::vector<std::int32_t>(n)};
  Rng rng(42);
  for (std::int64_t i = 0; i < n; ++i) {
    t.labels[i] = static_cast<std::int32_t>(i % 2);
    const double side = (t.labels[i] == 0) != wrong(i) ? 1.0 : -1.0;
    const double norm = 1.0 + static_cast<double>(i) / n;
    const double angle = 0.6 * rng.uniform() - 0.3;
    t.z(i, 0) = side * norm * std::cos(angle);
    t.z(i, 1) = norm * std::sin(angle);
  }
  return t;
}

/// The held-out rows' norms and whether cosine kNN (fitted on the train
/// part) gets them right, computed directly: the reference the metric's
/// AUROC and bins are checked against.
struct Reference {
  std::vector<double> norms;
  std::vector<bool> correct;
};

Reference reference(const Toy &t, std::uint64_t seed) {
  const Split split = stratified_split(t.labels, 0.2, seed);
  MatrixD unit = t.z;
  for (std::int64_t i = 0; i < unit.rows; ++i) {
    const double norm = std::hypot(t.z(i, 0), t.z(i, 1));
    unit(i, 0) /= norm;
    unit(i, 1) /= norm;
  }
  const auto predicted = knn_predict(unit, t.labels, split, 15);
  Reference r;
  for (std::size_t j = 0; j < split.test.size(); ++j) {
    const std::int64_t i = split.test[j];
    r.norms.push_back(std::hypot(t.z(i, 0), t.z(i, 1)));
    r.correct.push_back(predicted[j] == t.labels[i]);
  }
  return r;
}

TEST(NormConfidence, AurocCountsPairsAndBinsFollowTheRescaledNorm) {
  const std::int64_t n = 2000;
  const Toy t = toy(n, [n](std::int64_t i) { return i < n / 5; });
  const NormConfidence c = norm_confidence(t.z, t.labels, {}, 7);
  const Reference ref = reference(t, 7);
  // AUROC: the share of (correct, wrong) pairs where the correct row has
  // the larger norm.
  double won = 0, pairs = 0;
  for (std::size_t a = 0; a < ref.norms.size(); ++a)
    for (std::size_t b = 0; b < ref.norms.size(); ++b)
      if (ref.correct[a] && !ref.correct[b]) {
        won += ref.norms[a] > ref.norms[b]    ? 1.0
               : ref.norms[a] == ref.norms[b] ? 0.5
                                              : 0.0;
        pairs += 1;
      }
  EXPECT_NEAR(c.auroc, won / pairs, 1e-12);
  EXPECT_GT(c.auroc, 0.9); // the errors sit at the small norms
  // Bins: (norm - min) / (max - min) in 20 equal parts.
  const auto [lo, hi] = std::minmax_element(ref.norms.begin(), ref.norms.end());
  std::vector<double> hits(20, 0), count(20, 0);
  for (std::size_t a = 0; a < ref.norms.size(); ++a) {
    const int b =
        std::min(19, static_cast<int>((ref.norms[a] - *lo) / (*hi - *lo) * 20));
    count[b] += 1;
    hits[b] += ref.correct[a] ? 1 : 0;
  }
  ASSERT_EQ(c.bin_accuracy.size(), 20u);
  for (int b = 0; b < 20; ++b) {
    EXPECT_EQ(c.bin_count[b], count[b]) << "bin " << b;
    if (count[b] >= 10)
      EXPECT_DOUBLE_EQ(c.bin_accuracy[b], hits[b] / count[b]) << "bin " << b;
    else
      EXPECT_TRUE(std::isnan(c.bin_accuracy[b])) << "bin " << b;
  }
  EXPECT_EQ(ref.norms.size(), 400u); // the 20% held out
  EXPECT_GT(c.bin_spearman, 0.3);
}

TEST(NormConfidence, ErrorsAtLargeNormsReverseTheSigns) {
  const std::int64_t n = 2000;
  const Toy t = toy(n, [n](std::int64_t i) { return i >= 4 * n / 5; });
  const NormConfidence c = norm_confidence(t.z, t.labels, {}, 7);
  EXPECT_LT(c.auroc, 0.1);
  EXPECT_LT(c.bin_spearman, -0.3);
}

TEST(NormConfidence, SparseBinsAreDroppedAndBadInputThrows) {
  const Toy t = toy(100, [](std::int64_t) { return false; });
  NormConfidenceParams p;
  p.min_bin = 10; // 20 held-out rows over 20 bins: no bin has 10
  const NormConfidence c = norm_confidence(t.z, t.labels, p, 1);
  EXPECT_EQ(c.bins_used, 0);
  EXPECT_TRUE(std::isnan(c.bin_spearman));
  EXPECT_TRUE(std::isnan(c.auroc)); // every prediction is correct
  EXPECT_THROW(norm_confidence(t.z, {0, 1}, p, 1), NebenchError);
  p.bins = 0;
  EXPECT_THROW(norm_confidence(t.z, t.labels, p, 1), NebenchError);
}

} // namespace
} // namespace nebench
