#pragma once
// Undirected unweighted graphs stored as a symmetric Csr: both directions of
// every edge, column indices sorted within each row, no self-loops, values 1.
// This is the form of the graph paper's inputs (papers/graph.md sec. 4: "made
// undirected, self-loops removed, only the largest connected component",
// unweighted edges; A.nnz counts each edge twice). Loaders, the SBM generator,
// the graph metrics and the graph methods all share it, so it lives in core.

#include "engine/core/csr.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nebench {

/// One edge (u, v) of an edge list; the order of u and v does not matter.
using GraphEdge = std::pair<std::int32_t, std::int32_t>;

/// The symmetric Csr of the undirected graph on nodes 0..n-1 with these
/// edges: each edge stored in both directions, duplicates ((u, v) twice, or
/// (u, v) and (v, u)) merged into one, self-loops (u, u) dropped, values 1,
/// columns sorted. Throws NebenchError when n is negative or above 2^31 - 1
/// or an endpoint lies outside [0, n).
Csr undirected_graph_from_edges(std::int64_t n,
                                const std::vector<GraphEdge> &edges);

/// Throws NebenchError, prefixed with `what`, unless `graph` is a valid
/// undirected graph as above: indptr of size n + 1, increasing; columns in
/// [0, n), strictly increasing within a row, none on the diagonal; every
/// entry (i, j) mirrored by (j, i). Values are not checked (the metrics read
/// the pattern only). O(nnz log(max degree)).
void check_undirected_graph(const Csr &graph, const std::string &what);

/// Number of stored neighbours of every node.
std::vector<std::int64_t> node_degrees(const Csr &graph);

/// Whether (i, j) is stored: binary search of row i (columns sorted).
bool has_edge(const Csr &graph, std::int64_t i, std::int64_t j);

/// The subgraph induced by `nodes` (distinct ids of `graph`), renumbered so
/// that nodes[k] becomes node k: entries between kept nodes keep their values,
/// entries to dropped nodes are removed, columns are re-sorted. Throws
/// NebenchError when an id is out of range or repeated.
Csr induced_subgraph(const Csr &graph, const std::vector<std::int64_t> &nodes);

/// The largest connected component and the old id of each of its nodes.
struct ComponentSubgraph {
  Csr graph;                       ///< induced subgraph, renumbered
  std::vector<std::int64_t> nodes; ///< nodes[new id] = old id, increasing
};

/// The largest connected component (engine/core/connected_components.h), its
/// nodes kept in increasing old-id order so that per-node data (labels)
/// follow with select(nodes) (papers/graph.md sec. 8, "Node order"). Among
/// components of equal size, the one holding the smallest node wins. An
/// empty graph (n = 0) gives an empty result.
ComponentSubgraph largest_connected_component(const Csr &graph);

/// Hop distance from `source` to every node by breadth-first search; -1 for
/// nodes that cannot be reached. Throws NebenchError when source is out of
/// range.
std::vector<std::int32_t> bfs_hops(const Csr &graph, std::int64_t source);

} // namespace nebench
