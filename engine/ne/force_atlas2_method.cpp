#include "engine/ne/force_atlas2_method.h"

#include "engine/core/errors.h"
#include "engine/init/initialization.h"
#include "engine/ne/input_graph.h"

#include <string>
#include <utility>

namespace nebench {

ForceAtlas2Params ForceAtlas2Params::from_spec(const SpecNode &node) {
  ForceAtlas2Params p;
  ForceAtlas2LayoutParams &l = p.layout;
  node.string("type", std::string("fa2"), {"fa2"});
  p.input = read_graph_input(node);
  p.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 1e6)));
  l.iters = static_cast<int>(node.integer("iters", 750, Range::closed(0, 1e8)));
  l.scaling_ratio = node.number("scaling_ratio", 2.0, Range::positive());
  l.gravity = node.number("gravity", 1.0, Range::at_least(0.0));
  l.theta = node.number("theta", 1.2, Range::closed(0.0, 10.0));
  l.jitter_tolerance = node.number("jitter_tolerance", 1.0, Range::positive());
  l.linlog = node.boolean("linlog", false);
  l.strong_gravity = node.boolean("strong_gravity", false);
  if (node.has("max_displacement"))
    l.max_displacement =
        node.number("max_displacement", std::nullopt, Range::positive());
  l.log_every =
      static_cast<int>(node.integer("log_every", 50, Range::closed(1, 1e9)));
  if (auto i = node.optional_child("init")) {
    p.init.type =
        i->string("type", std::string("pca"), {"pca", "random", "spectral"});
    p.init.std = i->number("std", 1e3, Range::positive());
    i->finish();
  }
  node.finish();
  return p;
}

ForceAtlas2Method::ForceAtlas2Method(ForceAtlas2Params params)
    : params_(std::move(params)) {
  if (params_.k < 1)
    throw NebenchError("ForceAtlas2: k must be >= 1");
}

double ForceAtlas2Method::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  // Binary kNN graph: up to 2nk entries of 12 bytes, plus the directed
  // edges while it is built (8 bytes each).
  const double graph = 2.0 * nd * params_.k * (12.0 + 8.0);
  // Layout, forces, old forces, init, output (2 doubles each), masses.
  const double layout = 5.0 * nd * 16.0 + nd * 8.0;
  // Barnes-Hut: <= n regions of 48 bytes, 7 per-node arrays.
  const double tree = nd * 48.0 + nd * 48.0;
  return graph + layout + tree + (1 << 20);
}

MethodOutput ForceAtlas2Method::run(const Problem &problem,
                                    const RunContext &ctx) {
  MethodOutput out;
  out.affinities =
      method_input_graph(problem, params_.input, params_.k, "ForceAtlas2");
  const std::int64_t n = out.affinities->n;
  ctx.check();

  MatrixD Y;
  if (params_.init.type == "pca") {
    if (!problem.X || problem.X->rows != n || problem.X->cols < 2)
      throw NebenchError("ForceAtlas2: PCA initialization needs the data "
                         "matrix with one row per graph node (a graph "
                         "dataset has none: use \"spectral\")");
    Y = pca_init(*problem.X, 2, params_.init.std);
  } else if (params_.init.type == "spectral") {
    Y = spectral_init(*out.affinities, 2, params_.init.std);
  } else {
    Y = random_init(n, 2, params_.init.std, ctx.seed);
  }
  ForceAtlas2Layout layout(*out.affinities, params_.layout);
  out.trace = layout.run(Y, ctx);
  out.embedding = std::move(Y);
  return out;
}

} // namespace nebench
