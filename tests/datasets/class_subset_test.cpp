// Training-set class make-up (datasets/class_subset.h).
#include "datasets/class_subset.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace nebench {
namespace {

std::vector<std::int32_t> balanced(int classes, int per_class) {
  std::vector<std::int32_t> labels;
  for (int i = 0; i < classes * per_class; ++i)
    labels.push_back(i % classes);
  return labels;
}

std::map<std::int32_t, int> counts(const std::vector<std::int32_t> &labels,
                                   const std::vector<std::int64_t> &rows) {
  std::map<std::int32_t, int> c;
  for (const auto r : rows)
    ++c[labels[r]];
  return c;
}

TEST(ClassSubset, ExcludesClasses) {
  const auto labels = balanced(4, 10);
  const auto rows = class_subset_rows(labels, {{1, 3}, 1.0}, 0);
  EXPECT_EQ(rows.size(), 20u);
  for (const auto r : rows)
    EXPECT_TRUE(labels[r] == 0 || labels[r] == 2);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
}

TEST(ClassSubset, DecayKeepsAGeometricProfile) {
  // 100 rows per class, r = 2: 100, 50, 25, 12.5 -> 13 (round half away),
  // 6.25 -> 6, and a floor of one row.
  const auto labels = balanced(8, 100);
  const auto c = counts(labels, class_subset_rows(labels, {{}, 2.0}, 5));
  EXPECT_EQ(c.at(0), 100);
  EXPECT_EQ(c.at(1), 50);
  EXPECT_EQ(c.at(2), 25);
  EXPECT_EQ(c.at(3), 13);
  EXPECT_EQ(c.at(4), 6);
  EXPECT_EQ(c.at(7), 1); // 0.78 rounds to 1
}

TEST(ClassSubset, SeededAndDefaultKeepsEverything) {
  const auto labels = balanced(3, 50);
  EXPECT_EQ(class_subset_rows(labels, {{}, 1.5}, 9),
            class_subset_rows(labels, {{}, 1.5}, 9));
  EXPECT_NE(class_subset_rows(labels, {{}, 1.5}, 9),
            class_subset_rows(labels, {{}, 1.5}, 10));
  EXPECT_EQ(class_subset_rows(labels, {}, 0).size(), labels.size());
}

TEST(ClassSubset, BadSettingsThrow) {
  const auto labels = balanced(2, 5);
  EXPECT_THROW(class_subset_rows(labels, {{}, 0.5}, 0), NebenchError);
  EXPECT_THROW(class_subset_rows(labels, {{0, 1}, 1.0}, 0), NebenchError);
}

} // namespace
} // namespace nebench
