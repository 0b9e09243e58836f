// ROC AUC (metrics/roc_auc.h) on hand-computed cases.
#include "metrics/roc_auc.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

TEST(RocAuc, PerfectReversedAndTies) {
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}),
                   1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {true, true, false, false}),
                   0.0);
  // All scores tied: every positive-negative pair counts 1/2.
  EXPECT_DOUBLE_EQ(roc_auc({3, 3, 3}, {true, false, false}), 0.5);
}

TEST(RocAuc, HandCounted) {
  // Positives 0.4, 0.7; negatives 0.1, 0.5, 0.7. Pairs won: 0.4 beats 0.1
  // (1); 0.7 beats 0.1 and 0.5 and ties 0.7 (2.5). 3.5 of 6.
  EXPECT_DOUBLE_EQ(
      roc_auc({0.4, 0.1, 0.7, 0.5, 0.7}, {true, false, true, false, false}),
      3.5 / 6.0);
}

TEST(RocAuc, OneClassIsNanAndBadInputThrows) {
  EXPECT_TRUE(std::isnan(roc_auc({1, 2}, {true, true})));
  EXPECT_THROW(roc_auc({1, 2}, {true}), NebenchError);
  EXPECT_THROW(roc_auc({1, NAN}, {true, false}), NebenchError);
}

} // namespace
} // namespace nebench
