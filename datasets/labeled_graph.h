#pragma once
// A graph dataset: an undirected graph (engine/core/undirected_graph.h) with
// one class label per node, labels and adjacency in one node order
// (papers/graph.md sec. 8, "Node order").

#include "engine/core/csr.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct LabeledGraph {
  Csr graph;                        ///< symmetric, unweighted, no self-loops
  std::vector<std::int32_t> labels; ///< labels[i] of node i (empty: none)
  /// Id of node i in the source (edge file line ids, or the generator's
  /// numbering before the largest component was taken).
  std::vector<std::int64_t> original_ids;
};

} // namespace nebench
