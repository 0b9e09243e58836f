#pragma once
// Connected components of an undirected graph stored as a symmetric CSR
// (both directions of every edge): Laplacian eigenmaps need a connected
// graph, since every component adds an eigenvalue 0 to L v = lambda D v.

#include "engine/core/csr.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct GraphComponents {
  std::int64_t count = 0;          ///< number of components
  std::vector<std::int32_t> label; ///< component of every node, 0-based,
                                   ///< numbered by their smallest node
  std::vector<std::int64_t> sizes; ///< nodes per component
};

/// Components by breadth-first search over the stored entries (any value,
/// zero included, counts as an edge). Expects a symmetric pattern; on a
/// directed pattern the result is that of the edges followed forwards from
/// the smallest unvisited node.
GraphComponents connected_components(const Csr &graph);

} // namespace nebench
