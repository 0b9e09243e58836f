#include "metrics/norm_stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

TEST(NormStats, HandComputed) {
  // Norms 5, 0, 10, 1 -> sorted 0, 1, 5, 10; quantiles interpolate linearly
  // at position q * 3 (numpy's default).
  MatrixD y(4, 2);
  y.data = {3, 4, 0, 0, 6, 8, 0, -1};
  const NormStats s = norm_stats(y);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(62.0 / 4.0)); // population sd
  EXPECT_DOUBLE_EQ(s.min, 0.0);
  EXPECT_DOUBLE_EQ(s.max, 10.0);
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.q25, 0.75);
  EXPECT_DOUBLE_EQ(s.q75, 6.25);
  EXPECT_NEAR(s.q05, 0.15, 1e-12);
  EXPECT_NEAR(s.q95, 9.25, 1e-12);
}

} // namespace
} // namespace nebench
