#include "datasets/class_subset.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace nebench {

namespace {
/// Own stream, so the choice is unrelated to the method's other draws with
/// the same seed.
constexpr std::uint64_t kClassSubsetStream = 0x636c617373737562ULL;
} // namespace

std::vector<std::int64_t>
class_subset_rows(const std::vector<std::int32_t> &labels,
                  const ClassSubset &subset, std::uint64_t seed) {
  if (!(subset.decay >= 1.0) || !std::isfinite(subset.decay))
    throw NebenchError("class subset: decay must be a finite number >= 1, "
                       "got " +
                       std::to_string(subset.decay));
  std::map<std::int32_t, std::vector<std::int64_t>> rows_of; // label order
  for (std::size_t i = 0; i < labels.size(); ++i)
    rows_of[labels[i]].push_back(static_cast<std::int64_t>(i));

  Rng rng(seed, kClassSubsetStream);
  std::vector<std::int64_t> kept;
  int rank = 0;
  for (auto &[label, rows] : rows_of) {
    const int c = rank++;
    if (std::find(subset.exclude.begin(), subset.exclude.end(), label) !=
        subset.exclude.end())
      continue;
    const double share = std::pow(subset.decay, -static_cast<double>(c));
    const auto keep = std::max<std::int64_t>(
        1, std::llround(share * static_cast<double>(rows.size())));
    if (keep < static_cast<std::int64_t>(rows.size()))
      for (const std::int64_t pick :
           rng.sample(static_cast<std::int64_t>(rows.size()), keep))
        kept.push_back(rows[pick]);
    else
      kept.insert(kept.end(), rows.begin(), rows.end());
  }
  if (kept.empty())
    throw NebenchError("class subset: no training rows are left (every class "
                       "is excluded)");
  std::sort(kept.begin(), kept.end());
  return kept;
}

} // namespace nebench
