#include "engine/core/undirected_graph.h"

#include "engine/core/errors.h"
#include "engine/core/connected_components.h"

#include <algorithm>
#include <limits>

namespace nebench {

namespace {

constexpr std::int64_t kMaxNodes = std::numeric_limits<std::int32_t>::max();

/// Csr from per-row sorted, duplicate-free column lists held as (row, col)
/// pairs sorted lexicographically.
Csr csr_from_sorted_pairs(std::int64_t n, const std::vector<GraphEdge> &pairs,
                          const std::vector<double> &values) {
  Csr out;
  out.n = n;
  out.indptr.assign(static_cast<std::size_t>(n + 1), 0);
  out.indices.resize(pairs.size());
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    ++out.indptr[pairs[p].first + 1];
    out.indices[p] = pairs[p].second;
  }
  for (std::int64_t i = 0; i < n; ++i)
    out.indptr[i + 1] += out.indptr[i];
  out.values = values;
  return out;
}

} // namespace

Csr undirected_graph_from_edges(std::int64_t n,
                                const std::vector<GraphEdge> &edges) {
  if (n < 0 || n > kMaxNodes)
    throw NebenchError("undirected graph: node count " + std::to_string(n) +
                       " outside [0, 2^31 - 1]");
  std::vector<GraphEdge> pairs;
  pairs.reserve(2 * edges.size());
  for (const auto &[u, v] : edges) {
    if (u < 0 || u >= n || v < 0 || v >= n)
      throw NebenchError("undirected graph: edge (" + std::to_string(u) + ", " +
                         std::to_string(v) + ") has a node outside [0, " +
                         std::to_string(n) + ")");
    if (u == v)
      continue; // sec. 4: self-loops are removed
    pairs.emplace_back(u, v);
    pairs.emplace_back(v, u);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return csr_from_sorted_pairs(n, pairs, std::vector<double>(pairs.size(), 1));
}

void check_undirected_graph(const Csr &graph, const std::string &what) {
  const std::int64_t n = graph.n;
  const auto fail = [&what](const std::string &message) {
    throw NebenchError(what + ": " + message);
  };
  if (n < 0 || n > kMaxNodes)
    fail("node count " + std::to_string(n) + " outside [0, 2^31 - 1]");
  if (graph.indptr.size() != static_cast<std::size_t>(n + 1) ||
      graph.indptr[0] != 0 || graph.indptr[n] != graph.nnz())
    fail("indptr does not match " + std::to_string(n) + " rows and " +
         std::to_string(graph.nnz()) + " entries");
  for (std::int64_t i = 0; i < n; ++i)
    if (graph.indptr[i + 1] < graph.indptr[i])
      fail("indptr decreases at row " + std::to_string(i));
  if (graph.values.size() != graph.indices.size())
    fail(std::to_string(graph.values.size()) + " values for " +
         std::to_string(graph.nnz()) + " entries");
  for (std::int64_t i = 0; i < n; ++i) {
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p) {
      const std::int32_t j = graph.indices[p];
      if (j < 0 || j >= n)
        fail("row " + std::to_string(i) + " has column " + std::to_string(j) +
             " outside [0, " + std::to_string(n) + ")");
      if (j == i)
        fail("self-loop at node " + std::to_string(i));
      if (p > graph.row_begin(i) && graph.indices[p - 1] >= j)
        fail("columns of row " + std::to_string(i) +
             " are not strictly increasing");
    }
  }
  for (std::int64_t i = 0; i < n; ++i)
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p)
      if (!has_edge(graph, graph.indices[p], i))
        fail("not symmetric: (" + std::to_string(i) + ", " +
             std::to_string(graph.indices[p]) + ") is stored but not (" +
             std::to_string(graph.indices[p]) + ", " + std::to_string(i) + ")");
}

std::vector<std::int64_t> node_degrees(const Csr &graph) {
  std::vector<std::int64_t> degree(static_cast<std::size_t>(graph.n));
  for (std::int64_t i = 0; i < graph.n; ++i)
    degree[i] = graph.row_end(i) - graph.row_begin(i);
  return degree;
}

bool has_edge(const Csr &graph, std::int64_t i, std::int64_t j) {
  const auto begin = graph.indices.begin() + graph.row_begin(i);
  const auto end = graph.indices.begin() + graph.row_end(i);
  return std::binary_search(begin, end, static_cast<std::int32_t>(j));
}

Csr induced_subgraph(const Csr &graph, const std::vector<std::int64_t> &nodes) {
  std::vector<std::int32_t> new_id(static_cast<std::size_t>(graph.n), -1);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::int64_t old = nodes[k];
    if (old < 0 || old >= graph.n)
      throw NebenchError("induced subgraph: node " + std::to_string(old) +
                         " outside [0, " + std::to_string(graph.n) + ")");
    if (new_id[old] >= 0)
      throw NebenchError("induced subgraph: node " + std::to_string(old) +
                         " listed twice");
    new_id[old] = static_cast<std::int32_t>(k);
  }
  const auto m = static_cast<std::int64_t>(nodes.size());
  Csr out;
  out.n = m;
  out.indptr.assign(static_cast<std::size_t>(m + 1), 0);
  std::vector<std::pair<std::int32_t, double>> row;
  for (std::int64_t k = 0; k < m; ++k) {
    row.clear();
    const std::int64_t i = nodes[k];
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p)
      if (new_id[graph.indices[p]] >= 0)
        row.emplace_back(new_id[graph.indices[p]], graph.values[p]);
    std::sort(row.begin(), row.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &[j, value] : row) {
      out.indices.push_back(j);
      out.values.push_back(value);
    }
    out.indptr[k + 1] = out.nnz();
  }
  return out;
}

ComponentSubgraph largest_connected_component(const Csr &graph) {
  ComponentSubgraph out;
  if (graph.n == 0) {
    out.graph.indptr = {0};
    return out;
  }
  const GraphComponents cc = connected_components(graph);
  // max_element returns the first maximum: components are numbered by their
  // smallest node, so ties go to the component holding the smallest node.
  const auto largest = static_cast<std::int32_t>(
      std::max_element(cc.sizes.begin(), cc.sizes.end()) - cc.sizes.begin());
  out.nodes.reserve(static_cast<std::size_t>(cc.sizes[largest]));
  for (std::int64_t i = 0; i < graph.n; ++i)
    if (cc.label[i] == largest)
      out.nodes.push_back(i);
  out.graph = induced_subgraph(graph, out.nodes);
  return out;
}

std::vector<std::int32_t> bfs_hops(const Csr &graph, std::int64_t source) {
  if (source < 0 || source >= graph.n)
    throw NebenchError("bfs: source " + std::to_string(source) +
                       " outside [0, " + std::to_string(graph.n) + ")");
  std::vector<std::int32_t> hops(static_cast<std::size_t>(graph.n), -1);
  std::vector<std::int32_t> queue;
  queue.reserve(static_cast<std::size_t>(graph.n));
  queue.push_back(static_cast<std::int32_t>(source));
  hops[source] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::int32_t i = queue[head];
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p) {
      const std::int32_t j = graph.indices[p];
      if (hops[j] < 0) {
        hops[j] = hops[i] + 1;
        queue.push_back(j);
      }
    }
  }
  return hops;
}

} // namespace nebench
