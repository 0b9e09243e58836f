#include "metrics/cross_run_metrics.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/distance_correlation.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {
    {"tsne", {"rho"}}, {"le", {}}, {"umap", {}}};

MetricSpec parse(const std::string &text) {
  const json j = json::parse(text);
  return MetricSpec::from_spec(SpecNode(j, "spec.json", "metrics[0]"), kRuns);
}

Matrix random_embedding(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  Matrix y(n, 2);
  for (auto &v : y.data)
    v = static_cast<float>(rng.normal());
  return y;
}

SummaryRow row(const std::string &id, const std::string &name,
               std::uint64_t seed, const std::string &status = "ok") {
  SummaryRow r;
  r.run_id = id;
  r.run_name = name;
  r.seed = seed;
  r.status = status;
  r.metrics["knn_recall@15"] = 0.5;
  return r;
}

/// Embeddings by run id, counting reads.
struct Store {
  std::map<std::string, Matrix> embeddings;
  std::map<std::string, int> reads;
  EmbeddingSource source() {
    return [this](const std::string &id) {
      ++reads[id];
      return embeddings.at(id);
    };
  }
};

const std::vector<MetricSpec> kSpecs = {
    parse(R"({"type": "knn_recall"})"),
    parse(R"({"type": "distance_correlation_to_run", "run": "le",
              "points": 40})")};

TEST(CrossRunMetrics, EqualsDistanceCorrelationWithTheSameSeedsReference) {
  Store store;
  const char *ids[] = {"tsne@rho=1,seed=0", "tsne@rho=4,seed=0",
                       "tsne@rho=1,seed=1", "le@seed=0", "le@seed=1"};
  for (std::size_t i = 0; i < 5; ++i)
    store.embeddings[ids[i]] = random_embedding(60, 10 + i);
  std::vector<SummaryRow> rows = {
      row(ids[0], "tsne", 0), row(ids[1], "tsne", 0), row(ids[2], "tsne", 1),
      row(ids[3], "le", 0), row(ids[4], "le", 1)};

  const CrossRunResult r =
      compute_cross_run_metrics(kSpecs, rows, store.source());
  EXPECT_TRUE(r.warnings.empty());
  const auto &e = store.embeddings;
  // Sample of 40 of the 60 points drawn with the compared run's seed.
  const double v0 = distance_correlation(e.at(ids[0]), e.at(ids[3]), 40, 0);
  const double v1 = distance_correlation(e.at(ids[1]), e.at(ids[3]), 40, 0);
  const double v2 = distance_correlation(e.at(ids[2]), e.at(ids[4]), 40, 1);
  EXPECT_EQ(rows[0].metrics.at("dcor_to_le"), v0);
  EXPECT_EQ(rows[1].metrics.at("dcor_to_le"), v1);
  EXPECT_EQ(rows[2].metrics.at("dcor_to_le"), v2);
  // Seed 1 pairs with le@seed=1, not le@seed=0.
  EXPECT_NE(v2, distance_correlation(e.at(ids[2]), e.at(ids[3]), 40, 1));
  // Not computed for the reference run itself.
  EXPECT_EQ(rows[3].metrics.count("dcor_to_le"), 0u);
  EXPECT_EQ(rows[4].metrics.count("dcor_to_le"), 0u);
  // What the runner persists: exactly the new values.
  ASSERT_EQ(r.added.size(), 3u);
  EXPECT_EQ(r.added.at(ids[0]),
            (std::map<std::string, double>{{"dcor_to_le", v0}}));
  EXPECT_EQ(r.added.at(ids[2]).at("dcor_to_le"), v2);
  // Each embedding is read once (le@seed=0 serves two rows).
  for (const char *id : ids)
    EXPECT_EQ(store.reads[id], 1) << id;
}

TEST(CrossRunMetrics, ASimilarityTransformOfTheReferenceGivesOne) {
  // Distances scale uniformly under y -> 3 R y + t, so the U-centred
  // distance matrices are proportional and dCor is exactly 1.
  Store store;
  const Matrix y = random_embedding(50, 3);
  Matrix z(50, 2);
  for (std::int64_t i = 0; i < 50; ++i) {
    z(i, 0) = 3 * (0.6f * y(i, 0) - 0.8f * y(i, 1)) + 7;
    z(i, 1) = 3 * (0.8f * y(i, 0) + 0.6f * y(i, 1)) - 2;
  }
  store.embeddings = {{"tsne@rho=1,seed=0", y}, {"le@seed=0", z}};
  std::vector<SummaryRow> rows = {row("tsne@rho=1,seed=0", "tsne", 0),
                                  row("le@seed=0", "le", 0)};
  compute_cross_run_metrics(kSpecs, rows, store.source());
  EXPECT_NEAR(rows[0].metrics.at("dcor_to_le"), 1.0, 1e-6);
}

TEST(CrossRunMetrics, ResumedValuesAreKeptAndNotRecomputed) {
  Store store;
  store.embeddings = {{"tsne@rho=1,seed=0", random_embedding(30, 1)},
                      {"tsne@rho=4,seed=0", random_embedding(30, 2)},
                      {"le@seed=0", random_embedding(30, 3)}};
  std::vector<SummaryRow> rows = {row("tsne@rho=1,seed=0", "tsne", 0),
                                  row("tsne@rho=4,seed=0", "tsne", 0),
                                  row("le@seed=0", "le", 0)};
  rows[0].metrics["dcor_to_le"] = 0.123; // stored by an earlier invocation
  const auto r = compute_cross_run_metrics(kSpecs, rows, store.source());
  EXPECT_EQ(rows[0].metrics.at("dcor_to_le"), 0.123);
  EXPECT_EQ(store.reads.count("tsne@rho=1,seed=0"), 0u);
  EXPECT_EQ(r.added.count("tsne@rho=1,seed=0"), 0u);
  EXPECT_EQ(r.added.count("tsne@rho=4,seed=0"), 1u);
  // A second pass has nothing left to do.
  const auto again = compute_cross_run_metrics(kSpecs, rows, store.source());
  EXPECT_TRUE(again.added.empty());
  EXPECT_TRUE(again.warnings.empty());
}

TEST(CrossRunMetrics,
     FailedOrMissingReferenceLeavesTheValueAbsentWithAWarning) {
  Store store;
  store.embeddings = {{"tsne@rho=1,seed=0", random_embedding(30, 1)},
                      {"tsne@rho=4,seed=0", random_embedding(30, 2)},
                      {"tsne@rho=1,seed=1", random_embedding(30, 3)}};
  std::vector<SummaryRow> rows = {
      row("tsne@rho=1,seed=0", "tsne", 0), row("tsne@rho=4,seed=0", "tsne", 0),
      row("tsne@rho=1,seed=1", "tsne", 1), row("le@seed=0", "le", 0, "failed"),
      row("tsne@rho=8,seed=0", "tsne", 0, "failed")};
  rows[3].error = "eigensolver did not converge";
  const auto r = compute_cross_run_metrics(kSpecs, rows, store.source());
  for (const auto &row : rows)
    EXPECT_EQ(row.metrics.count("dcor_to_le"), 0u) << row.run_id;
  EXPECT_TRUE(r.added.empty());
  EXPECT_TRUE(store.reads.empty());
  // One warning per (metric, seed); the failed t-SNE run is not counted.
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0],
            "dcor_to_le not computed for 2 run(s) with seed 0: run le@seed=0 "
            "failed (eigensolver did not converge)");
  EXPECT_EQ(r.warnings[1],
            "dcor_to_le not computed for 1 run(s) with seed 1: run \"le\" "
            "with seed 1 is not in this result");
}

TEST(CrossRunMetrics, SeveralReferencesAndTooFewPoints) {
  Store store;
  store.embeddings = {{"tsne@rho=1,seed=0", random_embedding(3, 1)},
                      {"le@seed=0", random_embedding(3, 2)},
                      {"umap@seed=0", random_embedding(3, 3)}};
  std::vector<SummaryRow> rows = {row("tsne@rho=1,seed=0", "tsne", 0),
                                  row("le@seed=0", "le", 0),
                                  row("umap@seed=0", "umap", 0)};
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "distance_correlation_to_run", "run": "le"})"),
      parse(R"({"type": "distance_correlation_to_run", "run": "umap"})")};
  // Three points cannot give an unbiased dCor (needs 4): absent, warned.
  const auto r = compute_cross_run_metrics(specs, rows, store.source());
  EXPECT_TRUE(r.added.empty());
  EXPECT_EQ(r.warnings.size(), 4u); // tsne and umap vs le, tsne and le vs umap
  EXPECT_NE(r.warnings[0].find("dcor_to_le of tsne@rho=1,seed=0 not computed"),
            std::string::npos)
      << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("at least 4 points"), std::string::npos);

  // With enough points every run gets both (but not its own), and umap and
  // le are compared both ways.
  for (auto &[id, y] : store.embeddings)
    y = random_embedding(20, id.size());
  const auto ok = compute_cross_run_metrics(specs, rows, store.source());
  EXPECT_TRUE(ok.warnings.empty());
  EXPECT_EQ(rows[0].metrics.count("dcor_to_le"), 1u);
  EXPECT_EQ(rows[0].metrics.count("dcor_to_umap"), 1u);
  EXPECT_EQ(rows[1].metrics.count("dcor_to_le"), 0u);
  EXPECT_DOUBLE_EQ(rows[1].metrics.at("dcor_to_umap"),
                   rows[2].metrics.at("dcor_to_le"));
  EXPECT_EQ(rows[2].metrics.count("dcor_to_umap"), 0u);
}

TEST(CrossRunMetrics, TwoReferenceRowsWithOneSeedAreAnError) {
  Store store;
  std::vector<SummaryRow> rows = {row("tsne@rho=1,seed=0", "tsne", 0),
                                  row("le@k=5,seed=0", "le", 0),
                                  row("le@k=9,seed=0", "le", 0)};
  EXPECT_THROW(compute_cross_run_metrics(kSpecs, rows, store.source()),
               NebenchError);
}

} // namespace
} // namespace nebench
