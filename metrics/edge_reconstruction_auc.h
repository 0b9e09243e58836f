#pragma once
// Edge-reconstruction AUC, the graph paper's "link prediction" metric
// (papers/graph.md sec. 3.5, modules/lpred.py): how well embedding
// similarity separates random true edges from random non-edges. The
// embedding was trained on the full graph, so this measures reconstruction,
// not prediction of held-out edges (sec. 3.5, caveat).

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "metrics/embedding_metric.h"

#include <cstdint>

namespace nebench {

/// ROC AUC (metrics/roc_auc.h, ties counted 1/2) of the score of
/// min(n_pairs, |E|) true edges {i, j}, drawn without replacement, against
/// min(n_pairs, number of non-edges) non-edges {i, j}, i != j, also without
/// replacement, all drawn uniformly by Rng(seed) (edges first). Score:
/// cosine similarity of the rows for cosine (the dot product of
/// metric_rows; 0 with a zero row), minus the Euclidean distance for
/// euclidean. Throws NebenchError when the row count differs from graph.n,
/// the graph is not a valid undirected graph, has no edge or no non-edge,
/// or n_pairs < 1.
double edge_reconstruction_auc(const MatrixD &embedding, const Csr &graph,
                               EmbeddingMetric metric,
                               std::int64_t n_pairs = 1000,
                               std::uint64_t seed = 110099);

} // namespace nebench
