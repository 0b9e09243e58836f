#include "metrics/class_norms.h"

#include "engine/core/errors.h"
#include "metrics/rank_correlation.h"

#include <cmath>
#include <map>
#include <string>

namespace nebench {

ClassNorms class_norms(const MatrixD &z,
                       const std::vector<std::int32_t> &labels,
                       const std::vector<std::int64_t> &training_rows) {
  if (static_cast<std::int64_t>(labels.size()) != z.rows)
    throw NebenchError("class_norms: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(z.rows) + " rows");
  std::map<std::int32_t, double> trained; // label -> training rows
  for (const std::int64_t r : training_rows) {
    if (r < 0 || r >= z.rows)
      throw NebenchError("class_norms: training row " + std::to_string(r) +
                         " is outside the " + std::to_string(z.rows) + " rows");
    trained[labels[r]] += 1;
  }
  struct Sum {
    double norm = 0, rows = 0;
  };
  std::map<std::int32_t, Sum> per_class;
  Sum seen, unseen;
  for (std::int64_t i = 0; i < z.rows; ++i) {
    double sq = 0;
    for (std::int64_t j = 0; j < z.cols; ++j)
      sq += z(i, j) * z(i, j);
    const double norm = std::sqrt(sq);
    Sum &c = per_class[labels[i]];
    c.norm += norm;
    c.rows += 1;
    Sum &side = trained.count(labels[i]) ? seen : unseen;
    side.norm += norm;
    side.rows += 1;
  }

  ClassNorms out;
  if (unseen.rows > 0 && seen.rows > 0 && seen.norm > 0)
    out.unseen_ratio = (unseen.norm / unseen.rows) / (seen.norm / seen.rows);
  std::vector<double> counts, means;
  for (const auto &[label, count] : trained) {
    counts.push_back(count);
    means.push_back(per_class[label].norm / per_class[label].rows);
  }
  if (counts.size() >= 3) {
    const double rho = spearman_correlation(counts, means);
    if (std::isfinite(rho))
      out.count_spearman = rho;
  }
  return out;
}

} // namespace nebench
