#pragma once
// CI regression baselines (experiments/baselines/<spec id, "/" -> "__">.json):
// for one spec and profile, the expected value and tolerance band of chosen
// run metrics and the expected verdict of each claim. `nebench check
// --baseline` compares a result file against it; any row that is not ok
// fails CI.
//
//   {"spec_id": "spectrum/fmnist_exaggeration", "profile": "smoke",
//    "generated_utc": "2025-01-01T00:00:00Z",
//    "metrics": {"tsne@rho=4,seed=0": {"knn_recall@15":
//                                      {"expected": 0.31, "tolerance": 0.02}}},
//    "claims": {"S1-recall-falls-with-rho": "pass"}}

#include "metrics/summary_row.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nebench {

/// Accepted interval [expected - tolerance, expected + tolerance].
struct BaselineBand {
  double expected = 0;  ///< value of the reference run (metric units)
  double tolerance = 0; ///< half-width of the band, >= 0 (metric units)
};

struct Baseline {
  std::string spec_id;       ///< the spec's id
  std::string profile;       ///< profile the baseline was produced with
  std::string generated_utc; ///< ISO 8601, informational ("" if absent)
  /// run id -> metric name -> band
  std::map<std::string, std::map<std::string, BaselineBand>> metrics;
  /// claim id -> expected verdict (pass | fail | inconclusive)
  std::map<std::string, std::string> claims;

  /// Strict parse; errors (SpecError) name `file` and the JSON path, e.g.
  /// "b.json: metrics.tsne@seed=0.knn_recall@15.tolerance: must be in ...".
  /// Required: spec_id, profile, metrics; optional: generated_utc, claims.
  static Baseline from_json(const nlohmann::json &j, const std::string &file);
};

/// Reads and parses a baseline file (DataError when unreadable or not JSON).
Baseline load_baseline(const std::string &path);

/// File name of a spec's baseline: "spectrum/fmnist" ->
/// "spectrum__fmnist.json".
std::string baseline_file_name(const std::string &spec_id);

/// One comparison: a metric of a run against its band, or a claim verdict.
struct BaselineRow {
  std::string run_id;           ///< run id; "(claim)" for claim rows
  std::string metric;           ///< metric name; the claim id for claim rows
  double expected = 0;          ///< band centre (NaN for claim rows)
  double tolerance = 0;         ///< band half-width (NaN for claim rows)
  double observed = 0;          ///< value in the results (NaN when missing)
  bool ok = false;              ///< inside the band / same verdict
  std::string note;             ///< why not ok ("" when ok)
  std::string kind = "metric";  ///< "metric" or "claim"
  std::string expected_verdict; ///< claim rows: verdict in the baseline
  std::string observed_verdict; ///< claim rows: verdict now ("" if missing)
};

/// Every metric band and claim of the baseline checked against the results:
/// a missing run or metric, a failed run, a value outside
/// [expected - tolerance, expected + tolerance], and a missing or changed
/// claim verdict each give a row with ok = false. Runs, metrics and claims
/// that the baseline does not mention are not compared.
std::vector<BaselineRow>
compare_to_baseline(const Baseline &baseline,
                    const std::vector<SummaryRow> &rows,
                    const std::map<std::string, std::string> &claim_verdicts);

/// As above, parsing `baseline` first (errors name `file`).
std::vector<BaselineRow>
compare_to_baseline(const nlohmann::json &baseline,
                    const std::vector<SummaryRow> &rows,
                    const std::map<std::string, std::string> &claim_verdicts,
                    const std::string &file = "baseline");

/// True when every row is ok.
bool baseline_passed(const std::vector<BaselineRow> &rows);

/// Fixed-width text table "run | metric | expected band | observed |
/// status", one line per row, then a line "N of M checks failed".
std::string format_baseline_table(const std::vector<BaselineRow> &rows);

/// Band width when writing a baseline: max(absolute, relative * |value|).
struct BaselineTolerance {
  double absolute = 0.02; ///< metric units; recall/accuracy are in [0, 1]
  double relative = 0.05; ///< share of |value|, for unbounded metrics (norms)
};

/// A baseline JSON from current results: every finite metric of every ok
/// run, and every claim verdict. Failed runs are left out (they cannot be a
/// reference); review the file before committing it.
nlohmann::json
make_baseline(const std::string &spec_id, const std::string &profile,
              const std::string &generated_utc,
              const std::vector<SummaryRow> &rows,
              const std::map<std::string, std::string> &claim_verdicts,
              const BaselineTolerance &tolerance = {});

} // namespace nebench
