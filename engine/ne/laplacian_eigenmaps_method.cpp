#include "engine/ne/laplacian_eigenmaps_method.h"

#include "engine/core/errors.h"
#include "engine/ne/input_graph.h"
#include "engine/ne/laplacian_eigenmaps.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace nebench {

LaplacianEigenmapsParams
LaplacianEigenmapsParams::from_spec(const SpecNode &node) {
  LaplacianEigenmapsParams p;
  node.string("type", std::string("laplacian_eigenmaps"),
              {"laplacian_eigenmaps"});
  p.input = read_graph_input(node);
  p.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
  p.dim = static_cast<int>(node.integer("dim", 2, Range::closed(1, 1000)));
  p.tolerance = node.number("tolerance", 1e-10, Range{0.0, 1.0, true, true});
  p.max_restarts = static_cast<int>(
      node.integer("max_restarts", 1000, Range::closed(1, 1e9)));
  node.finish();
  return p;
}

LaplacianEigenmapsMethod::LaplacianEigenmapsMethod(
    LaplacianEigenmapsParams params)
    : params_(std::move(params)) {
  if (params_.k < 1 || params_.dim < 1)
    throw NebenchError("Laplacian eigenmaps: k and dim must be >= 1");
}

double LaplacianEigenmapsMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  // Graph (12 bytes per entry), normalized values and its transpose for the
  // symmetry check (20 bytes per entry), directed edges while building.
  const double graph = 2.0 * nd * params_.k * (12.0 + 20.0 + 8.0);
  // Lanczos basis (ncv vectors), Ritz vectors, start, output.
  const int ncv = std::max(2 * params_.dim + 1, 20);
  const double lanczos = nd * 8.0 * (ncv + 3.0 * params_.dim + 6.0);
  return graph + lanczos + (1 << 20);
}

MethodOutput LaplacianEigenmapsMethod::run(const Problem &problem,
                                           const RunContext &ctx) {
  const auto start = std::chrono::steady_clock::now();
  MethodOutput out;
  out.affinities = method_input_graph(problem, params_.input, params_.k,
                                      "Laplacian eigenmaps");
  ctx.check();
  LaplacianEigenmapsOptions options;
  options.tolerance = params_.tolerance;
  options.max_restarts = params_.max_restarts;
  options.seed = ctx.seed;
  LaplacianEigenmapsInfo info;
  out.embedding =
      laplacian_eigenmaps(*out.affinities, params_.dim, options, &info);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (int c = 0; c < params_.dim; ++c) {
    out.trace.push("component", c + 1);
    out.trace.push("eigenvalue", info.eigenvalues[c]);
    out.trace.push("residual", info.residuals[c]);
    out.trace.push("restarts", static_cast<double>(info.restarts));
    out.trace.push("matvecs", static_cast<double>(info.matvecs));
    out.trace.push("shift_invert", info.shift_invert ? 1.0 : 0.0);
    out.trace.push("seconds", seconds);
  }
  ctx.report(1, 1, "Laplacian eigenmaps");
  return out;
}

} // namespace nebench
