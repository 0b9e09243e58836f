#pragma once
// Which graph a graph-layout method (ForceAtlas2, Laplacian eigenmaps) lays
// out: the binary symmetric kNN graph of the points, as in the spectrum
// paper ("input": "knn", with "k"), or the problem's input graph ("input":
// "graph": a graph dataset's own graph, the graph paper's baselines,
// papers/graph.md sec. 5).

#include "engine/core/csr.h"
#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

#include <string>

namespace nebench {

/// Reads "input" ("knn" default, or "graph") of a method node; a "k" next to
/// "input": "graph" is a SpecError (the input graph has no k).
std::string read_graph_input(const SpecNode &method_node);

/// "knn": binary_knn_graph(*problem.graph, k); "graph": a copy of
/// *problem.adjacency. Throws NebenchError, prefixed with `method`, when the
/// problem lacks that graph or the kNN graph has fewer than k neighbours.
Csr method_input_graph(const Problem &problem, const std::string &input, int k,
                       const std::string &method);

} // namespace nebench
