#include "engine/affinity/perplexity_affinity.h"
#include "engine/core/errors.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace nebench {
namespace {

using testing::brute_force_graph;
using testing::gaussian_data;

double entropy_bits(const std::vector<double> &p) {
  double h = 0;
  for (double v : p)
    if (v > 0)
      h -= v * std::log2(v);
  return h;
}

TEST(PerplexityAffinity, EveryConditionalReachesItsPerplexity) {
  const Matrix X = gaussian_data(400, 10, 1);
  const KnnGraph g = brute_force_graph(X, 90);
  for (double perp : {5.0, 30.0}) {
    for (std::int64_t i = 0; i < g.n; ++i) {
      std::vector<double> d2(90), p(90);
      for (int j = 0; j < 90; ++j)
        d2[j] = double(g.dists(i)[j]) * g.dists(i)[j];
      conditional_distribution(d2.data(), 90, perp, 1e-5, 200, p.data());
      double sum = 0;
      for (double v : p)
        sum += v;
      ASSERT_NEAR(sum, 1.0, 1e-12);
      // Measured independently of the code's own entropy formula.
      ASSERT_LT(std::fabs(entropy_bits(p) - std::log2(perp)), 1e-3)
          << "point " << i << " perplexity " << perp;
      // Gaussian in the distance: log p is affine in d^2 with one slope.
      const double beta = (std::log(p[0]) - std::log(p[89])) / (d2[89] - d2[0]);
      ASSERT_GT(beta, 0);
      for (int j = 1; j < 89; ++j)
        ASSERT_NEAR(std::log(p[0]) - std::log(p[j]), beta * (d2[j] - d2[0]),
                    1e-8 * (1 + beta * d2[89]));
    }
  }
}

TEST(PerplexityAffinity, HandComputedTwoNeighbours) {
  // d^2 = {0, 1}: p = (1, e^-b) / (1 + e^-b). For p2 = 1/4 (b = log 3) the
  // perplexity is 2^H(1/4, 3/4) = 1.7548...
  const double d2[2] = {0.0, 1.0};
  double p[2];
  const double perp =
      std::exp2(-(0.25 * std::log2(0.25) + 0.75 * std::log2(0.75)));
  conditional_distribution(d2, 2, perp, 1e-12, 200, p);
  EXPECT_NEAR(p[0], 0.75, 1e-9);
  EXPECT_NEAR(p[1], 0.25, 1e-9);
}

TEST(PerplexityAffinity, LargeDistancesDoNotUnderflow) {
  // Pixel-scale distances (~1e3) would underflow exp(-beta d^2) unshifted.
  std::vector<double> d2(30), p(30);
  for (int j = 0; j < 30; ++j)
    d2[j] = 1e6 + 1e4 * j;
  const double gap =
      conditional_distribution(d2.data(), 30, 10.0, 1e-5, 200, p.data());
  EXPECT_LE(gap, 1e-5);
  EXPECT_LT(std::fabs(entropy_bits(p) - std::log2(10.0)), 1e-3);
}

TEST(PerplexityAffinity, SymmetricSumsToOneAndMatchesDefinition) {
  const Matrix X = gaussian_data(300, 5, 2);
  const KnnGraph g = brute_force_graph(X, 40);
  PerplexityParams params;
  params.perplexity = 10;
  params.k = 30; // fewer than the graph holds: the first 30 are used
  const Csr P = perplexity_affinities(g, params);
  ASSERT_EQ(P.n, 300);
  ASSERT_EQ(P.indptr.size(), 301u);

  // Reference: dense conditional matrix built from conditional_distribution.
  std::map<std::pair<std::int64_t, std::int64_t>, double> cond;
  for (std::int64_t i = 0; i < g.n; ++i) {
    std::vector<double> d2(30), p(30);
    for (int j = 0; j < 30; ++j)
      d2[j] = double(g.dists(i)[j]) * g.dists(i)[j];
    conditional_distribution(d2.data(), 30, 10.0, 1e-5, 200, p.data());
    for (int j = 0; j < 30; ++j)
      cond[{i, g.neighbors(i)[j]}] = p[j];
  }
  double total = 0;
  std::size_t expected_nnz = 0;
  for (const auto &[ij, v] : cond)
    expected_nnz += cond.count({ij.second, ij.first}) ? 1 : 2;
  // Each mutual pair appears twice in cond (counted 1 + 1), each one-sided
  // pair once (counted 2): the symmetric matrix has that many entries.
  EXPECT_EQ(static_cast<std::size_t>(P.nnz()), expected_nnz);

  for (std::int64_t i = 0; i < P.n; ++i) {
    for (auto e = P.indptr[i]; e < P.indptr[i + 1]; ++e) {
      const std::int64_t j = P.indices[e];
      if (e > P.indptr[i])
        ASSERT_LT(P.indices[e - 1], j) << "row " << i << " not sorted";
      ASSERT_NE(j, i);
      const auto a = cond.find({i, j}), b = cond.find({j, i});
      const double want = ((a == cond.end() ? 0 : a->second) +
                           (b == cond.end() ? 0 : b->second)) /
                          (2.0 * 300);
      ASSERT_NEAR(P.values[e], want, 1e-15);
      ASSERT_DOUBLE_EQ(P.values[e], P.at(j, i)); // symmetric
      total += P.values[e];
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(PerplexityAffinity, DefaultKIsThreePerplexity) {
  PerplexityParams params;
  params.perplexity = 30;
  EXPECT_EQ(perplexity_neighbors(params), 90);
  params.perplexity = 4.5;
  EXPECT_EQ(perplexity_neighbors(params), 14); // lround(13.5) = 14
}

TEST(PerplexityAffinity, RejectsTooFewNeighbours) {
  const Matrix X = gaussian_data(100, 3, 3);
  const KnnGraph g = brute_force_graph(X, 20);
  PerplexityParams params; // k = 90 > 20
  EXPECT_THROW(perplexity_affinities(g, params), NebenchError);
  params.perplexity = 20;
  params.k = 20; // perplexity 20 cannot be reached with 20 neighbours
  EXPECT_THROW(perplexity_affinities(g, params), NebenchError);
}

} // namespace
} // namespace nebench
