#pragma once
// Class norms against what the model saw in training (Draganov et al., ICML
// 2025, sec. 3.2 S3 and 3.3 of papers/tsimcne_medical_norms.md; claim N3):
// classes held out of training get smaller embedding norms, and in an
// imbalanced training set a class's mean norm rises with its frequency.
// The embedding covers every row; `training_rows` are the rows the model
// trained on (MethodOutput::training_rows).

#include "engine/core/matrix.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nebench {

struct ClassNorms {
  /// Mean ||z_i|| over the rows of classes absent from training divided by
  /// the mean over the rows of the classes present; none when every class
  /// was trained on.
  std::optional<double> unseen_ratio;
  /// Spearman correlation, over the classes present in training, between a
  /// class's number of training rows and the mean norm of all its rows;
  /// none with fewer than 3 such classes or equal counts.
  std::optional<double> count_spearman;
};

/// Throws NebenchError when labels and z disagree in size or a training row
/// is out of range.
ClassNorms class_norms(const MatrixD &z,
                       const std::vector<std::int32_t> &labels,
                       const std::vector<std::int64_t> &training_rows);

} // namespace nebench
