#include "engine/ne/umap_method.h"

#include "engine/affinity/fuzzy_simplicial_set.h"
#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/init/initialization.h"
#include "engine/knn/pca.h"
#include "engine/ne/edge_sampling_sgd.h"
#include "engine/ne/laplacian_eigenmaps.h"
#include "engine/ne/negative_sampler.h"
#include "engine/ne/umap_gradient.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <string>
#include <utility>

namespace nebench {

namespace {

// Stream ids of the initializations (small, disjoint from sgd_stream()).
constexpr std::uint64_t kRandomInitStream = 2;
constexpr std::uint64_t kInitNoiseStream = 3;
constexpr std::uint64_t kSpectralStream = 4;

// umap-learn's noisy_scale_coords noise (standard deviation).
constexpr double kInitNoise = 1e-4;

void scale_to_max_abs(MatrixD &Y, double max_abs) {
  double m = 0;
  for (double v : Y.data)
    m = std::max(m, std::fabs(v));
  if (!(m > 0) || !std::isfinite(m))
    throw NumericalError("UMAP init: the initial layout is all zero or not "
                         "finite, cannot scale it to max |y| = " +
                         std::to_string(max_abs));
  for (double &v : Y.data)
    v *= max_abs / m;
}

MatrixD random_layout(const UmapInitParams &init, std::int64_t n, int dim,
                      std::uint64_t seed) {
  MatrixD Y(n, dim);
  Rng rng(seed, kRandomInitStream);
  for (double &v : Y.data)
    v = init.std ? *init.std * rng.normal()
                 : init.max_abs * (2.0 * rng.uniform() - 1.0);
  return Y;
}

} // namespace

int UmapParams::resolved_epochs(std::int64_t n) const {
  // umap-learn: n_epochs = 500 if the graph has <= 10,000 vertices else 200.
  return epochs.value_or(n <= 10000 ? 500 : 200);
}

UmapParams UmapParams::from_spec(const SpecNode &node) {
  UmapParams p;
  node.string("type", std::string("umap"), {"umap"});
  p.k = static_cast<int>(node.integer("k", 15, Range::closed(2, 1001)));

  const bool has_a = node.has("a"), has_b = node.has("b");
  if (has_a != has_b)
    node.fail_at(has_a ? "b" : "a",
                 "a and b must be given together (or neither, to fit them "
                 "from min_dist and spread)");
  if (has_a) {
    p.curve.a = node.number("a", std::nullopt, Range::positive());
    p.curve.b = node.number("b", std::nullopt, Range::positive());
    p.curve_given = true;
    for (const char *key : {"min_dist", "spread"})
      if (node.has(key))
        node.fail_at(key, "has no effect when a and b are given");
  } else {
    p.min_dist = node.number("min_dist", 0.1, Range::at_least(0.0));
    p.spread = node.number("spread", 1.0, Range::positive());
    if (p.min_dist > p.spread)
      node.fail_at("min_dist", "must be <= spread (" +
                                   std::to_string(p.spread) +
                                   "), as in umap-learn");
    try {
      p.curve = fit_umap_curve(p.min_dist, p.spread);
    } catch (const NebenchError &e) {
      node.fail_at("min_dist", e.what());
    }
  }

  if (node.has("epochs"))
    p.epochs = static_cast<int>(
        node.integer("epochs", std::nullopt, Range::closed(1, 1e8)));
  p.learning_rate = node.number("learning_rate", 1.0, Range::positive());
  p.negative_sample_rate = static_cast<int>(
      node.integer("negative_sample_rate", 5, Range::closed(1, 1e5)));
  p.repulsion_strength =
      node.number("repulsion_strength", 1.0, Range::at_least(0.0));
  p.eps = node.number("eps", 0.001, Range::at_least(0.0));

  if (auto i = node.optional_child("init")) {
    p.init.type =
        i->string("type", std::string("pca"), {"pca", "spectral", "random"});
    if (i->has("max_abs") && i->has("std"))
      i->fail_at("std", "give either max_abs or std, not both");
    if (i->has("std"))
      p.init.std = i->number("std", std::nullopt, Range::positive());
    else
      p.init.max_abs = i->number("max_abs", 10.0, Range::positive());
    i->finish();
  }
  p.log_every =
      static_cast<int>(node.integer("log_every", 50, Range::closed(1, 1e9)));
  p.batch = node.boolean("batch", true);
  node.finish();
  return p;
}

UmapMethod::UmapMethod(UmapParams params) : params_(std::move(params)) {
  if (params_.k < 2)
    throw NebenchError("UMAP: k must be >= 2 (it counts the point itself)");
  if (params_.dim < 1)
    throw NebenchError("UMAP: dim must be >= 1");
}

double UmapMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  const double m = params_.k - 1; // neighbours per point
  // Fuzzy set: directed w and its transpose (12 bytes per entry each), then
  // W with up to 2nm entries (12 bytes), kept as the output affinities.
  const double fuzzy = 48.0 * nd * m;
  // SGD: a pruned copy of W (12 bytes per entry) and the edge arrays (heads,
  // tails, weight, epochs_per_sample and 4 schedule counters: 56 bytes) for
  // up to 2nm edges.
  const double sgd = 2.0 * nd * m * (12.0 + 56.0);
  // Layouts: init and output in double, the float embedding and its
  // gradient; per-node loss sums.
  const double layout = nd * params_.dim * (8.0 + 8.0 + 4.0 + 4.0) + 8.0 * nd;
  return fuzzy + sgd + layout + (1 << 20);
}

MatrixD UmapMethod::initial_layout(const UmapParams &params, const Matrix &X,
                                   const Csr &W, std::uint64_t seed) {
  const UmapInitParams &init = params.init;
  const std::int64_t n = W.n;
  const int dim = params.dim;
  std::string type = init.type;
  MatrixD Y;
  if (type == "spectral") {
    try {
      LaplacianEigenmapsOptions opt;
      opt.seed = seed;
      Y = laplacian_eigenmaps(W, dim, opt);
      // umap-learn's spectral_layout returns eigenvectors u of the
      // normalized Laplacian I - D^-1/2 W D^-1/2; laplacian_eigenmaps gives
      // v = D^-1/2 u.
      for (std::int64_t i = 0; i < n; ++i) {
        double deg = 0;
        for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
          deg += W.values[p];
        for (int d = 0; d < dim; ++d)
          Y(i, d) *= std::sqrt(deg);
      }
    } catch (const NumericalError &e) {
      spdlog::warn("UMAP spectral initialization failed ({}); falling back "
                   "to random initialization",
                   e.what());
      type = "random";
    }
  } else if (type == "pca") {
    if (X.rows != n)
      throw NebenchError("UMAP: PCA initialization needs the data matrix "
                         "with one row per graph node");
    Y = convert<double>(pca_transform(X, dim));
  }
  if (type == "random")
    return random_layout(init, n, dim, seed);

  if (init.std) {
    rescale(Y, *init.std);
  } else {
    // umap-learn's noisy_scale_coords(max_coord = 10, noise = 1e-4).
    scale_to_max_abs(Y, init.max_abs);
    Rng rng(seed, type == "pca" ? kInitNoiseStream : kSpectralStream);
    for (double &v : Y.data)
      v += kInitNoise * rng.normal();
  }
  return Y;
}

MethodOutput UmapMethod::run(const Problem &problem, const RunContext &ctx) {
  if (!problem.graph)
    throw NebenchError("UMAP: the problem has no kNN graph");
  const KnnGraph &knn = *problem.graph;
  const std::int64_t n = knn.n;
  if (n < 2)
    throw NebenchError("UMAP: needs at least 2 points");
  if (params_.k - 1 > knn.k)
    throw NebenchError("UMAP: k = " + std::to_string(params_.k) +
                       " (counting the point itself) needs " +
                       std::to_string(params_.k - 1) +
                       " neighbours but the shared kNN graph has k = " +
                       std::to_string(knn.k) + " (raise graph.knn.k)");

  MethodOutput out;
  FuzzySimplicialSetParams fp;
  fp.n_neighbors = params_.k;
  out.affinities = fuzzy_simplicial_set(knn, fp);
  ctx.check();

  static const Matrix kNoData;
  const MatrixD init = initial_layout(params_, problem.X ? *problem.X : kNoData,
                                      *out.affinities, ctx.seed);
  Matrix Y = convert<float>(init);

  EdgeSgdParams sp;
  sp.epochs = params_.resolved_epochs(n);
  sp.learning_rate = params_.learning_rate;
  sp.negative_sample_rate = params_.negative_sample_rate;
  sp.batch = params_.batch;
  sp.log_every = params_.log_every;
  sp.seed = ctx.seed;
  sp.label = "UMAP";
  UmapGradientParams gp;
  gp.a = params_.curve.a;
  gp.b = params_.curve.b;
  gp.gamma = params_.repulsion_strength;
  gp.eps = params_.eps;
  const UniformNegatives negatives{n};
  // b = 1 (the spectrum paper's a = b = 1) avoids pow() in the inner loop.
  if (gp.b == 1.0) {
    EdgeSamplingSgd sgd(*out.affinities, UmapGradient<true>(gp), negatives, sp);
    out.trace = sgd.optimize(Y, ctx);
  } else {
    EdgeSamplingSgd sgd(*out.affinities, UmapGradient<false>(gp), negatives,
                        sp);
    out.trace = sgd.optimize(Y, ctx);
  }
  out.embedding = convert<double>(Y);
  return out;
}

} // namespace nebench
