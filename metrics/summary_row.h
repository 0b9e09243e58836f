#pragma once
// One row of a result file's /summary table: what claim checks and the CI
// baseline comparison read (shared spec reference, "Result file layout").

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace nebench {

struct SummaryRow {
  /// "<name>@<param>=<value>,...,seed=<s>" or "<name>@seed=<s>"
  std::string run_id;
  /// the run's name in the spec (runs[].name)
  std::string run_name;
  /// sweep values of this run, e.g. {"rho": 4}; {} when not swept
  nlohmann::json params = nlohmann::json::object();
  /// the run's seed
  std::uint64_t seed = 0;
  /// "ok" or "failed"
  std::string status = "ok";
  /// reason of a failure, "" when ok
  std::string error;
  /// wall-clock time of the run (s)
  double wall_seconds = 0;
  /// stored metric name -> value (absent or NaN = not computed)
  std::map<std::string, double> metrics;
};

} // namespace nebench
