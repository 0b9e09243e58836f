#include "engine/affinity/fuzzy_simplicial_set.h"
#include "engine/core/errors.h"
#include "engine/core/threads.h"
#include "engine/ne/edge_sampling_sgd.h"
#include "engine/ne/umap_method.h"
#include "metrics/knn_accuracy.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

struct Blobs {
  Matrix X;
  std::vector<std::int32_t> labels;
  KnnGraph graph;
};

/// 3 Gaussian blobs in 10-D (unit variance, centres 20 apart), 100 points
/// each, with their exact 20-NN graph.
const Blobs &blobs() {
  static const Blobs b = [] {
    Blobs out;
    out.X = Matrix(300, 10);
    Rng rng(17);
    for (std::int64_t i = 0; i < 300; ++i) {
      const int c = static_cast<int>(i % 3);
      out.labels.push_back(c);
      for (int d = 0; d < 10; ++d)
        out.X(i, d) = static_cast<float>(rng.normal() + (d == c ? 20.0 : 0.0));
    }
    out.graph = testing::brute_force_graph(out.X, 20);
    return out;
  }();
  return b;
}

UmapParams parse(const std::string &text) {
  const json j = json::parse(text);
  return UmapParams::from_spec(SpecNode(j, "s.json", "runs[0].method"));
}

MethodOutput run_umap(const UmapParams &p, std::uint64_t seed) {
  const Blobs &b = blobs();
  Problem problem{&b.X, &b.graph, &b.labels};
  RunContext ctx;
  ctx.seed = seed;
  UmapMethod m(p);
  return m.run(problem, ctx);
}

double accuracy(const MethodOutput &out) {
  return knn_accuracy(out.embedding, blobs().labels, 15, 0.2, 0);
}

TEST(UmapMethod, SeparatesThreeBlobs) {
  UmapParams p = parse(R"({"type": "umap", "epochs": 200})");
  const MethodOutput out = run_umap(p, 0);
  ASSERT_EQ(out.embedding.rows, 300);
  ASSERT_EQ(out.embedding.cols, 2);
  EXPECT_GE(accuracy(out), 0.99);
  ASSERT_TRUE(out.affinities.has_value());
  EXPECT_TRUE(is_symmetric(*out.affinities));
  EXPECT_EQ(out.trace.columns.at("epoch").back(), 200);
}

TEST(UmapMethod, PaperReferenceVariantAndInPlaceMode) {
  // The spectrum paper's UMAP: a = b = 1, PCA scaled to max |y| = 10; the
  // in-place mode with two threads racing on shared points.
  const int saved = current_threads();
  set_threads(2);
  for (bool batch : {true, false}) {
    UmapParams p = parse(R"({"type": "umap", "a": 1, "b": 1, "epochs": 150,
                             "init": {"type": "pca", "max_abs": 10}})");
    p.batch = batch;
    const MethodOutput out = run_umap(p, 1);
    EXPECT_GE(accuracy(out), 0.99) << "batch " << batch;
  }
  set_threads(saved);
}

TEST(UmapMethod, InitialLayouts) {
  const Blobs &b = blobs();
  FuzzySimplicialSetParams fp;
  const Csr W = fuzzy_simplicial_set(b.graph, fp);
  UmapParams p;
  MatrixD Y = UmapMethod::initial_layout(p, b.X, W, 3);
  double m = 0;
  for (double v : Y.data)
    m = std::max(m, std::fabs(v));
  EXPECT_NEAR(m, 10.0, 1e-3); // max |y| = 10 plus noise of 1e-4
  p.init.std = 1.0;
  Y = UmapMethod::initial_layout(p, b.X, W, 3);
  double s = 0, mean = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    mean += Y(i, 0) / Y.rows;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    s += (Y(i, 0) - mean) * (Y(i, 0) - mean) / Y.rows;
  EXPECT_NEAR(std::sqrt(s), 1.0, 1e-9);
  p.init = UmapInitParams{};
  p.init.type = "random";
  Y = UmapMethod::initial_layout(p, b.X, W, 3);
  for (double v : Y.data)
    ASSERT_LE(std::fabs(v), 10.0);
  EXPECT_NE(Y.data, UmapMethod::initial_layout(p, b.X, W, 4).data);
  // The blobs' graph has three components: spectral falls back to random.
  p.init.type = "spectral";
  EXPECT_EQ(Y.data, UmapMethod::initial_layout(p, b.X, W, 3).data);
}

TEST(UmapMethod, SpectralInitOnAConnectedGraph) {
  const Matrix X = testing::gaussian_data(200, 5, 8);
  const KnnGraph g = testing::brute_force_graph(X, 14);
  const Csr W = fuzzy_simplicial_set(g, FuzzySimplicialSetParams{});
  UmapParams p;
  p.init.type = "spectral";
  const MatrixD Y = UmapMethod::initial_layout(p, X, W, 0);
  // Not the random fallback: the columns are D^1/2-weighted eigenvectors,
  // orthogonal to sqrt(degree) (the trivial eigenvector), up to the noise.
  std::vector<double> sqrt_deg(W.n);
  for (std::int64_t i = 0; i < W.n; ++i) {
    double d = 0;
    for (auto q = W.row_begin(i); q < W.row_end(i); ++q)
      d += W.values[q];
    sqrt_deg[i] = std::sqrt(d);
  }
  for (int c = 0; c < 2; ++c) {
    double dot = 0, norm = 0, dnorm = 0;
    for (std::int64_t i = 0; i < W.n; ++i) {
      dot += Y(i, c) * sqrt_deg[i];
      norm += Y(i, c) * Y(i, c);
      dnorm += sqrt_deg[i] * sqrt_deg[i];
    }
    EXPECT_LT(std::fabs(dot) / std::sqrt(norm * dnorm), 1e-4) << c;
  }
}

TEST(UmapMethod, DeterministicForAnyThreadCount) {
  const int saved = current_threads();
  UmapParams p = parse(R"({"type": "umap", "epochs": 60})");
  set_threads(1);
  const MethodOutput a = run_umap(p, 5);
  set_threads(2);
  const MethodOutput b = run_umap(p, 5);
  const MethodOutput c = run_umap(p, 6);
  set_threads(saved);
  EXPECT_EQ(a.embedding.data, b.embedding.data);
  EXPECT_EQ(a.trace.columns.at("loss"), b.trace.columns.at("loss"));
  EXPECT_NE(a.embedding.data, c.embedding.data);
}

TEST(UmapParams, DefaultsFollowUmapLearn) {
  const UmapParams p = parse(R"({"type": "umap"})");
  EXPECT_EQ(p.k, 15);
  EXPECT_FALSE(p.curve_given);
  EXPECT_NEAR(p.curve.a, 1.577, 1e-3);
  EXPECT_NEAR(p.curve.b, 0.895, 1e-3);
  EXPECT_FALSE(p.epochs.has_value());
  EXPECT_EQ(p.resolved_epochs(10000), 500);
  EXPECT_EQ(p.resolved_epochs(10001), 200);
  EXPECT_EQ(p.learning_rate, 1.0);
  EXPECT_EQ(p.negative_sample_rate, 5);
  EXPECT_EQ(p.repulsion_strength, 1.0);
  EXPECT_EQ(p.eps, 0.001);
  EXPECT_EQ(p.init.type, "pca");
  EXPECT_EQ(p.init.max_abs, 10.0);
  EXPECT_FALSE(p.init.std.has_value());
  EXPECT_TRUE(p.batch);
  EXPECT_EQ(p.log_every, 50);
  EXPECT_EQ(UmapMethod(p).neighbors_needed(), 14);

  const UmapParams q = parse(
      R"({"type": "umap", "k": 30, "a": 1, "b": 1, "epochs": 750,
          "learning_rate": 0.5, "negative_sample_rate": 10,
          "repulsion_strength": 2, "eps": 0, "log_every": 10, "batch": false,
          "init": {"type": "random", "std": 1}})");
  EXPECT_EQ(q.k, 30);
  EXPECT_TRUE(q.curve_given);
  EXPECT_EQ(q.curve.a, 1.0);
  EXPECT_EQ(q.curve.b, 1.0);
  EXPECT_EQ(q.resolved_epochs(100), 750);
  EXPECT_EQ(q.negative_sample_rate, 10);
  EXPECT_EQ(*q.init.std, 1.0);
  EXPECT_FALSE(q.batch);

  const UmapParams r = parse(R"({"type": "umap", "min_dist": 0.001})");
  EXPECT_NEAR(r.curve.a, 1.929, 2e-3);
  EXPECT_NEAR(r.curve.b, 0.792, 1e-3);
}

TEST(UmapParams, ErrorsNameTheJsonPath) {
  auto message = [](const std::string &text) -> std::string {
    try {
      parse(text);
    } catch (const SpecError &e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message(R"({"type": "umap", "k": 1})")
                .find("runs[0].method.k: must be in"),
            std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "a": 1})").find("runs[0].method.b"),
            std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "a": 1, "b": 1, "min_dist": 0.1})")
                .find("runs[0].method.min_dist"),
            std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "min_dist": 2})")
                .find("runs[0].method.min_dist: must be <= spread"),
            std::string::npos);
  EXPECT_NE(
      message(R"({"type": "umap", "epochs": 0})").find("runs[0].method.epochs"),
      std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "negative_sample_rate": 2.5})")
                .find("runs[0].method.negative_sample_rate"),
            std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "init": {"type": "tsvd"}})")
                .find("runs[0].method.init.type"),
            std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "init": {"max_abs": 10, "std": 1}})")
                .find("runs[0].method.init.std"),
            std::string::npos);
  EXPECT_NE(
      message(R"({"type": "umap", "batch": 1})").find("runs[0].method.batch"),
      std::string::npos);
  EXPECT_NE(message(R"({"type": "umap", "perplexity": 30})")
                .find("runs[0].method.perplexity"),
            std::string::npos);
}

TEST(UmapMethod, RejectsAGraphWithTooFewNeighbours) {
  const Blobs &b = blobs();
  UmapParams p = parse(R"({"type": "umap", "k": 22, "epochs": 1})");
  Problem problem{&b.X, &b.graph, &b.labels};
  UmapMethod m(p);
  EXPECT_THROW(m.run(problem, RunContext{}), NebenchError);
}

} // namespace
} // namespace nebench
