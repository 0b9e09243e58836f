#pragma once
// `nebench run`: spec -> plan -> problem -> runs -> metrics -> claims -> HDF5.
// Failed runs are recorded with their reason and the others go on; an
// interrupted run leaves FILE.tmp that the same command resumes.

#include "metrics/claim_check.h"

#include <string>
#include <vector>

namespace nebench {

struct RunOptions {
  std::string spec_path;
  std::string profile = "quick";
  std::string out_path;          ///< default results/<profile>/<spec id>.h5
  int threads = 0;               ///< 0: all cores
  std::vector<std::string> only; ///< run names to run (empty: all)
  std::string device = "cpu";
  bool force = false;         ///< recompute even when FILE is complete
  std::string repo_root;      ///< where datasets/ and results/ live
  bool progress_line = false; ///< redraw one progress line (terminal)
};

struct RunOutcome {
  std::string out_path;
  int total = 0, ok = 0, failed = 0, resumed = 0;
  bool interrupted = false;
  bool up_to_date = false;
  std::vector<ClaimResult> claims;
};

RunOutcome run_spec(const RunOptions &options);

/// Repo root for a spec: $NEBENCH_ROOT, else the nearest folder at or above
/// `start` holding datasets/registry.json, else the current directory.
std::string resolve_repo_root(const std::string &start);

/// Default output path results/<profile>/<spec id>.h5 under the repo root.
std::string default_result_path(const std::string &repo_root,
                                const std::string &profile,
                                const std::string &spec_id);

} // namespace nebench
