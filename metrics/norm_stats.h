#pragma once
// Embedding norm statistics (mean, quantiles of ||y_i||), stored with every
// run and logged in traces; the norms paper (Draganov et al. 2025) reads them.

#include "engine/core/matrix.h"

namespace nebench {

struct NormStats {
  double mean = 0, std = 0, min = 0, q05 = 0, q25 = 0, median = 0, q75 = 0,
         q95 = 0, max = 0;
};

NormStats norm_stats(const MatrixD &embedding);

} // namespace nebench
