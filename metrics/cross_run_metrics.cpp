#include "metrics/cross_run_metrics.h"

#include "engine/core/errors.h"
#include "metrics/distance_correlation.h"

#include <optional>
#include <utility>

namespace nebench {

namespace {

/// The row of run `name` with seed `seed`, or null when there is none.
const SummaryRow *find_reference(const std::vector<SummaryRow> &rows,
                                 const std::string &name, std::uint64_t seed) {
  const SummaryRow *found = nullptr;
  for (const auto &r : rows) {
    if (r.run_name != name || r.seed != seed)
      continue;
    if (found)
      throw NebenchError("cross-run metrics: run \"" + name +
                         "\" has two expanded runs with seed " +
                         std::to_string(seed) + " (" + found->run_id + ", " +
                         r.run_id + "); a reference must be unswept");
    found = &r;
  }
  return found;
}

} // namespace

CrossRunResult compute_cross_run_metrics(const std::vector<MetricSpec> &specs,
                                         std::vector<SummaryRow> &rows,
                                         const EmbeddingSource &embedding) {
  CrossRunResult result;
  // Reference embeddings are shared by many rows (every t-SNE rho); read
  // each once.
  std::map<std::string, Matrix> references;
  // (metric, seed) -> why it is absent and for how many rows, so that a
  // missing reference gives one warning, not one per swept run.
  std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, int>>
      absent;

  for (auto &row : rows) {
    if (row.status != "ok")
      continue;
    std::optional<Matrix> own; // read when the first metric needs it
    for (const auto &spec : specs) {
      if (!is_cross_run(spec) || row.run_name == spec.run)
        continue;
      const std::string name = metric_names(spec).front();
      if (row.metrics.count(name))
        continue;
      const SummaryRow *ref = find_reference(rows, spec.run, row.seed);
      if (!ref || ref->status != "ok") {
        auto &[why, count] = absent[{name, row.seed}];
        why = !ref ? "run \"" + spec.run + "\" with seed " +
                         std::to_string(row.seed) + " is not in this result"
                   : "run " + ref->run_id + " failed" +
                         (ref->error.empty() ? "" : " (" + ref->error + ")");
        ++count;
        continue;
      }
      auto it = references.find(ref->run_id);
      if (it == references.end())
        it = references.emplace(ref->run_id, embedding(ref->run_id)).first;
      if (!own)
        own = embedding(row.run_id);
      try {
        const double v =
            distance_correlation(*own, it->second, spec.points, row.seed);
        row.metrics[name] = v;
        result.added[row.run_id][name] = v;
      } catch (const NebenchError &e) {
        result.warnings.push_back(name + " of " + row.run_id +
                                  " not computed: " + e.what());
      }
    }
  }
  for (const auto &[key, why_count] : absent)
    result.warnings.push_back(
        key.first + " not computed for " + std::to_string(why_count.second) +
        " run(s) with seed " + std::to_string(key.second) + ": " +
        why_count.first);
  return result;
}

} // namespace nebench
