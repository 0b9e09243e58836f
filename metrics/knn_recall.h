#pragma once
// kNN recall: the share of each point's k reference neighbours that are also
// among its k embedding neighbours, averaged over points. Two references are
// used by the papers (papers/spectrum_and_cne.md): the exact kNN of the input
// space (CNE, section 1.5) and the top-k entries of the method's own input
// affinity matrix (spectrum, section 2.3).

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// Mean over `points` (all points when empty) of
/// |ref_k(i) ∩ emb_k(i)| / k, where ref_k and emb_k are the first k columns
/// of row i of each graph (rows are indexed by point in both). Slots holding
/// -1 (padding of short rows, see top_k_affinity_neighbors) are never hits
/// but still count in the denominator k. Throws NebenchError when k < 1,
/// either graph has fewer than k columns, the row counts differ, or a point
/// is out of range.
double knn_recall(const KnnGraph &reference, const KnnGraph &embedding_knn,
                  int k, const std::vector<std::int64_t> &points = {});

/// Each row's k largest affinities as a KnnGraph: neighbours ordered by
/// decreasing P_ij, ties broken by the smaller column index. Only stored,
/// positive, off-diagonal entries count (a stored zero carries no affinity
/// and the diagonal is self). Rows with fewer than k such entries are padded
/// with -1, which knn_recall never counts as a hit. `distances` holds NaN:
/// an affinity graph has no input-space distances.
KnnGraph top_k_affinity_neighbors(const Csr &p, int k);

} // namespace nebench
