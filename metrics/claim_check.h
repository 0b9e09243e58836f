#pragma once
// Machine-checked claims (CLAIMS.md; shared spec reference, "claims"): a
// check over the /summary rows of a result file that yields pass, fail or
// inconclusive. Seeds are aggregated by their mean; the spread of a group is
// the sample standard deviation over its rows (0 with one row). A claim the
// data does not support gets "fail", or "inconclusive" when the effect is
// inside the seed-to-seed spread (2 sqrt(sd_1^2 + sd_2^2), needs >= 2 seeds
// on both sides) or data is missing. Rows of failed runs (status != "ok")
// and rows without a finite value of the metric are excluded and listed in
// observed["excluded"]. Two checks decide differently, see evaluate_claim:
// "close" is inconclusive when the seed spread exceeds its tolerance, and
// "within" and "ratio_in" have no spread rule (pass or fail on the means);
// "slope" fits all valid rows and takes its spread from per-seed fits.

#include "engine/core/spec_node.h"
#include "metrics/summary_row.h"

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace nebench {

/// Rows of one run whose sweep params contain all of `params` (numbers
/// compare with relative tolerance 1e-12, strings exactly).
struct ClaimSelection {
  std::string run;                                  ///< runs[].name
  nlohmann::json params = nlohmann::json::object(); ///< sweep values to match
  /// Spec key "best": of the run's sweep settings that match `params`, only
  /// the one with the highest mean of the claim's metric over seeds (the
  /// graph paper reports node2vec at its best (p, q) by recall,
  /// papers/graph.md sec. 3).
  bool best = false;
};

/// One end of argmax_in's range: a number, or the seed mean of `metric`
/// over the ok rows of the unswept run `run` (e.g. {"run": "neg_at_tsne",
/// "metric": "last_c"}: where t-SNE's Z sits on the c axis).
struct ClaimBound {
  double value = 0;   ///< the number (when run is "")
  std::string run;    ///< reference run (runs[].name, unswept); "" = number
  std::string metric; ///< the reference run's stored metric
};

struct ClaimSpec {
  std::string id;       ///< unique, starts with the CLAIMS.md label ("S1-...")
  std::string text;     ///< the claim in words
  nlohmann::json check; ///< the check object as written in the spec
  /// monotone | greater | argmax_in | within | ratio_in | close | slope |
  /// bound
  std::string type;
  /// stored metric name, e.g. "knn_recall@15" ("" for ratio_in, whose
  /// sides name their own: metric_a, metric_b)
  std::string metric;
  ClaimSelection target; ///< run (and params, within and bound) of
                         ///< monotone, argmax_in, within, slope, bound
  std::string over;      ///< swept param of monotone, argmax_in and slope
  std::string direction; ///< monotone: "increasing" | "decreasing"
  /// monotone: allowed wrong-way step; within: |mean - reference| bound;
  /// close: |mean(a) - mean(b)| bound (metric units)
  double tolerance = 0;
  /// greater: mean(a) - mean(b) > margin; close: |mean(a) - mean(b)| <=
  /// tolerance; ratio_in: mean_a(a) / mean_b(b) in [lo, hi]
  ClaimSelection a, b;
  double margin = 0; ///< greater (metric units)
  /// greater: compare a and b paired over seeds (spec key "paired", default
  /// false; medical paper claim M1, "paired over 3 seeds; report paired
  /// differences across seeds"): rows are matched by seed, d_s = a_s - b_s,
  /// and mean(d) > margin passes; the spread is 2 sd(d) instead of
  /// 2 sqrt(sd_a^2 + sd_b^2): what a seed fixes in both runs (e.g. the
  /// network's initialisation) cancels in d_s
  bool paired = false;
  /// argmax_in: the two ends of the range of `over` that must hold the
  /// maximum, as written; the effective range is [min, max] of their
  /// values, so the order of two references does not matter
  std::array<ClaimBound, 2> range;
  /// argmax_in: the argmax may lie up to this many grid steps (the sorted
  /// swept values) outside the range: a range whose ends come from other
  /// runs (a measured Z) is not made of grid values and may fall between
  /// two of them, so on a discrete sweep the nearest grid value outside is
  /// as close as the grid can resolve
  int slack_steps = 0;
  std::string metric_a, metric_b; ///< ratio_in: the metric of each side
  /// ratio_in: range of the ratio; slope: range of the fitted slope
  double lo = 0, hi = 0;
  /// slope (spec key "log", default true): fit log(metric) against
  /// log(over), the exponent of a power law metric ~ over^slope (the norms
  /// paper's steps ~ r^2, N2; ||grad|| ~ 1/s, N1); false fits metric against
  /// over on linear axes. Both axes together: no semi-log fits.
  bool log_axes = true;
  double reference = 0; ///< within: expected value (e.g. a paper's number)
  /// bound: the mean over seeds must lie above (spec key "above") or below
  /// ("below") `threshold` by more than 2 sd over seeds (inside: the claim
  /// is inconclusive, as for greater); e.g. an AUROC above chance 0.5, a
  /// norm ratio below 1
  double threshold = 0;
  bool above = true;
  /// Optional: why the claim may not hold in this setting (settings, data
  /// size, a reimplementation's differences); reports show it when the
  /// verdict is not pass. "" when the spec gives none.
  std::string caveat;

  /// Strict parse of one "claims" element. `run_sweep_params` maps every run
  /// name of the spec to its sweep parameter names; the check's runs, `over`
  /// and selection params must exist there, and a run an argmax_in range end
  /// refers to must be unswept (one row per seed). Errors name the JSON path
  /// ("claims[0].check.over: ...").
  static ClaimSpec from_spec(
      const SpecNode &claim_node,
      const std::map<std::string, std::set<std::string>> &run_sweep_params);
};

struct ClaimResult {
  std::string id, text;
  std::string verdict;     ///< pass | fail | inconclusive
  std::string explanation; ///< one sentence with the key numbers
  nlohmann::json observed; ///< the numbers behind the verdict
  nlohmann::json check;    ///< the check as written
  std::string caveat;      ///< ClaimSpec::caveat ("" when none)
};

/// Evaluates one claim on the summary rows of a result file.
///   monotone   seed means along `over` step the given way; a wrong-way step
///              beyond tolerance fails, inconclusive within 2x seed spread.
///   greater    mean(a) - mean(b) > margin; inconclusive when the
///              difference lies within 2x the seed spread of the margin, on
///              either side (an effect inside the seed-to-seed noise is no
///              pass, CLAIMS.md).
///              paired: the rows of a and b are matched by seed (only seeds
///              with a valid value on both sides; the others are listed in
///              observed["unpaired_seeds"], a seed with two valid rows on
///              one side is inconclusive), d_s = a_s - b_s; inconclusive when
///              >= 2 pairs and |mean(d) - margin| <= 2 sd(d), else mean(d) >
///              margin passes and the rest fails; no pair is inconclusive.
///              observed: pairs [{seed, a, b, difference}], n_pairs,
///              difference (= mean(d)), difference_sd, spread (= 2 sd(d)).
///   argmax_in  the `over` value of the largest mean lies in the range
///              (widened by slack_steps); a range end that refers to a run
///              without valid rows is inconclusive; so are top two within
///              the spread on different sides of the range.
///   within     |mean - reference| <= tolerance, else fail.
///   ratio_in   mean(a) / mean(b) in [lo, hi], else fail; inconclusive when
///              a side has no valid rows or mean(b) = 0. The range is meant
///              to be a factor wide compared with the seed spread.
///   slope      least-squares slope of log(metric) against log(over) (or of
///              metric against over when "log" is false) over every valid
///              row of the run (seeds and other sweep params pooled) in
///              [lo, hi] passes; rows with a value <= 0 on a log axis are
///              excluded; fewer than 2 distinct values of `over` is
///              inconclusive. With >= 2 seeds that each have >= 2 distinct
///              values, each seed is also fitted alone: a slope outside the
///              range but within 2 sd(seed slopes) of it is inconclusive.
///              observed: slope, intercept, r2, points [{x, y, seed}],
///              seed_slopes [{seed, slope}], slope_sd, spread, range, log.
///   close      |mean(a) - mean(b)| > tolerance fails; within it, the
///              verdict is inconclusive when the spread of the difference
///              (2 sqrt(sd_a^2 + sd_b^2), >= 2 seeds on both sides) exceeds
///              the tolerance (the seeds cannot resolve a difference that
///              small, so the agreement may be luck), else pass.
ClaimResult evaluate_claim(const ClaimSpec &claim,
                           const std::vector<SummaryRow> &rows);

} // namespace nebench
