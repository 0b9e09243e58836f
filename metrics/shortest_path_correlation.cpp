#include "metrics/shortest_path_correlation.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/undirected_graph.h"
#include "engine/core/connected_components.h"
#include "metrics/pearson_correlation.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nebench {

double shortest_path_correlation(const MatrixD &embedding, const Csr &graph,
                                 EmbeddingMetric metric, std::int64_t n_pairs,
                                 std::uint64_t seed) {
  check_undirected_graph(graph, "shortest-path correlation");
  if (embedding.rows != graph.n)
    throw NebenchError("shortest-path correlation: embedding has " +
                       std::to_string(embedding.rows) + " rows, graph " +
                       std::to_string(graph.n) + " nodes");
  if (n_pairs < 2)
    throw NebenchError("shortest-path correlation: n_pairs must be >= 2, got " +
                       std::to_string(n_pairs));
  if (graph.nnz() == 0)
    throw NebenchError("shortest-path correlation: the graph has no edges");
  const MatrixD y = metric_rows(embedding, metric);

  // Uniform over connected ordered pairs without rejection: component c
  // with probability s_c (s_c - 1) / sum, then two distinct of its nodes.
  const GraphComponents cc = connected_components(graph);
  std::vector<std::vector<std::int64_t>> members(
      static_cast<std::size_t>(cc.count));
  for (std::int64_t i = 0; i < graph.n; ++i)
    members[cc.label[i]].push_back(i);
  std::vector<std::uint64_t> cumulative;
  std::uint64_t total = 0;
  for (const std::int64_t s : cc.sizes) {
    total += static_cast<std::uint64_t>(s) * static_cast<std::uint64_t>(s - 1);
    cumulative.push_back(total);
  }
  Rng rng(seed);
  std::vector<std::int64_t> source(static_cast<std::size_t>(n_pairs));
  std::vector<std::int64_t> target(source.size());
  for (std::int64_t p = 0; p < n_pairs; ++p) {
    const std::uint64_t r = rng.below(total);
    const auto c = std::upper_bound(cumulative.begin(), cumulative.end(), r) -
                   cumulative.begin();
    const auto &nodes = members[c];
    const auto s = static_cast<std::uint64_t>(nodes.size());
    const std::uint64_t a = rng.below(s);
    std::uint64_t b = rng.below(s - 1);
    if (b >= a)
      ++b;
    source[p] = nodes[a];
    target[p] = nodes[b];
  }

  // One BFS per distinct source; pairs grouped by source.
  std::vector<std::int64_t> order(source.size());
  for (std::size_t p = 0; p < order.size(); ++p)
    order[p] = static_cast<std::int64_t>(p);
  std::stable_sort(
      order.begin(), order.end(),
      [&](std::int64_t a, std::int64_t b) { return source[a] < source[b]; });
  std::vector<std::int64_t> group_start;
  for (std::size_t k = 0; k < order.size(); ++k)
    if (k == 0 || source[order[k]] != source[order[k - 1]])
      group_start.push_back(static_cast<std::int64_t>(k));
  group_start.push_back(static_cast<std::int64_t>(order.size()));
  const auto n_groups = static_cast<std::int64_t>(group_start.size()) - 1;

  std::vector<double> hops(source.size()), distance(source.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t g = 0; g < n_groups; ++g) {
    const std::int64_t i = source[order[group_start[g]]];
    const std::vector<std::int32_t> h = bfs_hops(graph, i);
    for (std::int64_t k = group_start[g]; k < group_start[g + 1]; ++k) {
      const std::int64_t p = order[k], j = target[p];
      hops[p] = h[j];
      const double *a = y.row(i), *b = y.row(j);
      double sq = 0.0;
      for (std::int64_t c = 0; c < y.cols; ++c)
        sq += (a[c] - b[c]) * (a[c] - b[c]);
      distance[p] = std::sqrt(sq);
    }
  }
  return pearson_correlation(hops, distance);
}

} // namespace nebench
