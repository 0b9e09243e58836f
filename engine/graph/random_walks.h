#pragma once
// Random walks on an undirected unweighted graph (symmetric Csr, engine/core/
// undirected_graph.h): the corpus of the DeepWalk and node2vec baselines
// (papers/graph.md sec. 5.2, 5.3).
//
// - Uniform walks (DeepWalk, Perozzi et al. 2014; DGL dgl.sampling.
//   random_walk): each step goes to a uniformly chosen neighbour.
// - node2vec walks (Grover & Leskovec 2016): second order; having come from t
//   to v, the next node x has unnormalised weight 1/p if x == t, 1 if x is a
//   neighbour of t, 1/q otherwise. The first step is uniform. We sample by
//   rejection as torch-cluster does (PyG's Node2Vec): draw x uniformly among
//   v's neighbours, accept with probability weight(x) / max(1/p, 1, 1/q);
//   "x is a neighbour of t" is a binary search in t's row, so rows must be
//   sorted (they are for every graph built by undirected_graph_from_edges;
//   otherwise the walker sorts a private copy).
//
// `walk_length` counts nodes (DGL's walk_length 40 = 39 steps; PyG's
// walk_length 20 = 19 steps). A walk that reaches a node without neighbours
// (only an isolated start node, in an undirected graph) stops there and the
// rest of its row is padded with -1, as DGL pads; so a walk from an isolated
// node is [start, -1, ...].

#include "engine/core/csr.h"
#include "engine/core/rng.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// Walks stored walk-major: walk w is nodes[w * walk_length, (w + 1) *
/// walk_length), padded with -1 after a dead end.
struct Walks {
  std::int64_t walk_length = 0;
  std::vector<std::int32_t> nodes;

  std::int64_t count() const {
    return walk_length == 0
               ? 0
               : static_cast<std::int64_t>(nodes.size()) / walk_length;
  }
  const std::int32_t *walk(std::int64_t w) const {
    return nodes.data() + w * walk_length;
  }
};

/// One uniform walk from each of `starts`, in that order, drawing from `rng`.
Walks uniform_walks(const Csr &graph, const std::vector<std::int32_t> &starts,
                    std::int64_t walk_length, Rng &rng);

/// One node2vec walk (return parameter p, in-out parameter q) from each of
/// `starts`, in that order, drawing from `rng`.
Walks node2vec_walks(const Csr &graph, const std::vector<std::int32_t> &starts,
                     std::int64_t walk_length, double p, double q, Rng &rng);

/// DeepWalk's corpus: `walks_per_node` rounds, each one walk from every node
/// 0..n-1 in order (walk r * n + i starts at i), from Rng(seed).
Walks uniform_walks(const Csr &graph, std::int64_t walks_per_node,
                    std::int64_t walk_length, std::uint64_t seed);

/// node2vec's corpus, laid out as uniform_walks above.
Walks node2vec_walks(const Csr &graph, std::int64_t walks_per_node,
                     std::int64_t walk_length, double p, double q,
                     std::uint64_t seed);

} // namespace nebench
