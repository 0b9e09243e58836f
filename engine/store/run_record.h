#pragma once
// Everything stored for one run: /runs/<id> in the result file.

#include "engine/core/matrix.h"
#include "engine/core/trace.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace nebench {

struct RunRecord {
  std::string id;        ///< "tsne@rho=4,seed=0"
  std::string name;      ///< run name in the spec
  nlohmann::json params; ///< sweep values of this run
  std::uint64_t seed = 0;
  nlohmann::json method;     ///< method object after substitution
  double wall_seconds = 0;   ///< method + metrics
  std::string status = "ok"; ///< "ok" | "failed"
  std::string error;         ///< why it failed ("" when ok)
  std::string started_utc;
  Matrix embedding; ///< n x dim (empty when failed)
  Trace trace;
  std::map<std::string, double> metrics;
};

} // namespace nebench
