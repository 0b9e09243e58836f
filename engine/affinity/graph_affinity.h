#pragma once
// Graph t-SNE's affinities (Böhm, Keute et al., TMLR 2025; papers/graph.md
// sec. 1): the adjacency matrix takes the place of the kNN graph. Rows are
// L1-normalised (P_ij = A_ij / d_i), symmetrised ((P + P^T) / 2) and divided
// by their total N, so that on an unweighted graph
//   P_ij = (1/d_i + 1/d_j) / (2N)  for every edge (i, j), 0 otherwise,
// and P sums to 1. Hubs do not dominate: each node spreads the same mass 1/N
// over its edges.

#include "engine/core/csr.h"

namespace nebench {

/// P of a symmetric adjacency matrix A (non-negative values; A_ij / d_i with
/// the weighted degree d_i = sum_j A_ij, so an unweighted graph gives the
/// formula above). Columns sorted. Throws NebenchError when A is not square
/// and symmetric in its pattern, has a negative or non-finite value, a
/// self-loop, or a node without edges (d_i = 0: its row cannot be
/// normalised; take the largest connected component first).
Csr graph_tsne_affinity(const Csr &adjacency);

} // namespace nebench
