#pragma once
// Exact k-nearest-neighbour search by blocked brute force.
//
// FAISS's "Flat" index (as packaged by Debian: generic x86-64 build, BLAS
// threads fighting the OpenMP pool) spent ~40 s on the 70,000 x 50
// Fashion-MNIST graph, more than the t-SNE optimisation itself. This search
// computes the same squared distances |q|^2 + |x|^2 - 2 q.x tile by tile with
// a register-blocked kernel compiled for AVX-512, AVX2 and baseline x86-64
// (chosen at run time), and keeps each query's k best in a bounded heap.

#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"

namespace nebench {

/// k nearest neighbours (Euclidean) of every row of X, the row itself
/// excluded (an exact duplicate of it is a neighbour at distance 0).
/// Neighbours are sorted by distance, ties by index; distances are
/// recomputed exactly (double) for the k winners. The result does not depend
/// on the thread count. Requires 1 <= k < X.rows.
KnnGraph exact_knn_graph(const Matrix &X, int k);

} // namespace nebench
