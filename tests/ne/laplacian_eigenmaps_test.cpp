// Laplacian eigenmaps: the analytic spectrum of a path graph, a dense
// generalized eigensolver on a kNN graph, the sign rule, determinism,
// disconnected graphs, and the "laplacian_eigenmaps" method's parameters.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/core/connected_components.h"
#include "engine/ne/laplacian_eigenmaps.h"
#include "engine/ne/laplacian_eigenmaps_method.h"
#include "tests/ne/fa2_le_test_util.h"

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>

namespace nebench {
namespace {

using testing::gaussian_blobs;
using testing::graph_from_edges;

std::vector<double> degrees(const Csr &W) {
  std::vector<double> d(static_cast<std::size_t>(W.n), 0.0);
  for (std::int64_t i = 0; i < W.n; ++i)
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      d[i] += W.values[p];
  return d;
}

/// <a, b>_D = sum_i d_i a_i b_i for column c of V and a vector b.
double d_inner(const MatrixD &V, int c, const std::vector<double> &b,
               const std::vector<double> &d) {
  double s = 0;
  for (std::int64_t i = 0; i < V.rows; ++i)
    s += d[i] * V(i, c) * b[i];
  return s;
}

TEST(LaplacianEigenmaps, PathGraphMatchesTheAnalyticSpectrum) {
  // Path 0 - 1 - ... - (n-1): D^-1 W f = cos(pi k / (n-1)) f for f(j) =
  // cos(pi k j / (n-1)) (interior: (f(j-1) + f(j+1)) / 2; ends: f(1) and
  // f(n-2)), so lambda_k = 1 - cos(pi k / (n-1)), k = 0 .. n-1.
  const int n = 40;
  std::vector<std::pair<int, int>> edges;
  for (int j = 0; j + 1 < n; ++j)
    edges.emplace_back(j, j + 1);
  const Csr W = graph_from_edges(n, edges);
  const auto d = degrees(W);
  LaplacianEigenmapsInfo info;
  const MatrixD V = laplacian_eigenmaps(W, 3, {}, &info);
  ASSERT_EQ(V.rows, n);
  ASSERT_EQ(V.cols, 3);
  for (int c = 0; c < 3; ++c) {
    const int k = c + 1;
    EXPECT_NEAR(info.eigenvalues[c], 1.0 - std::cos(M_PI * k / (n - 1)), 1e-12);
    EXPECT_LT(info.residuals[c], 1e-9);
    std::vector<double> f(n);
    double norm2 = 0;
    for (int j = 0; j < n; ++j) {
      f[j] = std::cos(M_PI * k * j / (n - 1));
      norm2 += d[j] * f[j] * f[j];
    }
    for (double &v : f)
      v /= std::sqrt(norm2);
    // D-normalized and equal to the analytic vector up to sign.
    EXPECT_NEAR(d_inner(V, c, std::vector<double>(V.rows), d), 0.0, 1e-15);
    std::vector<double> own(n);
    for (int j = 0; j < n; ++j)
      own[j] = V(j, c);
    EXPECT_NEAR(d_inner(V, c, own, d), 1.0, 1e-12);
    EXPECT_NEAR(std::fabs(d_inner(V, c, f, d)), 1.0, 1e-10);
  }
}

/// A connected binary kNN graph of random points.
Csr knn_test_graph(int n, int k, std::uint64_t seed) {
  std::vector<std::int32_t> labels;
  const Matrix X = gaussian_blobs(1, n, 3, 0.0, seed, labels);
  return binary_knn_graph(build_knn_graph(X, k), k);
}

TEST(LaplacianEigenmaps, MatchesDenseGeneralizedSolver) {
  const Csr W = knn_test_graph(60, 6, 11);
  ASSERT_EQ(connected_components(W).count, 1);
  const auto d = degrees(W);
  const int n = 60, dim = 4;
  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(n, n), D = L;
  for (int i = 0; i < n; ++i) {
    D(i, i) = d[i];
    L(i, i) = d[i];
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      L(i, W.indices[p]) -= W.values[p];
  }
  // Eigen normalizes generalized eigenvectors to v^T D v = 1, ascending.
  Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> dense(L, D);
  ASSERT_EQ(dense.info(), Eigen::Success);
  EXPECT_NEAR(dense.eigenvalues()[0], 0.0, 1e-12);

  LaplacianEigenmapsInfo info;
  const MatrixD V = laplacian_eigenmaps(W, dim, {}, &info);
  for (int c = 0; c < dim; ++c) {
    EXPECT_NEAR(info.eigenvalues[c], dense.eigenvalues()[c + 1], 1e-10);
    std::vector<double> v(n);
    for (int i = 0; i < n; ++i)
      v[i] = dense.eigenvectors()(i, c + 1);
    EXPECT_NEAR(std::fabs(d_inner(V, c, v, d)), 1.0, 1e-6) << "component " << c;
    // L v = lambda D v for the returned vector itself.
    Eigen::VectorXd x(n);
    for (int i = 0; i < n; ++i)
      x[i] = V(i, c);
    EXPECT_LT((L * x - info.eigenvalues[c] * (D * x)).norm(), 1e-8);
  }
  for (int c = 0; c + 1 < dim; ++c)
    EXPECT_LE(info.eigenvalues[c], info.eigenvalues[c + 1]);
}

TEST(LaplacianEigenmaps, LargestEntryIsPositiveAndSeedsAgree) {
  const Csr W = knn_test_graph(300, 10, 12);
  LaplacianEigenmapsOptions a, b;
  b.seed = 99;
  const MatrixD Va = laplacian_eigenmaps(W, 2, a);
  const MatrixD Vb = laplacian_eigenmaps(W, 2, b);
  for (int c = 0; c < 2; ++c) {
    std::int64_t arg = 0;
    for (std::int64_t i = 1; i < Va.rows; ++i)
      if (std::fabs(Va(i, c)) > std::fabs(Va(arg, c)))
        arg = i;
    EXPECT_GT(Va(arg, c), 0.0);
  }
  // Different start vectors, same signed answer (to the eigenvector error).
  double diff = 0, norm = 0;
  for (std::size_t e = 0; e < Va.data.size(); ++e) {
    diff = std::max(diff, std::fabs(Va.data[e] - Vb.data[e]));
    norm = std::max(norm, std::fabs(Va.data[e]));
  }
  EXPECT_LT(diff, 1e-6 * norm);
}

TEST(LaplacianEigenmaps, SameBitsForAnyThreadCount) {
  // kNN graph of an anisotropic Gaussian (separated leading eigenvalues),
  // large enough for the parallel product.
  const int n = 6000;
  const double scale[5] = {3.0, 2.0, 1.4, 1.0, 1.0};
  Rng rng(5);
  Matrix X(n, 5);
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < 5; ++d)
      X(i, d) = static_cast<float>(scale[d] * rng.normal());
  const Csr W = binary_knn_graph(build_knn_graph(X, 10), 10);
  const int saved = omp_get_max_threads();
  LaplacianEigenmapsInfo info;
  omp_set_num_threads(1);
  const MatrixD one = laplacian_eigenmaps(W, 2, {}, &info);
  omp_set_num_threads(2);
  const MatrixD two = laplacian_eigenmaps(W, 2);
  omp_set_num_threads(saved);
  EXPECT_FALSE(info.shift_invert);
  EXPECT_EQ(one.data, two.data);
}

TEST(LaplacianEigenmaps, ShiftInvertFallbackOnClusteredEigenvalues) {
  // A long path: lambda_k = 1 - cos(pi k / (n-1)) ~ 1e-6 k^2, too close for
  // Lanczos on N' within 3 restarts; shift-invert separates them.
  const int n = 3000;
  std::vector<std::pair<int, int>> edges;
  for (int j = 0; j + 1 < n; ++j)
    edges.emplace_back(j, j + 1);
  const Csr W = graph_from_edges(n, edges);
  const auto d = degrees(W);
  LaplacianEigenmapsOptions options;
  options.max_restarts = 3;
  LaplacianEigenmapsInfo info;
  const MatrixD V = laplacian_eigenmaps(W, 2, options, &info);
  EXPECT_TRUE(info.shift_invert);
  for (int c = 0; c < 2; ++c) {
    const int k = c + 1;
    const double expected = 1.0 - std::cos(M_PI * k / (n - 1));
    EXPECT_NEAR(info.eigenvalues[c], expected, 1e-9 * expected);
    std::vector<double> f(n);
    double norm2 = 0;
    for (int j = 0; j < n; ++j) {
      f[j] = std::cos(M_PI * k * j / (n - 1));
      norm2 += d[j] * f[j] * f[j];
    }
    for (double &v : f)
      v /= std::sqrt(norm2);
    EXPECT_NEAR(std::fabs(d_inner(V, c, f, d)), 1.0, 1e-9);
    EXPECT_LT(info.residuals[c], 1e-12);
  }
  // Without room for the factor the failure is reported.
  options.max_factor_nonzeros = 100;
  try {
    laplacian_eigenmaps(W, 2, options);
    FAIL() << "no error";
  } catch (const NumericalError &e) {
    EXPECT_NE(std::string(e.what()).find("did not converge"), std::string::npos)
        << e.what();
  }
}

TEST(LaplacianEigenmaps, DisconnectedGraphIsAnError) {
  // Two triangles and an isolated edge: three components.
  const Csr W = graph_from_edges(
      8, {{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {6, 7}});
  const GraphComponents cc = connected_components(W);
  EXPECT_EQ(cc.count, 3);
  EXPECT_EQ(cc.sizes, (std::vector<std::int64_t>{3, 3, 2}));
  EXPECT_EQ(cc.label, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 2, 2}));
  try {
    laplacian_eigenmaps(W, 2);
    FAIL() << "no error";
  } catch (const NumericalError &e) {
    EXPECT_NE(std::string(e.what()).find("3 connected components (largest "
                                         "sizes: 3, 3, 2)"),
              std::string::npos)
        << e.what();
  }
}

TEST(LaplacianEigenmaps, RejectsInvalidGraphs) {
  Csr directed; // 0 -> 1 only
  directed.n = 3;
  directed.indptr = {0, 1, 2, 3};
  directed.indices = {1, 2, 1};
  directed.values = {1, 1, 1};
  EXPECT_THROW(laplacian_eigenmaps(directed, 1), NebenchError);
  Csr uneven = graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}});
  uneven.values[0] = 2; // w_01 = 2 but w_10 = 1
  EXPECT_THROW(laplacian_eigenmaps(uneven, 1), NebenchError);
  // Rounding-level asymmetry (1e-14 relative) is accepted.
  Csr rounded = graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}});
  rounded.values[0] = 1.0 + 1e-14;
  EXPECT_NO_THROW(laplacian_eigenmaps(rounded, 1));
  Csr negative = graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}});
  for (double &v : negative.values)
    v = -1;
  EXPECT_THROW(laplacian_eigenmaps(negative, 1), NebenchError);
  // dim must leave room for the trivial vector: n = 4 allows dim <= 2.
  const Csr path = graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}});
  EXPECT_NO_THROW(laplacian_eigenmaps(path, 2));
  EXPECT_THROW(laplacian_eigenmaps(path, 3), NebenchError);
  EXPECT_THROW(laplacian_eigenmaps(path, 0), NebenchError);
}

std::string spec_error(const std::string &method_json) {
  const json j = json::parse(method_json);
  try {
    LaplacianEigenmapsParams::from_spec(
        SpecNode(j, "s.json", "runs[3].method"));
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(LaplacianEigenmapsParams, DefaultsAndErrors) {
  const json j = json::parse(R"({"type": "laplacian_eigenmaps"})");
  const auto p = LaplacianEigenmapsParams::from_spec(SpecNode(j, "s"));
  EXPECT_EQ(p.k, 15);
  EXPECT_EQ(p.dim, 2);
  EXPECT_EQ(p.tolerance, 1e-10);
  EXPECT_EQ(p.max_restarts, 1000);
  const json f = json::parse(R"({"type": "laplacian_eigenmaps", "k": 10,
      "dim": 3, "tolerance": 1e-6, "max_restarts": 50})");
  const auto q = LaplacianEigenmapsParams::from_spec(SpecNode(f, "s"));
  EXPECT_EQ(q.k, 10);
  EXPECT_EQ(q.dim, 3);
  EXPECT_EQ(q.tolerance, 1e-6);
  EXPECT_EQ(q.max_restarts, 50);
  EXPECT_NE(spec_error(R"({"type": "laplacian_eigenmaps", "dim": 0})")
                .find("runs[3].method.dim: must be in [1, 1000]"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "laplacian_eigenmaps", "tolerance": 0})")
                .find("runs[3].method.tolerance"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "laplacian_eigenmaps", "tol": 1e-5})")
                .find("runs[3].method.tol"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "laplacian_eigenmaps", "k": "15"})")
                .find("runs[3].method.k"),
            std::string::npos);
}

TEST(LaplacianEigenmapsMethod, EmbedsAConnectedKnnGraph) {
  std::vector<std::int32_t> labels;
  const Matrix X = gaussian_blobs(1, 300, 5, 0.0, 21, labels);
  const KnnGraph graph = build_knn_graph(X, 15);
  const Problem problem{&X, &graph, &labels};
  const json j = json::parse(R"({"type": "laplacian_eigenmaps", "dim": 3})");
  LaplacianEigenmapsMethod method(
      LaplacianEigenmapsParams::from_spec(SpecNode(j, "s")));
  EXPECT_EQ(method.neighbors_needed(), 15);
  const MethodOutput out = method.run(problem, RunContext{});
  ASSERT_EQ(out.embedding.rows, 300);
  ASSERT_EQ(out.embedding.cols, 3);
  ASSERT_TRUE(out.affinities.has_value());
  // The embedding is the LE of the binary kNN graph it returns.
  const MatrixD direct = laplacian_eigenmaps(*out.affinities, 3);
  EXPECT_EQ(out.embedding.data, direct.data);
  const auto &ev = out.trace.columns.at("eigenvalue");
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(out.trace.columns.at("component"), (std::vector<double>{1, 2, 3}));
  EXPECT_GT(ev[0], 0.0);
  EXPECT_LE(ev[0], ev[1]);
  EXPECT_LE(ev[1], ev[2]);
  EXPECT_LT(ev[2], 1.0);
  for (double r : out.trace.columns.at("residual"))
    EXPECT_LT(r, 1e-8);

  // Separated blobs: a disconnected kNN graph is reported, not embedded.
  const Matrix B = gaussian_blobs(3, 50, 5, 40.0, 22, labels);
  const KnnGraph bg = build_knn_graph(B, 15);
  EXPECT_THROW(method.run(Problem{&B, &bg, &labels}, RunContext{}),
               NumericalError);
}

} // namespace
} // namespace nebench
