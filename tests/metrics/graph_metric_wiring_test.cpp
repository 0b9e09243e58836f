// The graph metrics in compute_metrics (metrics/compute_metrics.h): read
// from the input graph, skipped without one, and "metric": "auto" choosing
// Euclidean for 2-D layouts and cosine for high-dimensional embeddings
// (papers/graph.md sec. 3).
#include "metrics/compute_metrics.h"

#include "engine/core/undirected_graph.h"
#include "metrics/embedding_metric.h"
#include "metrics/graph_recall.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

MetricSpec parse(const std::string &text) {
  const json j = json::parse(text);
  return MetricSpec::from_spec(SpecNode(j, "spec.json", "metrics[0]"), {});
}

/// A 12-node cycle, and rows whose cosine and Euclidean neighbours differ:
/// node i sits at angle 2 pi i / 12 with a radius that alternates 1 and 5.
struct Cycle {
  Csr graph;
  Cycle() {
    std::vector<GraphEdge> edges;
    for (int i = 0; i < 12; ++i)
      edges.push_back({i, (i + 1) % 12});
    graph = undirected_graph_from_edges(12, edges);
  }
  MatrixD rows(int dim) const {
    MatrixD y(12, dim);
    for (int i = 0; i < 12; ++i) {
      const double r = i % 2 ? 5.0 : 1.0, a = 2 * M_PI * i / 12;
      y(i, 0) = r * std::cos(a);
      y(i, 1) = r * std::sin(a);
    }
    return y;
  }
};

TEST(GraphMetricWiring, ReadsTheInputGraphAndSkipsWithoutIt) {
  const Cycle c;
  const MatrixD y = c.rows(2);
  MetricInput in;
  in.embedding = &y;
  in.seed = 1;
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "graph_recall"})"), parse(R"({"type": "edge_auc"})"),
      parse(R"({"type": "shortest_path_corr"})")};
  EXPECT_TRUE(compute_metrics(specs, in).empty());
  in.adjacency = &c.graph;
  const auto out = compute_metrics(specs, in);
  EXPECT_DOUBLE_EQ(
      out.at("graph_recall"),
      graph_recall(y, c.graph, EmbeddingMetric::euclidean, 1000, 1));
  EXPECT_TRUE(out.count("edge_auc"));
  EXPECT_TRUE(out.count("sp_corr"));
}

TEST(GraphMetricWiring, AutoIsEuclideanIn2dAndCosineAbove3d) {
  const Cycle c;
  const MatrixD flat = c.rows(2), wide = c.rows(4); // same points, 2 zero cols
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "graph_recall", "metric": "auto"})")};
  MetricInput in;
  in.adjacency = &c.graph;
  in.seed = 1;
  in.embedding = &flat;
  EXPECT_DOUBLE_EQ(
      compute_metrics(specs, in).at("graph_recall"),
      graph_recall(flat, c.graph, EmbeddingMetric::euclidean, 1000, 1));
  in.embedding = &wide;
  EXPECT_DOUBLE_EQ(
      compute_metrics(specs, in).at("graph_recall"),
      graph_recall(wide, c.graph, EmbeddingMetric::cosine, 1000, 1));
  // The two metrics disagree here, so "auto" made a choice.
  EXPECT_NE(graph_recall(flat, c.graph, EmbeddingMetric::euclidean, 1000, 1),
            graph_recall(flat, c.graph, EmbeddingMetric::cosine, 1000, 1));
}

} // namespace
} // namespace nebench
