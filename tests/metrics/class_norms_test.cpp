// Class norms against training make-up (metrics/class_norms.h), by hand.
#include "metrics/class_norms.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

/// Row i is (norms[i], 0).
MatrixD on_axis(const std::vector<double> &norms) {
  MatrixD z(static_cast<std::int64_t>(norms.size()), 2);
  for (std::size_t i = 0; i < norms.size(); ++i)
    z(static_cast<std::int64_t>(i), 0) = norms[i];
  return z;
}

TEST(ClassNorms, UnseenRatioIsMeanUnseenOverMeanSeen) {
  // Classes 0 and 1 trained (rows 0-3), class 2 held out (rows 4-5).
  const MatrixD z = on_axis({2, 4, 3, 3, 1, 2});
  const std::vector<std::int32_t> labels = {0, 0, 1, 1, 2, 2};
  const ClassNorms c = class_norms(z, labels, {0, 1, 2, 3});
  ASSERT_TRUE(c.unseen_ratio.has_value());
  EXPECT_DOUBLE_EQ(*c.unseen_ratio, 1.5 / 3.0);
  EXPECT_FALSE(c.count_spearman.has_value()); // two trained classes
}

TEST(ClassNorms, CountSpearmanRanksClassesByTrainingRows) {
  // Training counts 3, 2, 1 for classes 0, 1, 2; class means 5, 4, 6 over
  // all their rows: ranks (3, 2, 1) vs (2, 1, 3) give rho = -0.5.
  const MatrixD z = on_axis({5, 5, 5, 4, 4, 4, 6, 6, 6});
  const std::vector<std::int32_t> labels = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const ClassNorms c = class_norms(z, labels, {0, 1, 2, 3, 4, 6});
  ASSERT_TRUE(c.count_spearman.has_value());
  EXPECT_NEAR(*c.count_spearman, -0.5, 1e-12);
  EXPECT_FALSE(c.unseen_ratio.has_value());
  // Means rising with the counts: rho = 1.
  const ClassNorms up = class_norms(on_axis({6, 6, 6, 5, 5, 5, 4, 4, 4}),
                                    labels, {0, 1, 2, 3, 4, 6});
  EXPECT_NEAR(*up.count_spearman, 1.0, 1e-12);
  // Equal counts: no correlation is defined.
  EXPECT_FALSE(class_norms(z, labels, {0, 3, 6}).count_spearman.has_value());
}

TEST(ClassNorms, BadInputThrows) {
  EXPECT_THROW(class_norms(on_axis({1, 2}), {0}, {0}), NebenchError);
  EXPECT_THROW(class_norms(on_axis({1, 2}), {0, 1}, {2}), NebenchError);
}

} // namespace
} // namespace nebench
