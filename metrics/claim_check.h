#pragma once
// Machine-checked claims (CLAIMS.md; shared spec reference, "claims"): a
// check over the /summary rows of a result file that yields pass, fail or
// inconclusive. Seeds are aggregated by their mean; the spread of a group is
// the sample standard deviation over its rows (0 with one row). A claim the
// data does not support gets "fail", or "inconclusive" when the effect is
// inside the seed-to-seed spread (2 sqrt(sd_1^2 + sd_2^2), needs >= 2 seeds
// on both sides) or data is missing. Rows of failed runs (status != "ok")
// and rows without a finite value of the metric are excluded and listed in
// observed["excluded"].

#include "engine/core/spec_node.h"
#include "metrics/summary_row.h"

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
};

struct ClaimSpec {
  std::string id;        ///< unique, starts with the CLAIMS.md label ("S1-...")
  std::string text;      ///< the claim in words
  nlohmann::json check;  ///< the check object as written in the spec
  std::string type;      ///< monotone | greater | argmax_in | within
  std::string metric;    ///< stored metric name, e.g. "knn_recall@15"
  ClaimSelection target; ///< run (and params, within) of monotone, argmax_in,
                         ///< within
  std::string over;      ///< swept param of monotone and argmax_in
  std::string direction; ///< monotone: "increasing" | "decreasing"
  double tolerance = 0;  ///< monotone: allowed wrong-way step; within: |mean -
                         ///< reference| bound (metric units)
  ClaimSelection a, b;   ///< greater: mean(a) - mean(b) > margin
  double margin = 0;     ///< greater (metric units)
  double lo = 0, hi = 0; ///< argmax_in: range of `over` that must hold the max
  double reference = 0;  ///< within: expected value (e.g. a paper's number)
  /// Optional: why the claim may not hold in this setting (settings, data
  /// size, a reimplementation's differences); reports show it when the
  /// verdict is not pass. "" when the spec gives none.
  std::string caveat;

  /// Strict parse of one "claims" element. `run_sweep_params` maps every run
  /// name of the spec to its sweep parameter names; the check's runs, `over`
  /// and selection params must exist there. Errors name the JSON path
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
ClaimResult evaluate_claim(const ClaimSpec &claim,
                           const std::vector<SummaryRow> &rows);

} // namespace nebench
