#pragma once
// Exact k nearest neighbours in an embedding (typically 2-D, n up to ~70,000),
// the embedding side of kNN recall (papers/spectrum_and_cne.md sections 1.5,
// 2.3) and the classifier behind kNN accuracy.
//
// Both paths return the exact kNN in double precision, ties broken by the
// smaller index (as a brute-force sort by (distance, index) would), so the
// result does not depend on the search structure or on thread scheduling.
// - Up to kKdTreeMaxDim dimensions (every 2-D map): a kd-tree in double
//   (metrics/kd_tree.h), O(log n + k) per query.
// - Above (e.g. 128-D representations): FAISS IndexFlatL2 on float copies
//   finds candidates. Its BLAS path computes |x|^2 + |y|^2 - 2 x.y in float
//   (absolute error ~1e-7 |x|^2, reduced by centring first), so it fetches
//   kKnnRerankSlack extra candidates, recomputes their distances in double
//   and re-sorts. This is exact unless more than kKnnRerankSlack points lie
//   within that float error of the k-th distance.

#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// Largest dimension searched with the kd-tree (beyond, kd-trees approach
/// brute force and FAISS's BLAS path is faster).
inline constexpr int kKdTreeMaxDim = 8;

/// Extra FAISS candidates re-ranked in double (see file comment).
inline constexpr int kKnnRerankSlack = 16;

/// k nearest neighbours of every point of `y` (or only of `queries`, given
/// as point indices) among all points of `y`, self excluded by index, not by
/// distance, so duplicate points are each other's neighbours at distance 0.
/// The result always has y.rows rows indexed by point; when `queries` is
/// non-empty, rows of points not queried hold -1 indices and NaN distances.
/// Throws NebenchError when k < 1 or k > y.rows - 1.
KnnGraph embedding_knn(const MatrixD &y, int k,
                       const std::vector<std::int64_t> &queries = {});

/// k nearest rows of `base` to each row of `queries` (indices into `base`,
/// nearest first, ties by smaller index, no exclusion): row r of the result
/// belongs to queries row r. Throws NebenchError when k < 1, k > base.rows or
/// the dimensions differ.
KnnGraph nearest_in(const MatrixD &base, const MatrixD &queries, int k);

} // namespace nebench
