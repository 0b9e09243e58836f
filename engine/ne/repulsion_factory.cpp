#include "engine/ne/repulsion_factory.h"

#include "engine/core/errors.h"
#include "engine/ne/barnes_hut_repulsion.h"
#include "engine/ne/exact_repulsion.h"

namespace nebench {

std::vector<std::string> repulsion_types() { return {"exact", "bh", "fft"}; }

std::string resolve_repulsion(const std::string &type, std::int64_t n,
                              int dim) {
  if (type != "auto")
    return type;
  if (n <= kExactRepulsionMaxPoints || dim != 2)
    return "exact";
  return n <= kBarnesHutMaxPoints ? "bh" : "fft";
}

std::unique_ptr<RepulsionEstimator>
make_repulsion(const std::string &type, int dim, double dof, double theta,
               const FftRepulsionParams &fft) {
  if (type == "exact")
    return std::make_unique<ExactRepulsion>(dof);
  if (type == "bh") {
    if (dim != 2)
      throw NebenchError("Barnes-Hut repulsion needs a 2-D embedding, got " +
                         std::to_string(dim) + " dimensions");
    BarnesHutParams p;
    p.theta = theta;
    p.dof = dof;
    return std::make_unique<BarnesHutRepulsion>(p);
  }
  if (type == "fft") {
    if (dim != 2)
      throw NebenchError("FFT repulsion needs a 2-D embedding, got " +
                         std::to_string(dim) + " dimensions");
    FftRepulsionParams p = fft;
    p.dof = dof;
    return std::make_unique<FftRepulsion>(p);
  }
  std::string known;
  for (const auto &t : repulsion_types())
    known += (known.empty() ? "" : ", ") + t;
  throw NebenchError("unknown repulsion estimator \"" + type +
                     "\" (known: auto, " + known + ")");
}

} // namespace nebench
