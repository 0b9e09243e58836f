#pragma once
// Shortest-path correlation, the graph paper's global-structure metric
// (papers/graph.md sec. 3.6, "spcorr"): Pearson r between the hop distance
// of node pairs in the graph and the distance of their embedding rows
// (for cosine: the Euclidean distance of the L2-normalised rows).
//
// Pairs are drawn among connected pairs only (a pair in two components has
// no path length); on a graph reduced to its largest component, as every
// dataset of sec. 4 is, that is every pair. The paper's pairs come from
// numpy (seed 101049); ours from Rng(seed), so the sample differs.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "metrics/embedding_metric.h"

#include <cstdint>

namespace nebench {

/// Pearson r (metrics/pearson_correlation.h) over n_pairs ordered pairs
/// (i, j), i != j, i and j in one connected component, drawn uniformly with
/// replacement by Rng(seed): hop distance by breadth-first search (one BFS
/// per distinct i, in parallel) against the Euclidean distance between rows
/// i and j of metric_rows(embedding, metric). NaN when either is constant
/// over the sample (e.g. a complete graph, where every hop distance is 1).
/// Throws NebenchError when the row count differs from graph.n, the graph is
/// not a valid undirected graph or has no edge, or n_pairs < 2.
double shortest_path_correlation(const MatrixD &embedding, const Csr &graph,
                                 EmbeddingMetric metric,
                                 std::int64_t n_pairs = 1000,
                                 std::uint64_t seed = 101049);

} // namespace nebench
