// Uniform and node2vec random walks (engine/graph/random_walks.h).
#include "engine/graph/random_walks.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {
namespace {

void check_inputs(const Csr &graph, const std::vector<std::int32_t> &starts,
                  std::int64_t walk_length) {
  if (graph.n < 0 ||
      graph.indptr.size() != static_cast<std::size_t>(graph.n + 1))
    throw NebenchError("random walks: graph indptr must have n + 1 entries");
  if (walk_length < 1)
    throw NebenchError("random walks: walk_length must be >= 1 (it counts "
                       "nodes), got " +
                       std::to_string(walk_length));
  for (const std::int32_t s : starts)
    if (s < 0 || s >= graph.n)
      throw NebenchError("random walks: start node " + std::to_string(s) +
                         " outside [0, " + std::to_string(graph.n) + ")");
}

std::int64_t degree(const Csr &g, std::int64_t v) {
  return g.indptr[v + 1] - g.indptr[v];
}

std::int32_t uniform_neighbour(const Csr &g, std::int64_t v, Rng &rng) {
  return g.indices[g.indptr[v] +
                   static_cast<std::int64_t>(rng.below(degree(g, v)))];
}

bool rows_sorted(const Csr &g) {
  for (std::int64_t i = 0; i < g.n; ++i)
    if (!std::is_sorted(g.indices.begin() + g.indptr[i],
                        g.indices.begin() + g.indptr[i + 1]))
      return false;
  return true;
}

std::vector<std::int32_t> all_nodes(const Csr &graph,
                                    std::int64_t walks_per_node) {
  if (walks_per_node < 0)
    throw NebenchError("random walks: walks_per_node must be >= 0");
  std::vector<std::int32_t> starts;
  starts.reserve(static_cast<std::size_t>(walks_per_node * graph.n));
  for (std::int64_t r = 0; r < walks_per_node; ++r)
    for (std::int64_t i = 0; i < graph.n; ++i)
      starts.push_back(static_cast<std::int32_t>(i));
  return starts;
}

} // namespace

Walks uniform_walks(const Csr &graph, const std::vector<std::int32_t> &starts,
                    std::int64_t walk_length, Rng &rng) {
  check_inputs(graph, starts, walk_length);
  Walks out{walk_length,
            std::vector<std::int32_t>(starts.size() * walk_length, -1)};
  for (std::size_t w = 0; w < starts.size(); ++w) {
    std::int32_t *walk = out.nodes.data() + w * walk_length;
    walk[0] = starts[w];
    for (std::int64_t k = 1; k < walk_length && degree(graph, walk[k - 1]) > 0;
         ++k)
      walk[k] = uniform_neighbour(graph, walk[k - 1], rng);
  }
  return out;
}

Walks node2vec_walks(const Csr &graph, const std::vector<std::int32_t> &starts,
                     std::int64_t walk_length, double p, double q, Rng &rng) {
  check_inputs(graph, starts, walk_length);
  if (!(p > 0 && q > 0 && std::isfinite(p) && std::isfinite(q)))
    throw NebenchError("node2vec walks: p and q must be positive and finite");
  // The neighbour-of-t test binary-searches rows; sort a copy if needed.
  Csr sorted_copy;
  const Csr *g = &graph;
  if (!rows_sorted(graph)) {
    sorted_copy = graph;
    for (std::int64_t i = 0; i < graph.n; ++i)
      std::sort(sorted_copy.indices.begin() + graph.indptr[i],
                sorted_copy.indices.begin() + graph.indptr[i + 1]);
    g = &sorted_copy;
  }
  // Acceptance probabilities: weight / max weight (torch-cluster's
  // prob_0, prob_1, prob_2 for return, stay-close and move-away).
  const double max_w = std::max({1.0 / p, 1.0, 1.0 / q});
  const double accept_return = (1.0 / p) / max_w;
  const double accept_close = 1.0 / max_w;
  const double accept_away = (1.0 / q) / max_w;

  Walks out{walk_length,
            std::vector<std::int32_t>(starts.size() * walk_length, -1)};
  for (std::size_t w = 0; w < starts.size(); ++w) {
    std::int32_t *walk = out.nodes.data() + w * walk_length;
    walk[0] = starts[w];
    if (walk_length < 2 || degree(*g, walk[0]) == 0)
      continue;
    walk[1] = uniform_neighbour(*g, walk[0], rng); // first step is uniform
    for (std::int64_t k = 2; k < walk_length; ++k) {
      const std::int32_t t = walk[k - 2], v = walk[k - 1];
      if (degree(*g, v) == 0) // only in a graph that is not symmetric
        break;
      const auto t_begin = g->indices.begin() + g->indptr[t];
      const auto t_end = g->indices.begin() + g->indptr[t + 1];
      while (true) {
        const std::int32_t x = uniform_neighbour(*g, v, rng);
        const double r = rng.uniform();
        const double accept = x == t ? accept_return
                              : std::binary_search(t_begin, t_end, x)
                                  ? accept_close
                                  : accept_away;
        if (r < accept) {
          walk[k] = x;
          break;
        }
      }
    }
  }
  return out;
}

Walks uniform_walks(const Csr &graph, std::int64_t walks_per_node,
                    std::int64_t walk_length, std::uint64_t seed) {
  Rng rng(seed);
  return uniform_walks(graph, all_nodes(graph, walks_per_node), walk_length,
                       rng);
}

Walks node2vec_walks(const Csr &graph, std::int64_t walks_per_node,
                     std::int64_t walk_length, double p, double q,
                     std::uint64_t seed) {
  Rng rng(seed);
  return node2vec_walks(graph, all_nodes(graph, walks_per_node), walk_length, p,
                        q, rng);
}

} // namespace nebench
