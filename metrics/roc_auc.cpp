#include "metrics/roc_auc.h"

#include "engine/core/errors.h"
#include "metrics/rank_correlation.h"

#include <limits>
#include <string>

namespace nebench {

double roc_auc(const std::vector<double> &scores,
               const std::vector<bool> &positive) {
  if (scores.size() != positive.size())
    throw NebenchError("roc_auc: " + std::to_string(scores.size()) +
                       " scores for " + std::to_string(positive.size()) +
                       " outcomes");
  double n_pos = 0, rank_sum = 0;
  const std::vector<double> ranks = average_ranks(scores);
  for (std::size_t i = 0; i < scores.size(); ++i)
    if (positive[i]) {
      n_pos += 1;
      rank_sum += ranks[i];
    }
  const double n_neg = static_cast<double>(scores.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0)
    return std::numeric_limits<double>::quiet_NaN();
  // U = rank sum of the positives minus its minimum n_pos (n_pos + 1) / 2.
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

} // namespace nebench
