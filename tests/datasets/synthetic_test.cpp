#include "datasets/synthetic.h"
#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

Dataset generate(const std::string &generator, const std::string &options) {
  const json j = json::parse(options);
  return generate_synthetic(generator,
                            SpecNode(j, "s.json", "dataset.options"));
}

std::string spec_error(const std::string &generator,
                       const std::string &options) {
  try {
    generate(generator, options);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "(no SpecError)";
}

/// Mean of the rows with label c.
std::vector<double> centroid(const Dataset &ds, int c) {
  std::vector<double> m(static_cast<std::size_t>(ds.d()), 0.0);
  int count = 0;
  for (std::int64_t i = 0; i < ds.n(); ++i)
    if (ds.labels[static_cast<std::size_t>(i)] == c) {
      for (std::int64_t j = 0; j < ds.d(); ++j)
        m[static_cast<std::size_t>(j)] += ds.X(i, j);
      ++count;
    }
  for (auto &v : m)
    v /= count;
  return m;
}

double distance(const std::vector<double> &a, const std::vector<double> &b) {
  double s = 0;
  for (std::size_t j = 0; j < a.size(); ++j)
    s += (a[j] - b[j]) * (a[j] - b[j]);
  return std::sqrt(s);
}

TEST(Synthetic, DeterministicPerSeedAndDifferentAcrossSeeds) {
  for (const std::string g : {"gaussian-mixture", "gaussian-line"}) {
    const std::string opts =
        R"({"n_clusters": 3, "n_per_cluster": 20, "dim": 4)";
    const Dataset a = generate(g, opts + ", \"seed\": 1}");
    const Dataset b = generate(g, opts + ", \"seed\": 1}");
    const Dataset c = generate(g, opts + ", \"seed\": 2}");
    EXPECT_EQ(a.X.data, b.X.data) << g;
    EXPECT_EQ(a.sha256, b.sha256) << g;
    EXPECT_NE(a.X.data, c.X.data) << g;
    EXPECT_NE(a.sha256, c.sha256) << g;
    EXPECT_EQ(a.name, g);
  }
}

TEST(Synthetic, DigestCoversResolvedOptions) {
  // Defaults written out or left implicit give the same data and digest;
  // any other option value changes the digest.
  const Dataset implicit = generate("gaussian-line", R"({"n_per_cluster": 5})");
  const Dataset explicit_ = generate(
      "gaussian-line",
      R"({"n_clusters": 20, "n_per_cluster": 5, "dim": 50, "step": 6, "seed": 0})");
  EXPECT_EQ(implicit.sha256, explicit_.sha256);
  EXPECT_EQ(implicit.X.data, explicit_.X.data);
  const Dataset other_step =
      generate("gaussian-line", R"({"n_per_cluster": 5, "step": 5})");
  EXPECT_NE(implicit.sha256, other_step.sha256);
  EXPECT_EQ(implicit.sha256.size(), 64u);
}

TEST(Synthetic, LabelCountsShapesAndIndices) {
  const Dataset m = generate(
      "gaussian-mixture", R"({"n_clusters": 4, "n_per_cluster": 7, "dim": 3})");
  ASSERT_EQ(m.n(), 28);
  ASSERT_EQ(m.d(), 3);
  std::vector<int> counts(4, 0);
  for (auto l : m.labels)
    ++counts[static_cast<std::size_t>(l)];
  EXPECT_EQ(counts, (std::vector<int>{7, 7, 7, 7}));
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(m.indices.size(), 28u);
  EXPECT_EQ(m.indices[27], 27);

  const Dataset line = generate("gaussian-line", R"({"n_per_cluster": 3})");
  EXPECT_EQ(line.n(), 60); // paper default: 20 Gaussians
  EXPECT_EQ(line.d(), 50);
  EXPECT_EQ(line.labels.front(), 0);
  EXPECT_EQ(line.labels.back(), 19);
}

TEST(Synthetic, GaussianLineMeansAreStepApartOnTheDiagonal) {
  // With 2000 points per cluster the centroid error per coordinate is
  // ~1/sqrt(2000) = 0.022, so consecutive centroids are 6 +- ~0.05 apart.
  const Dataset ds = generate(
      "gaussian-line",
      R"({"n_clusters": 4, "n_per_cluster": 2000, "dim": 50, "seed": 3})");
  std::vector<std::vector<double>> c;
  for (int k = 0; k < 4; ++k)
    c.push_back(centroid(ds, k));
  for (int k = 0; k + 1 < 4; ++k)
    EXPECT_NEAR(distance(c[k], c[k + 1]), 6.0, 0.1) << k;
  EXPECT_NEAR(distance(c[0], c[3]), 18.0, 0.1);
  // Cluster 0 sits at the origin; cluster 3's coordinates are all 18/sqrt(50).
  EXPECT_LT(distance(c[0], std::vector<double>(50, 0.0)), 0.3);
  for (double v : c[3])
    EXPECT_NEAR(v, 18.0 / std::sqrt(50.0), 0.1);
  // Unit variance within a cluster.
  double ss = 0;
  for (std::int64_t i = 0; i < 2000; ++i)
    for (std::int64_t j = 0; j < 50; ++j)
      ss += (ds.X(i, j) - c[0][j]) * (ds.X(i, j) - c[0][j]);
  EXPECT_NEAR(ss / (2000.0 * 50.0), 1.0, 0.03);
}

TEST(Synthetic, GaussianMixtureMeansHaveNormSeparation) {
  // |mu|^2 ~ separation^2 * chi2(dim)/dim: over 20 clusters of dim 50 the
  // average is 100 with a relative spread of sqrt(2/1000) = 4.5%.
  const Dataset ds = generate(
      "gaussian-mixture",
      R"({"n_clusters": 20, "n_per_cluster": 400, "dim": 50, "seed": 7})");
  double mean_sq_norm = 0;
  for (int k = 0; k < 20; ++k) {
    const auto c = centroid(ds, k);
    mean_sq_norm += std::pow(distance(c, std::vector<double>(50, 0.0)), 2);
  }
  mean_sq_norm /= 20;
  // The centroid adds dim/400 = 0.125 of sampling variance.
  EXPECT_NEAR(mean_sq_norm, 100.0, 15.0);
  const Dataset near = generate(
      "gaussian-mixture",
      R"({"n_clusters": 2, "n_per_cluster": 400, "dim": 50, "separation": 0})");
  EXPECT_LT(distance(centroid(near, 0), centroid(near, 1)), 1.0);
}

TEST(Synthetic, OptionsAreStrict) {
  EXPECT_EQ(spec_error("gaussian-mixture", R"({"n_cluster": 3})"),
            "s.json: dataset.options.n_cluster: unknown key (known here: dim, "
            "n_clusters, n_per_cluster, seed, separation)");
  EXPECT_NE(spec_error("gaussian-line", R"({"n_clusters": 0})")
                .find("dataset.options.n_clusters: must be in [1, 1e+06]"),
            std::string::npos);
  EXPECT_NE(spec_error("gaussian-line", R"({"step": -1})")
                .find("dataset.options.step: must be in [0, inf]"),
            std::string::npos);
  EXPECT_NE(spec_error("gaussian-line", R"({"seed": -1})")
                .find("dataset.options.seed"),
            std::string::npos);
  EXPECT_NE(spec_error("gaussian-line", R"({"separation": 3})")
                .find("dataset.options.separation: unknown key"),
            std::string::npos);
  EXPECT_NE(spec_error("gaussian-mixture",
                       R"({"n_clusters": 1000, "n_per_cluster": 100000})")
                .find("dataset.options: n_clusters * n_per_cluster * dim = "
                      "5e+09 values, more than the 2^31 allowed"),
            std::string::npos);
  EXPECT_NE(spec_error("gaussian-line", "[1]")
                .find("dataset.options: must be "
                      "an object, got array"),
            std::string::npos);
  EXPECT_NE(spec_error("spiral", "{}").find("unknown synthetic generator"),
            std::string::npos);
}

} // namespace
} // namespace nebench
