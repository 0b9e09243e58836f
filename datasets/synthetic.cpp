#include "datasets/synthetic.h"

#include "datasets/graph_dataset.h"
#include "datasets/rotated_shapes.h"
#include "datasets/sha256.h"
#include "datasets/stochastic_block_model.h"
#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <cmath>
#include <cstdio>

namespace nebench {

namespace {

/// Bump when a generator's algorithm changes, so that old digests (and caches
/// keyed by them) no longer match.
constexpr const char *kSyntheticVersion = "nebench-synthetic-v1";
/// Generated matrices are capped like loaded ones (2^31 values, 8 GiB).
constexpr double kMaxValues = 2147483648.0;

void check_size(const SpecNode &options, std::int64_t n_clusters,
                std::int64_t n_per_cluster, std::int64_t dim) {
  const double values = static_cast<double>(n_clusters) *
                        static_cast<double>(n_per_cluster) *
                        static_cast<double>(dim);
  if (values > kMaxValues) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", values);
    options.fail(std::string("n_clusters * n_per_cluster * dim = ") + buf +
                 " values, more than the 2^31 allowed");
  }
}

void require_object(const SpecNode &options) {
  if (!options.is_object())
    options.fail("must be an object, got " + json_type_name(options.raw()));
}

std::string digest(const std::string &generator, const json &resolved) {
  return sha256_bytes(std::string(kSyntheticVersion) + "\n" + generator + "\n" +
                      resolved.dump());
}

std::vector<std::string> numbered_classes(std::int64_t k) {
  std::vector<std::string> names;
  for (std::int64_t c = 0; c < k; ++c)
    names.push_back(std::to_string(c));
  return names;
}

} // namespace

GaussianMixtureOptions
GaussianMixtureOptions::from_spec(const SpecNode &options) {
  require_object(options);
  GaussianMixtureOptions o;
  o.n_clusters =
      options.integer("n_clusters", o.n_clusters, Range::closed(1, 1e6));
  o.n_per_cluster =
      options.integer("n_per_cluster", o.n_per_cluster, Range::closed(1, 1e9));
  o.dim = options.integer("dim", o.dim, Range::closed(1, 1e6));
  o.separation = options.number("separation", o.separation, Range::at_least(0));
  o.seed = static_cast<std::uint64_t>(
      options.integer("seed", 0, Range::closed(0, 9.0e15)));
  options.finish();
  check_size(options, o.n_clusters, o.n_per_cluster, o.dim);
  return o;
}

json GaussianMixtureOptions::to_json() const {
  return json{{"n_clusters", n_clusters},
              {"n_per_cluster", n_per_cluster},
              {"dim", dim},
              {"separation", separation},
              {"seed", seed}};
}

GaussianLineOptions GaussianLineOptions::from_spec(const SpecNode &options) {
  require_object(options);
  GaussianLineOptions o;
  o.n_clusters =
      options.integer("n_clusters", o.n_clusters, Range::closed(1, 1e6));
  o.n_per_cluster =
      options.integer("n_per_cluster", o.n_per_cluster, Range::closed(1, 1e9));
  o.dim = options.integer("dim", o.dim, Range::closed(1, 1e6));
  o.step = options.number("step", o.step, Range::at_least(0));
  o.seed = static_cast<std::uint64_t>(
      options.integer("seed", 0, Range::closed(0, 9.0e15)));
  options.finish();
  check_size(options, o.n_clusters, o.n_per_cluster, o.dim);
  return o;
}

json GaussianLineOptions::to_json() const {
  return json{{"n_clusters", n_clusters},
              {"n_per_cluster", n_per_cluster},
              {"dim", dim},
              {"step", step},
              {"seed", seed}};
}

Dataset make_gaussian_mixture(const GaussianMixtureOptions &o) {
  Rng rng(o.seed);
  const std::int64_t n = o.n_clusters * o.n_per_cluster;
  // Means first, then the points cluster by cluster: the means do not depend
  // on n_per_cluster.
  const double mean_std = o.separation / std::sqrt(static_cast<double>(o.dim));
  std::vector<double> means(static_cast<std::size_t>(o.n_clusters * o.dim));
  for (auto &m : means)
    m = mean_std * rng.normal();
  Dataset ds;
  ds.name = "gaussian-mixture";
  ds.X = Matrix(n, o.dim);
  ds.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t c = 0; c < o.n_clusters; ++c)
    for (std::int64_t p = 0; p < o.n_per_cluster; ++p) {
      const std::int64_t i = c * o.n_per_cluster + p;
      for (std::int64_t j = 0; j < o.dim; ++j)
        ds.X(i, j) = static_cast<float>(
            means[static_cast<std::size_t>(c * o.dim + j)] + rng.normal());
      ds.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
    }
  ds.class_names = numbered_classes(o.n_clusters);
  ds.sha256 = digest(ds.name, o.to_json());
  ds.indices = identity_indices(n);
  return ds;
}

Dataset make_gaussian_line(const GaussianLineOptions &o) {
  Rng rng(o.seed);
  const std::int64_t n = o.n_clusters * o.n_per_cluster;
  // Mean c is c * step * u with u = (1, ..., 1) / sqrt(dim), so consecutive
  // means are exactly `step` apart (ne-spectrum: linspace(0, n_clusters * s)
  // with s = step / sqrt(dim) in every coordinate).
  const double per_coordinate = o.step / std::sqrt(static_cast<double>(o.dim));
  Dataset ds;
  ds.name = "gaussian-line";
  ds.X = Matrix(n, o.dim);
  ds.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t c = 0; c < o.n_clusters; ++c) {
    const double mean = static_cast<double>(c) * per_coordinate;
    for (std::int64_t p = 0; p < o.n_per_cluster; ++p) {
      const std::int64_t i = c * o.n_per_cluster + p;
      for (std::int64_t j = 0; j < o.dim; ++j)
        ds.X(i, j) = static_cast<float>(mean + rng.normal());
      ds.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
    }
  }
  ds.class_names = numbered_classes(o.n_clusters);
  ds.sha256 = digest(ds.name, o.to_json());
  ds.indices = identity_indices(n);
  return ds;
}

namespace {

/// Dataset options of the "sbm" generator (papers/graph.md sec. 4, 7 P2):
/// {"n_blocks", "n_per_block", "p_in", "p_out", "seed"}, defaults the graph
/// paper's (10 x 101, 0.1, 0.01).
SbmOptions sbm_options(const SpecNode &options) {
  require_object(options);
  SbmOptions o;
  o.n_blocks = options.integer("n_blocks", o.n_blocks, Range::closed(1, 1e6));
  o.n_per_block =
      options.integer("n_per_block", o.n_per_block, Range::closed(1, 1e9));
  o.p_in = options.number("p_in", o.p_in, Range::closed(0, 1));
  o.p_out = options.number("p_out", o.p_out, Range::closed(0, 1));
  o.seed = static_cast<std::uint64_t>(
      options.integer("seed", 0, Range::closed(0, 9.0e15)));
  options.finish();
  if (static_cast<double>(o.n_blocks) * static_cast<double>(o.n_per_block) >
      2147483647.0)
    options.fail("n_blocks * n_per_block must be below 2^31");
  return o;
}

Dataset make_sbm(const SbmOptions &o) {
  const json resolved = {{"n_blocks", o.n_blocks},
                         {"n_per_block", o.n_per_block},
                         {"p_in", o.p_in},
                         {"p_out", o.p_out},
                         {"seed", o.seed}};
  return graph_dataset(stochastic_block_model(o), "sbm",
                       digest("sbm", resolved));
}

} // namespace

const std::vector<std::string> &synthetic_generators() {
  static const std::vector<std::string> names = {
      "gaussian-line", "gaussian-mixture", "rotated-shapes", "sbm"};
  return names;
}

bool is_synthetic_generator(const std::string &name) {
  for (const auto &g : synthetic_generators())
    if (g == name)
      return true;
  return false;
}

void validate_synthetic_options(const std::string &generator,
                                const SpecNode &options) {
  if (generator == "gaussian-mixture")
    GaussianMixtureOptions::from_spec(options);
  else if (generator == "gaussian-line")
    GaussianLineOptions::from_spec(options);
  else if (generator == "rotated-shapes")
    RotatedShapesOptions::from_spec(options);
  else if (generator == "sbm")
    sbm_options(options);
  else
    throw SpecError(options.file(), options.path(),
                    "unknown synthetic generator \"" + generator + "\"");
}

Dataset generate_synthetic(const std::string &generator,
                           const SpecNode &options) {
  if (generator == "gaussian-mixture")
    return make_gaussian_mixture(GaussianMixtureOptions::from_spec(options));
  if (generator == "gaussian-line")
    return make_gaussian_line(GaussianLineOptions::from_spec(options));
  if (generator == "rotated-shapes")
    return make_rotated_shapes(RotatedShapesOptions::from_spec(options));
  if (generator == "sbm")
    return make_sbm(sbm_options(options));
  throw SpecError(options.file(), options.path(),
                  "unknown synthetic generator \"" + generator + "\"");
}

} // namespace nebench
