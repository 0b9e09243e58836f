#pragma once
// A graph (datasets/labeled_graph.h) as a Dataset: the graph paper's
// preparation (papers/graph.md sec. 4: undirected, self-loops removed, the
// largest connected component kept) with labels in the kept node order and
// no coordinates (X has n rows and no columns).

#include "datasets/dataset.h"
#include "datasets/labeled_graph.h"

#include <string>

namespace nebench {

/// The largest connected component of `graph` as a Dataset named `name`
/// with digest `sha256`: Dataset::graph renumbered, labels following (empty
/// when the graph has none), indices = the kept nodes' original ids,
/// classes named by their numbers. Throws DataError naming `name` when the
/// component has fewer than 3 nodes.
Dataset graph_dataset(const LabeledGraph &graph, const std::string &name,
                      const std::string &sha256);

} // namespace nebench
