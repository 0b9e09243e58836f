// The memory guard (engine/run/memory_guard.h): estimates against
// hand-computed sizes, and the refusal of exact t-SNE at n = 70,000 (a dense
// n x n affinity matrix) and of an all-pairs metric, naming the file, the
// JSON path and the estimate. The machine size is passed in, so the
// verdicts do not depend on where the test runs.

#include "engine/core/errors.h"
#include "engine/run/memory_guard.h"
#include "engine/run/plan.h"
#include "engine/spec/spec.h"
#include "tests/run/spec_run_fixture.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

constexpr double kGB = 1e9;

class MemoryGuard : public SpecRunTest {
protected:
  /// A spec with one run and `metrics` on a 10-D Gaussian mixture.
  Plan plan_of(const nlohmann::json &method, const nlohmann::json &metrics) {
    const nlohmann::json spec = {
        {"id", "test/memory_guard"},
        {"paper", "spectrum"},
        {"title", "memory guard"},
        {"dataset",
         {{"name", "gaussian-mixture"},
          {"options", {{"n_clusters", 10}, {"n_per_cluster", 7000}}}}},
        {"runs", {{{"name", "r"}, {"method", method}}}},
        {"seeds", {0}},
        {"metrics", metrics}};
    return make_plan(load_spec(write(spec, "s"), "full"));
  }

  static std::string refusal(const Plan &plan, std::int64_t n, double bytes) {
    try {
      check_memory(plan, n, 10, bytes);
    } catch (const SpecError &e) {
      return e.what();
    }
    return "(accepted)";
  }

  const nlohmann::json knn_recall_ = {{{"type", "knn_recall"}, {"k", 15}}};
};

TEST_F(MemoryGuard, PairwiseMetricsCountTheirPairs) {
  MetricSpec dcor;
  dcor.type = "distance_correlation";
  dcor.points = 1000;
  // min(1000, 500) = 500 rows: 124,750 pairs, two float distances each.
  EXPECT_DOUBLE_EQ(estimated_metric_bytes(dcor, 500), 8.0 * 124750);
  EXPECT_DOUBLE_EQ(estimated_metric_bytes(dcor, 5000), 8.0 * 499500);
  MetricSpec spearman;
  spearman.type = "spearman";
  spearman.points = 10;
  EXPECT_DOUBLE_EQ(estimated_metric_bytes(spearman, 100), 24.0 * 45);
  MetricSpec recall;
  recall.type = "knn_recall";
  EXPECT_EQ(estimated_metric_bytes(recall, 70000), 0.0);
}

TEST_F(MemoryGuard, ExactTsneAt70000PointsIsRefusedWithTheEstimate) {
  // Affinities over all n - 1 neighbours: P is a dense n x n matrix.
  const Plan exact =
      plan_of({{"type", "tsne"},
               {"repulsion", "exact"},
               {"affinity",
                {{"type", "perplexity"}, {"perplexity", 30}, {"k", 69999}}}},
              knn_recall_);
  const std::string why = refusal(exact, 70000, 128 * kGB);
  EXPECT_NE(why.find("s.json: runs[0].method: run r@seed=0 needs about "),
            std::string::npos)
      << why;
  // 48 n k (affinities) + 12 n k (kNN graph) at k = n - 1: 294 GB.
  EXPECT_NE(why.find("294.0 GB at n = 70000"), std::string::npos) << why;
  EXPECT_NE(why.find("this machine has 128.0 GB"), std::string::npos) << why;
  // The same run on 2,000 points fits.
  EXPECT_EQ(refusal(exact, 2000, 128 * kGB), "(accepted)");
  // The usual sparse t-SNE (k = 90) at 70,000 points fits in 4 GB.
  const Plan sparse = plan_of(
      {{"type", "tsne"}, {"affinity", {{"type", "perplexity"}}}}, knn_recall_);
  EXPECT_EQ(refusal(sparse, 70000, 4 * kGB), "(accepted)");
}

TEST_F(MemoryGuard, AllPairsMetricIsRefusedNamingItsJsonPath) {
  const nlohmann::json metrics = {
      {{"type", "knn_recall"}, {"k", 15}},
      {{"type", "distance_correlation"}, {"points", 70000}}};
  const Plan plan = plan_of({{"type", "laplacian_eigenmaps"}}, metrics);
  const std::string why = refusal(plan, 70000, 16 * kGB);
  EXPECT_NE(why.find("s.json: metrics[1]: metric distance_correlation needs "
                     "about 19.7 GB at n = 70000"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("lower metrics[1].points"), std::string::npos) << why;
  EXPECT_EQ(refusal(plan, 70000, 64 * kGB), "(accepted)");
}

} // namespace
} // namespace nebench
