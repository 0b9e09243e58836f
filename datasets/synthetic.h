#pragma once
// Seeded synthetic datasets. The same options and seed give the same data on
// every platform (engine/core/rng.h); the dataset's sha256 is a digest of the
// generator name and its resolved options (seed included), so results record
// exactly which data they were computed on.

#include "datasets/dataset.h"
#include "engine/core/spec_node.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// Well-separated isotropic Gaussian clusters: the textbook case where every
/// method should find the classes.
struct GaussianMixtureOptions {
  /// Number of clusters (= classes).
  std::int64_t n_clusters = 10;
  /// Points per cluster.
  std::int64_t n_per_cluster = 500;
  /// Ambient dimension.
  std::int64_t dim = 50;
  /// Typical norm of a cluster mean: means are drawn from
  /// N(0, separation^2 / dim * I), so |mu| ~ separation and
  /// |mu_a - mu_b| ~ sqrt(2) * separation in any dimension, while points
  /// scatter around their mean with unit variance per coordinate (distance to
  /// the mean ~ sqrt(dim)). The default 10 separates the clusters in kNN
  /// terms at dim = 50 (own mean at ~7.1, other means at ~sqrt(50 + 200)).
  double separation = 10.0;
  /// Seed of the generator (spec key dataset.options.seed).
  std::uint64_t seed = 0;

  /// Strict parsing of dataset.options (unknown keys are errors).
  static GaussianMixtureOptions from_spec(const SpecNode &options);
  json to_json() const;
};

/// The spectrum paper's "Gaussian line" toy data (Boehm, Berens & Kobak 2022,
/// JMLR, toy examples; berenslab/ne-spectrum jnb_msc/generator/gauss_line.py):
/// isotropic unit-variance Gaussians whose means lie on a line, consecutive
/// means `step` apart, so neighbouring clusters overlap and the classes form a
/// continuum. Label = position on the line, so continuity is observable.
struct GaussianLineOptions {
  /// Number of Gaussians along the line (paper: 20).
  std::int64_t n_clusters = 20;
  /// Points per Gaussian (paper: 1000, i.e. n = 20,000).
  std::int64_t n_per_cluster = 1000;
  /// Ambient dimension (paper: 50).
  std::int64_t dim = 50;
  /// Distance between consecutive means (paper: cluster_dist = 6). The line
  /// runs along the diagonal (1, ..., 1) / sqrt(dim) as in the paper's code;
  /// the noise is isotropic, so the direction does not matter.
  double step = 6.0;
  /// Seed of the generator (spec key dataset.options.seed).
  std::uint64_t seed = 0;

  static GaussianLineOptions from_spec(const SpecNode &options);
  json to_json() const;
};

Dataset make_gaussian_mixture(const GaussianMixtureOptions &options);
Dataset make_gaussian_line(const GaussianLineOptions &options);

/// Names of the generators ("gaussian-line", "gaussian-mixture",
/// "rotated-shapes" of datasets/rotated_shapes.h).
const std::vector<std::string> &synthetic_generators();
bool is_synthetic_generator(const std::string &name);

/// Checks `options` (an object node, path e.g. "dataset.options") for the
/// named generator without generating anything; throws SpecError naming the
/// JSON path of the first bad option.
void validate_synthetic_options(const std::string &generator,
                                const SpecNode &options);

/// Parses the options strictly and generates the dataset.
Dataset generate_synthetic(const std::string &generator,
                           const SpecNode &options);

} // namespace nebench
