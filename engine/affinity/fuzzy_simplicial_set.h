#pragma once
// UMAP's input graph (McInnes, Healy & Melville 2018, sec. 3.1 and
// Appendix; umap-learn's umap_.py: smooth_knn_dist,
// compute_membership_strengths, fuzzy_simplicial_set): every point i gets a
// local metric from its k nearest neighbours,
//   w_ij = exp(-(d_ij - rho_i) / sigma_i),  rho_i = distance to the nearest
//   neighbour,  sum_j exp(-(d_ij - rho_i) / sigma_i) = log2(k) * bandwidth,
// and the directed memberships are combined by the fuzzy union
//   W = w + w^T - w o w^T   (set_op_mix_ratio 1).
//
// Convention (umap-learn and uwot): n_neighbors counts the point itself, so
// k = 15 uses the 14 nearest OTHER points of the shared kNN graph (which
// excludes self) and calibrates to log2(15).

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"

#include <vector>

namespace nebench {

struct FuzzySimplicialSetParams {
  /// umap-learn's n_neighbors: the neighbourhood size INCLUDING the point
  /// itself (UMAP paper sec. 3.1; 15 in umap-learn, uwot and the spectrum
  /// paper sec. 2.2). Uses the first n_neighbors - 1 columns of the graph.
  int n_neighbors = 15;
  /// Number of neighbours assumed connected with membership 1 (rho_i is the
  /// local_connectivity-th nearest non-zero distance, interpolated for
  /// fractional values); umap-learn default 1.
  double local_connectivity = 1.0;
  /// Mix between fuzzy union (1) and fuzzy intersection (0) when
  /// symmetrizing: r (w + w^T - w o w^T) + (1 - r) w o w^T; default 1.
  double set_op_mix_ratio = 1.0;
  /// Multiplies the calibration target log2(k) (umap-learn's bandwidth, 1).
  double bandwidth = 1.0;
  /// Binary-search steps for sigma_i (umap-learn: 64).
  int n_iter = 64;
};

/// The per-point local metric of smooth_knn_dist.
struct SmoothKnnDistances {
  std::vector<double> sigma; ///< n: bandwidth sigma_i (after the floor)
  std::vector<double> rho;   ///< n: local connectivity offset rho_i
};

/// umap-learn's smooth_knn_dist on the first params.n_neighbors - 1
/// neighbours of every point: rho_i as above, sigma_i by bisection (absolute
/// tolerance 1e-5 on the sum, at most n_iter steps) and then floored at
/// MIN_K_DIST_SCALE = 1e-3 times the mean neighbour distance (of the point
/// when rho_i > 0, else of the whole graph; both means count the zero
/// self-distance as umap-learn does). Parallel over points. Throws
/// NebenchError when n_neighbors is not in [2, graph.k + 1].
SmoothKnnDistances smooth_knn_distances(const KnnGraph &graph,
                                        const FuzzySimplicialSetParams &params);

/// The symmetric fuzzy set W as CSR: columns sorted, values in (0, 1], no
/// diagonal, zeros removed. `local`, when not null, receives sigma and rho.
/// Throws NebenchError on an invalid graph (neighbour index out of range,
/// equal to the point itself, or repeated in a row).
Csr fuzzy_simplicial_set(const KnnGraph &graph,
                         const FuzzySimplicialSetParams &params,
                         SmoothKnnDistances *local = nullptr);

} // namespace nebench
