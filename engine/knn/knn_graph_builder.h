#pragma once
// The shared kNN graph of a spec (DESIGN section 6): exact search ("Flat",
// nebench's blocked brute force, engine/knn/exact_knn.h) by default, any
// other FAISS factory string for approximate indices.

#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"

#include <string>

namespace nebench {

/// k nearest neighbours (Euclidean) of every row of X, the point itself
/// excluded. `index_factory` is "Flat" (exact) or a FAISS factory string
/// ("HNSW32", "IVF256,Flat", ...); indices that need training are trained on
/// X itself.
/// Throws NebenchError when k < 1, k >= n, or the index returns fewer than k
/// neighbours for some point (e.g. an IVF index probing too few lists).
KnnGraph build_knn_graph(const Matrix &X, int k,
                         const std::string &index_factory = "Flat");

} // namespace nebench
