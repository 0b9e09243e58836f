#pragma once
// Embedding norms as a confidence signal (Draganov et al., ICML 2025,
// sec. 3.3 of papers/tsimcne_medical_norms.md, "Norm as Accuracy"; claim
// N3): samples with small norms are the ones a kNN classifier gets wrong.
// The paper rescales the norms to [0, 1], splits them into 20 bins of width
// 0.05 and reads the kNN accuracy per bin (bins with >= 10 samples); its
// classifier is fitted on the same embeddings it scores. Here, as protocol
// E(b) asks, it is fitted on the train part of a stratified split and scores
// the held-out part, with the cosine metric (kNN on L2-normalised rows).

#include "engine/core/matrix.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct NormConfidenceParams {
  int k = 15;                 ///< neighbours of the kNN classifier
  double test_fraction = 0.2; ///< held-out share of every class
  int bins = 20;              ///< equal-width bins of the rescaled norm
  std::int64_t min_bin = 10;  ///< bins with fewer test samples are dropped
};

struct NormConfidence {
  /// AUROC of the norm as a score for "the kNN prediction is correct" over
  /// the held-out samples (NaN when all or none are correct).
  double auroc = 0;
  /// Spearman correlation between bin position and bin accuracy over the
  /// used bins (NaN with fewer than 3 used bins or constant accuracy).
  double bin_spearman = 0;
  /// kNN accuracy of each bin (NaN for a bin with fewer than min_bin test
  /// samples) and its number of test samples, from the smallest norms up.
  std::vector<double> bin_accuracy;
  std::vector<std::int64_t> bin_count;
  /// Number of bins with at least min_bin test samples.
  int bins_used = 0;
};

/// Throws NebenchError on mismatched sizes, fewer than two classes' worth of
/// split, or bad parameters (k < 1, bins < 1, test_fraction outside (0, 1)).
NormConfidence norm_confidence(const MatrixD &z,
                               const std::vector<std::int32_t> &labels,
                               const NormConfidenceParams &params,
                               std::uint64_t seed);

} // namespace nebench
