#pragma once
// Small graphs and embeddings for the graph metric tests.

#include "engine/core/matrix.h"
#include "engine/core/undirected_graph.h"

#include <initializer_list>
#include <vector>

namespace nebench::testing {

/// Rows of an embedding, written out.
inline MatrixD rows(std::initializer_list<std::vector<double>> r) {
  MatrixD m(static_cast<std::int64_t>(r.size()),
            static_cast<std::int64_t>(r.begin()->size()));
  std::int64_t i = 0;
  for (const auto &row : r) {
    for (std::size_t c = 0; c < row.size(); ++c)
      m(i, static_cast<std::int64_t>(c)) = row[c];
    ++i;
  }
  return m;
}

/// Path 0 - 1 - ... - (n-1).
inline Csr path_graph(int n) {
  std::vector<GraphEdge> edges;
  for (int i = 0; i + 1 < n; ++i)
    edges.emplace_back(i, i + 1);
  return undirected_graph_from_edges(n, edges);
}

/// Node i at x = positions[i] on a line (one column).
inline MatrixD on_line(const std::vector<double> &positions) {
  MatrixD m(static_cast<std::int64_t>(positions.size()), 1);
  m.data = positions;
  return m;
}

} // namespace nebench::testing
