// DeepWalk and node2vec as spec methods (engine/graph/
// walk_embedding_method.h): the references' defaults, strict parsing, and a
// run on the problem's input graph.
#include "engine/graph/walk_embedding_method.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"
#include "engine/ne/method_registry.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

WalkEmbeddingParams parse(const std::string &text) {
  const json j = json::parse(text);
  return WalkEmbeddingParams::from_spec(
      SpecNode(j, "s.json", "runs[1].method"));
}

std::string error_of(const std::string &text) {
  try {
    parse(text);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

TEST(WalkEmbeddingParams, DefaultsAreTheReferences) {
  const WalkEmbeddingParams d = parse(R"({"type": "deepwalk"})");
  EXPECT_EQ(d.walk_length, 40);
  EXPECT_EQ(d.skip_gram.window, 5);
  EXPECT_EQ(d.skip_gram.negatives, 5);
  EXPECT_EQ(d.skip_gram.walks_per_node, 1);
  EXPECT_EQ(d.skip_gram.dim, 128);
  EXPECT_EQ(d.skip_gram.epochs, 100);
  EXPECT_EQ(d.skip_gram.style, SkipGramStyle::dgl_deepwalk);
  const WalkEmbeddingParams n =
      parse(R"({"type": "node2vec", "p": 0.25, "q": 4})");
  EXPECT_EQ(n.walk_length, 20);
  EXPECT_EQ(n.skip_gram.window, 10);
  EXPECT_EQ(n.skip_gram.walks_per_node, 10);
  EXPECT_EQ(n.skip_gram.style, SkipGramStyle::pyg_node2vec);
  EXPECT_DOUBLE_EQ(n.p, 0.25);
  EXPECT_DOUBLE_EQ(n.q, 4.0);
}

TEST(WalkEmbeddingParams, ErrorsNameTheJsonPath) {
  EXPECT_NE(error_of(R"({"type": "deepwalk", "p": 2})")
                .find("runs[1].method.p: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type": "deepwalk", "window": 40})")
                .find("runs[1].method.window: must be below walk_length"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"type": "node2vec", "q": 0})").find("runs[1].method.q"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"type": "node2vec", "window": 30})")
                .find("runs[1].method.window"),
            std::string::npos);
}

TEST(WalkEmbeddingMethod, EmbedsTheInputGraphReproducibly) {
  // Two 8-cliques joined by one edge.
  std::vector<GraphEdge> edges = {{0, 8}};
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 8; ++i)
      for (int j = i + 1; j < 8; ++j)
        edges.push_back({8 * c + i, 8 * c + j});
  const Csr graph = undirected_graph_from_edges(16, edges);
  Problem problem;
  problem.adjacency = &graph;
  WalkEmbeddingParams p = parse(R"({"type": "deepwalk", "dim": 8,
      "walk_length": 10, "window": 3, "epochs": 30, "batch_walks": 4,
      "learning_rate": 0.05, "log_every": 10})");
  WalkEmbeddingMethod method(p);
  RunContext ctx;
  ctx.seed = 3;
  const MethodOutput out = method.run(problem, ctx);
  ASSERT_EQ(out.embedding.rows, 16);
  ASSERT_EQ(out.embedding.cols, 8);
  EXPECT_EQ(out.trace.columns.at("epoch"), (std::vector<double>{10, 20, 30}));
  const auto cosine = [&](int a, int b) {
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < 8; ++k) {
      ab += out.embedding(a, k) * out.embedding(b, k);
      aa += out.embedding(a, k) * out.embedding(a, k);
      bb += out.embedding(b, k) * out.embedding(b, k);
    }
    return ab / std::sqrt(aa * bb);
  };
  EXPECT_GT(cosine(1, 2), cosine(1, 10));
  EXPECT_EQ(method.run(problem, ctx).embedding.data, out.embedding.data);
  Problem none;
  EXPECT_THROW(method.run(none, ctx), NebenchError);
}

TEST(WalkEmbeddingMethod, IsRegistered) {
  const json j = json::parse(R"({"type": "node2vec"})");
  EXPECT_EQ(make_method(SpecNode(j, "s.json", "runs[0].method"))->type(),
            "node2vec");
}

} // namespace
} // namespace nebench
