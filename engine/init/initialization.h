#pragma once
// Initial embeddings, following openTSNE's initialization module: PCA
// rescaled to a small standard deviation (Kobak & Linderman 2021, "Initial-
// ization is critical for preserving global data structure"), isotropic
// Gaussian noise, and the rescale/jitter helpers.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"

#include <cstdint>

namespace nebench {

/// First `dim` principal components of X (engine/knn/pca.h sign convention),
/// rescaled so that the standard deviation of the first column is
/// target_std (openTSNE initialization.pca + rescale; 1e-4 in t-SNE).
MatrixD pca_init(const Matrix &X, int dim, double target_std);

/// The graph paper's spectral initialization (papers/graph.md sec. 1, 2,
/// 5.1: sklearn's SpectralEmbedding of the adjacency): the first `dim`
/// nontrivial generalized eigenvectors of the graph Laplacian (engine/ne/
/// laplacian_eigenmaps.h: D-normalized, sign-fixed), rescaled so that the
/// standard deviation of the first column is target_std (graph t-SNE 1e-4,
/// ForceAtlas2 100), or left as they are when target_std is 0 (graph CNE's
/// 128-D init is not rescaled). Throws NumericalError on a disconnected
/// graph.
MatrixD spectral_init(const Csr &adjacency, int dim, double target_std);

/// n x dim independent N(0, std^2) entries from Rng(seed).
MatrixD random_init(std::int64_t n, int dim, double std, std::uint64_t seed);

/// Scales Y so that the (population) standard deviation of its first column
/// is target_std, as openTSNE's rescale. Throws NumericalError when that
/// column is constant.
void rescale(MatrixD &Y, double target_std);

/// Adds N(0, (scale * std(first column))^2) noise to every entry (openTSNE's
/// jitter, scale 0.01 after PCA init): separates exactly coincident points.
void jitter(MatrixD &Y, double scale, std::uint64_t seed);

} // namespace nebench
