#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/knn/knn_graph_builder.h"
#include "engine/ne/exact_repulsion.h"
#include "engine/ne/fft_repulsion.h"
#include "engine/ne/repulsion_factory.h"
#include "engine/ne/tsne_method.h"
#include "engine/ne/tsne_objective.h"
#include "ne_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <omp.h>

namespace nebench {
namespace {

using testing::random_affinities;
using testing::random_layout;
using testing::relative_error;

// Five Gaussian blobs (std 3 .. 8) around a circle of radius 25: the extent
// (~80) and density of a t-SNE embedding of 2,000 points (a real one of 2,000
// points from 6 clusters, perplexity 30, 750 iterations, spans ~70 units).
MatrixD blob_layout(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD Y(n, 2);
  const double stds[] = {3.0, 4.0, 5.0, 6.0, 8.0};
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(5));
    const double angle = 1.2566 * c;
    Y(i, 0) = 25.0 * std::cos(angle) + stds[c] * rng.normal();
    Y(i, 1) = 25.0 * std::sin(angle) + stds[c] * rng.normal();
  }
  return Y;
}

// Blobs of std 5 .. 20 around a circle of radius 60: 2,000 points spread
// over ~200 units, far sparser than a t-SNE embedding of that size, where
// the near field (interpolated least accurately) dominates the forces.
MatrixD sparse_blob_layout(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD Y(n, 2);
  const double stds[] = {5.0, 8.0, 12.0, 20.0, 6.0};
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(5));
    const double angle = 1.2566 * c;
    Y(i, 0) = 60.0 * std::cos(angle) + stds[c] * rng.normal();
    Y(i, 1) = 60.0 * std::sin(angle) + stds[c] * rng.normal();
  }
  return Y;
}

struct Errors {
  double force = 0; ///< relative Frobenius error of the forces
  double z = 0;     ///< relative error of Z
};

Errors compare_to_exact(const MatrixD &Y, const FftRepulsionParams &params) {
  MatrixD fe, ff;
  ExactRepulsion exact(params.dof);
  FftRepulsion fft(params);
  const double ze = exact.compute(Y, fe);
  const double zf = fft.compute(Y, ff);
  return {relative_error(ff, fe), std::fabs(zf - ze) / ze};
}

FftRepulsionParams with_dof(double dof) {
  FftRepulsionParams p;
  p.dof = dof;
  return p;
}

TEST(FftRepulsion, SmoothSizes) {
  EXPECT_EQ(FftRepulsion::smooth_size(1), 1);
  EXPECT_EQ(FftRepulsion::smooth_size(5), 6);
  EXPECT_EQ(FftRepulsion::smooth_size(7), 8);
  EXPECT_EQ(FftRepulsion::smooth_size(50), 54);
  EXPECT_EQ(FftRepulsion::smooth_size(54), 54);
  EXPECT_EQ(FftRepulsion::smooth_size(97), 108);
  EXPECT_EQ(FftRepulsion::smooth_size(129), 144);
}

TEST(FftRepulsion, GridSizeFollowsTheExtent) {
  MatrixD f;
  FftRepulsion fft;
  // Extent ~3e-3 (an initialization): min_intervals = 50 -> 54 boxes.
  fft.compute(random_layout(100, 2, 1e-3, 1), f);
  EXPECT_EQ(fft.boxes_per_axis(), 54);
  // Extent exactly 97 -> ceil(97 / 1) = 97 boxes -> rounded up to 108.
  MatrixD Y(3, 2, 0.0);
  Y(1, 0) = 97.0;
  Y(2, 1) = 40.0;
  fft.compute(Y, f);
  EXPECT_EQ(fft.boxes_per_axis(), 108);
  // ints_in_interval = 2 on extent 194: 97 boxes, but at most 60, and the
  // largest 2,3-smooth count <= 60 is 54.
  FftRepulsionParams p;
  p.ints_in_interval = 2.0;
  p.max_intervals = 60;
  FftRepulsion coarse(p);
  Y(1, 0) = 194.0;
  coarse.compute(Y, f);
  EXPECT_EQ(coarse.boxes_per_axis(), 54);
}

TEST(FftRepulsion, CloseToExactOnBlobs) {
  const MatrixD Y = blob_layout(2000, 1);
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 1e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, CloseToExactOnRandomLayout) {
  // Unstructured N(0, s^2) clouds: s = 6 has about the density of a t-SNE
  // embedding; 1e-3 is an embedding right after a 1e-4 initialization.
  for (double scale : {1e-3, 2.0, 6.0}) {
    const Errors e = compare_to_exact(random_layout(2000, 2, scale, 2), {});
    EXPECT_LT(e.force, 1e-2) << "scale " << scale;
    EXPECT_LT(e.z, 1e-3) << "scale " << scale;
  }
}

TEST(FftRepulsion, SparseLayoutsNeedFinerGrids) {
  // Far sparser than t-SNE embeddings: at the default grid (3 nodes per unit
  // box) the near-field interpolation error reaches 1-2% of the forces (3%
  // with FIt-SNE's per-box stencils); 4 nodes per box bring it below 0.5%.
  // Z stays accurate either way.
  FftRepulsionParams fine;
  fine.n_interp = 4;
  for (const MatrixD &Y :
       {sparse_blob_layout(2000, 1), random_layout(2000, 2, 25.0, 3)}) {
    const Errors coarse = compare_to_exact(Y, {});
    EXPECT_LT(coarse.force, 2.5e-2);
    EXPECT_LT(coarse.z, 1e-3);
    const Errors e = compare_to_exact(Y, fine);
    EXPECT_LT(e.force, 5e-3);
    EXPECT_LT(e.z, 1e-3);
  }
}

TEST(FftRepulsion, CloseToExactWithHeavyTails) {
  // dof < 1 (heavier tails, Kobak et al. 2019) and dof > 1 (towards SNE).
  const MatrixD Y = blob_layout(2000, 3);
  for (double dof : {0.5, 0.8, 2.0}) {
    const Errors e = compare_to_exact(Y, with_dof(dof));
    EXPECT_LT(e.force, 1e-2) << "dof " << dof;
    EXPECT_LT(e.z, 1e-3) << "dof " << dof;
  }
}

TEST(FftRepulsion, FinerGridsAreMoreAccurate) {
  // Higher-order interpolation converges fast (p = 2 .. 5 nodes per box).
  const MatrixD Y = blob_layout(1500, 4);
  double last = 1.0;
  for (int p : {2, 3, 4, 5}) {
    FftRepulsionParams params;
    params.n_interp = p;
    const Errors e = compare_to_exact(Y, params);
    EXPECT_LT(e.force, last / 3) << "n_interp " << p;
    last = e.force;
  }
  EXPECT_LT(last, 1e-3);
  // So does a finer box size at p = 3.
  FftRepulsionParams half;
  half.ints_in_interval = 0.5;
  EXPECT_LT(compare_to_exact(Y, half).force, 2e-3);
}

TEST(FftRepulsion, TranslationDoesNotCostAccuracy) {
  // Forces and Z are translation invariant; far from the origin the float
  // grids must not lose precision (charges are taken relative to the grid).
  MatrixD Y = blob_layout(1500, 5);
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    Y(i, 0) += 5000.0;
    Y(i, 1) -= 3000.0;
  }
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 1e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, FullGradientCloseToExact) {
  const std::int64_t n = 2000;
  const MatrixD Y = blob_layout(n, 6);
  const Csr P = random_affinities(n, 10, 7);
  for (double rho : {1.0, 12.0}) {
    MatrixD ge, gf;
    ExactRepulsion exact;
    FftRepulsion fft;
    const double ze = tsne_gradient(P, Y, rho, 1.0, exact, ge);
    const double zf = tsne_gradient(P, Y, rho, 1.0, fft, gf);
    EXPECT_LT(relative_error(gf, ge), 1e-2) << "rho " << rho;
    EXPECT_LT(std::fabs(zf - ze) / ze, 1e-3);
  }
}

TEST(FftRepulsion, CoincidentPoints) {
  // All points on one spot: Z = n (n - 1) and no force.
  MatrixD same(300, 2, 2.5), f;
  FftRepulsion fft;
  const double z = fft.compute(same, f);
  EXPECT_NEAR(z / (300.0 * 299.0), 1.0, 1e-4);
  for (double v : f.data)
    EXPECT_LT(std::fabs(v), 1e-6);
  // Triplicates of 600 positions: duplicates need no special case. The 600
  // distinct positions are as sparse as the sparse layouts above, hence the
  // same tolerance as there.
  MatrixD base = blob_layout(600, 8), Y(1800, 2);
  for (std::int64_t i = 0; i < 1800; ++i) {
    Y(i, 0) = base(i % 600, 0);
    Y(i, 1) = base(i % 600, 1);
  }
  const Errors e = compare_to_exact(Y, {});
  EXPECT_LT(e.force, 2.5e-2);
  EXPECT_LT(e.z, 1e-3);
}

TEST(FftRepulsion, TwoPointsExact) {
  // Two points at distance 3: Z = 2 / (1 + 9), forces = +-w^2 (y_i - y_j).
  MatrixD Y(2, 2, 0.0), f;
  Y(1, 0) = 3.0;
  FftRepulsion fft;
  const double z = fft.compute(Y, f);
  EXPECT_NEAR(z, 0.2, 0.2 * 1e-4);
  EXPECT_NEAR(f(0, 0), -0.03, 0.03 * 1e-3);
  EXPECT_NEAR(f(1, 0), 0.03, 0.03 * 1e-3);
  EXPECT_NEAR(f(0, 1), 0.0, 1e-5); // float grids
}

TEST(FftRepulsion, DeterministicAcrossCallsAndThreads) {
  // Large enough for every parallel region (>= 20,000 points, >= 256 nodes
  // per axis): 25,000 points over ~130 units -> 144 boxes, 432 nodes.
  MatrixD Y = blob_layout(25000, 9);
  for (double &v : Y.data)
    v *= 1.5;
  FftRepulsion fft;
  MatrixD f1, f2, f3, f4;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const double z1 = fft.compute(Y, f1);
  omp_set_num_threads(2);
  const double z2 = fft.compute(Y, f2);
  const double z3 = fft.compute(Y, f3);
  omp_set_num_threads(4);
  FftRepulsion other; // fresh buffers and the cached plans
  const double z4 = other.compute(Y, f4);
  omp_set_num_threads(saved);
  EXPECT_EQ(z1, z2);
  EXPECT_EQ(z2, z3);
  EXPECT_EQ(z1, z4);
  EXPECT_EQ(f1.data, f2.data);
  EXPECT_EQ(f2.data, f3.data);
  EXPECT_EQ(f1.data, f4.data);
  EXPECT_EQ(fft.boxes_per_axis(), 144);
}

TEST(FftRepulsion, GridChangesBetweenCalls) {
  // One estimator over layouts of growing and shrinking extent (as during
  // an optimization) gives bitwise what a fresh one gives, and stays
  // accurate (buffers, plans and kernel spectra are reused correctly).
  FftRepulsion fft;
  for (double scale : {1e-3, 6.0, 2.0, 6.0, 8.0}) {
    const MatrixD Y = random_layout(1200, 2, scale, 10);
    MatrixD fe, ff, ff2;
    ExactRepulsion exact;
    const double ze = exact.compute(Y, fe);
    const double zf = fft.compute(Y, ff);
    FftRepulsion fresh;
    const double z2 = fresh.compute(Y, ff2);
    EXPECT_EQ(zf, z2);
    EXPECT_EQ(ff.data, ff2.data);
    EXPECT_LT(relative_error(ff, fe), 1e-2) << "scale " << scale;
    EXPECT_LT(std::fabs(zf - ze) / ze, 1e-3) << "scale " << scale;
  }
}

TEST(FftRepulsion, RejectsBadInput) {
  FftRepulsion fft;
  MatrixD Y3(10, 3), f;
  EXPECT_THROW(fft.compute(Y3, f), NebenchError);
  MatrixD Y = random_layout(10, 2, 1.0, 11);
  Y(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fft.compute(Y, f), NumericalError);
  Y(3, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(fft.compute(Y, f), NumericalError);

  auto bad = [](auto mutate) {
    FftRepulsionParams p;
    mutate(p);
    EXPECT_THROW(FftRepulsion{p}, NebenchError);
  };
  bad([](FftRepulsionParams &p) { p.n_interp = 0; });
  bad([](FftRepulsionParams &p) { p.n_interp = 17; });
  bad([](FftRepulsionParams &p) { p.min_intervals = 0; });
  bad([](FftRepulsionParams &p) { p.max_intervals = 10; });
  bad([](FftRepulsionParams &p) { p.ints_in_interval = 0; });
  bad([](FftRepulsionParams &p) { p.dof = -1; });
}

TEST(FftRepulsionFactory, AutoPicksExactThenBarnesHutThenFft) {
  EXPECT_EQ(resolve_repulsion("auto", 2000, 2), "exact");
  EXPECT_EQ(resolve_repulsion("auto", 2001, 2), "bh");
  EXPECT_EQ(resolve_repulsion("auto", 10000, 2), "bh");
  EXPECT_EQ(resolve_repulsion("auto", 10001, 2), "fft");
  EXPECT_EQ(resolve_repulsion("auto", 70000, 3), "exact");
  EXPECT_EQ(resolve_repulsion("fft", 10, 2), "fft");
  FftRepulsionParams grid;
  grid.n_interp = 4;
  const auto rep = make_repulsion("fft", 2, 0.7, 0.5, grid);
  EXPECT_EQ(rep->name(), "fft");
  const auto *fft = dynamic_cast<const FftRepulsion *>(rep.get());
  ASSERT_NE(fft, nullptr);
  EXPECT_EQ(fft->params().n_interp, 4);
  EXPECT_EQ(fft->params().dof, 0.7); // the method's dof wins
  EXPECT_THROW(make_repulsion("fft", 3, 1.0, 0.5), NebenchError);
}

TEST(FftRepulsionSpec, ReadsTheFftKeys) {
  const json j = json::parse(R"({"type": "tsne", "repulsion": "fft",
    "fft": {"n_interp": 4, "min_intervals": 60, "ints_in_interval": 0.5}})");
  const TsneParams p = TsneParams::from_spec(SpecNode(j, "s.json"));
  EXPECT_EQ(p.repulsion, "fft");
  EXPECT_EQ(p.fft.n_interp, 4);
  EXPECT_EQ(p.fft.min_intervals, 60);
  EXPECT_EQ(p.fft.ints_in_interval, 0.5);
  const json d = json::parse(R"({"type": "tsne"})");
  const TsneParams q = TsneParams::from_spec(SpecNode(d, "s.json"));
  EXPECT_EQ(q.fft.n_interp, 3);
  EXPECT_EQ(q.fft.min_intervals, 50);
  EXPECT_EQ(q.fft.ints_in_interval, 1.0);

  auto error = [](const std::string &text) -> std::string {
    const json bad = json::parse(text);
    try {
      TsneParams::from_spec(SpecNode(bad, "s.json", "runs[0].method"));
    } catch (const SpecError &e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error(R"({"type": "tsne", "fft": {"n_interp": 0}})")
                .find("runs[0].method.fft.n_interp"),
            std::string::npos);
  EXPECT_NE(error(R"({"type": "tsne", "fft": {"ints_in_interval": -1}})")
                .find("fft.ints_in_interval"),
            std::string::npos);
  EXPECT_NE(error(R"({"type": "tsne", "fft": {"boxes": 10}})").find("boxes"),
            std::string::npos);
  EXPECT_NE(error(R"({"type": "tsne", "repulsion": "fast"})").find("fft"),
            std::string::npos);
}

// Leave-one-out 5-NN accuracy of the labels in a 2-D embedding.
double knn_accuracy(const MatrixD &Y, const std::vector<int> &labels) {
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    std::vector<std::pair<double, int>> d;
    for (std::int64_t j = 0; j < Y.rows; ++j)
      if (j != i)
        d.push_back(
            {std::hypot(Y(i, 0) - Y(j, 0), Y(i, 1) - Y(j, 1)), labels[j]});
    std::partial_sort(d.begin(), d.begin() + 5, d.end());
    int votes[3] = {0, 0, 0};
    for (int k = 0; k < 5; ++k)
      ++votes[d[k].second];
    correct += std::max_element(votes, votes + 3) - votes == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(Y.rows);
}

TEST(FftRepulsionTsne, MatchesExactTsneOnBlobs) {
  // Three Gaussian blobs in 10-D; t-SNE with FFT repulsion separates them
  // and ends at the KL of exact t-SNE within 2%.
  Matrix X(300, 10);
  std::vector<int> labels;
  Rng rng(42);
  for (std::int64_t i = 0; i < 300; ++i) {
    const int c = static_cast<int>(i % 3);
    labels.push_back(c);
    for (int d = 0; d < 10; ++d)
      X(i, d) = static_cast<float>(rng.normal() + (d == c ? 12.0 : 0.0));
  }
  const KnnGraph graph = build_knn_graph(X, 90);
  Problem problem;
  problem.X = &X;
  problem.graph = &graph;
  RunContext ctx;
  double final_loss[2];
  for (int e = 0; e < 2; ++e) {
    TsneParams p;
    p.repulsion = e == 0 ? "exact" : "fft";
    p.log_every = 25;
    p.phases = {{100, 12.0, 0.5, std::nullopt}, {150, 1.0, 0.8, std::nullopt}};
    const MethodOutput out = TsneMethod(p).run(problem, ctx);
    const auto &loss = out.trace.columns.at("loss");
    EXPECT_LT(loss.back(), loss[4]) << p.repulsion; // row 4: iteration 100
    EXPECT_GT(knn_accuracy(out.embedding, labels), 0.98) << p.repulsion;
    final_loss[e] = loss.back();
  }
  EXPECT_NEAR(final_loss[1] / final_loss[0], 1.0, 0.02);
}

} // namespace
} // namespace nebench
