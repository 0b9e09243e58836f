#pragma once
// The binary symmetric kNN graph A = max(A_knn, A_knn^T) (CNE, Damrich et al.
// 2023, sec. 1.1 of our notes; the spectrum paper's UMAP/FA2/LE graph), and
// its normalization P = A / sum(A) used as t-SNE affinities.

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"

namespace nebench {

/// A_ij = 1 when j is among the first k neighbours of i or i among the first
/// k of j; values 1, columns sorted. Throws NebenchError when k is not in
/// [1, graph.k].
Csr binary_knn_graph(const KnnGraph &graph, int k);

/// Divides every value by the sum of all values (P = A / sum A). Throws
/// NebenchError when the sum is not positive.
Csr normalize_to_sum_one(Csr matrix);

} // namespace nebench
