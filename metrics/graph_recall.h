#pragma once
// Neighbour recall of a node embedding against its graph, the graph paper's
// "local structure preservation" (papers/graph.md sec. 3.1, modules/
// recall.py): for test node i of degree d_i, the share of its d_i graph
// neighbours among its d_i nearest embedding neighbours. k is adaptive and
// uncapped: a degree-100 hub needs its 100 graph neighbours as its 100
// nearest points.
//
// Differences from the paper's code, both deliberate:
// - Self is excluded by index, not by dropping the first of d_i + 1 results:
//   with duplicate points (collapsed FA2 nodes) self need not come first
//   (sec. 8, "Recall").
// - Ties in distance are broken by the smaller node index (as
//   metrics/embedding_knn.h does), so the result does not depend on the
//   search structure.
// - Test nodes come from Rng(seed).sample, not numpy's default_rng(110099),
//   so the sample differs from the paper's; with N <= n_test (all nodes)
//   the value is the same.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "metrics/embedding_metric.h"

#include <cstdint>

namespace nebench {

/// Mean over min(N, n_test) test nodes, drawn without replacement by
/// Rng(seed).sample(N, .), of recall_i = |kNN(i, d_i) ∩ N_G(i)| / d_i, where
/// kNN(i, d_i) are the d_i nodes j != i with the smallest distance between
/// embedding rows (metric_rows of `metric`), ties by smaller j. Test nodes of
/// degree 0 are skipped (not replaced); NaN when every test node has degree
/// 0. Exact brute force: O(N dim) per test node, in parallel over test
/// nodes, and deterministic. Throws NebenchError when the row count differs
/// from graph.n, graph is not a valid undirected graph
/// (check_undirected_graph), or n_test < 1.
double graph_recall(const MatrixD &embedding, const Csr &graph,
                    EmbeddingMetric metric, std::int64_t n_test = 1000,
                    std::uint64_t seed = 110099);

} // namespace nebench
