// ForceAtlas2 adaptive speed (hand-computed Gephi updates), one full
// iteration by hand, a run on separated blobs, determinism, and the "fa2"
// method's spec parameters.

#include "engine/core/errors.h"
#include "engine/ne/fa2_forces.h"
#include "engine/ne/force_atlas2.h"
#include "engine/ne/force_atlas2_method.h"
#include "metrics/knn_accuracy.h"
#include "tests/ne/fa2_le_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <omp.h>

namespace nebench {
namespace {

using testing::gaussian_blobs;
using testing::graph_from_edges;

// n = 100, tau = 1: estimated optimal jitter tolerance 0.05 sqrt(100) = 0.5,
// minJT = sqrt(0.5).
const double kMinJt100 = std::sqrt(0.5);

TEST(Fa2Speed, SwingingAboveJitterSlowsDown) {
  // swg = 10, tra = 5 (ratio 2: not erratic); jt = max(minJT, 0.5*5/1e4) =
  // minJT; target = jt * 1 * 5 / 10; swg > jt * tra -> efficiency * 0.7;
  // speed = 1 + min(target - 1, 0.5) = target.
  const Fa2Speed s = fa2_adjust_speed({}, 10.0, 5.0, 100, 1.0);
  EXPECT_NEAR(s.speed, kMinJt100 * 0.5, 1e-15);
  EXPECT_NEAR(s.efficiency, 0.7, 1e-15);
}

TEST(Fa2Speed, RiseIsCappedAtFiftyPercent) {
  // swg = 1, tra = 100, speed 2: target = minJT * 100 = 70.7, swg < jt tra ->
  // efficiency * 1.3; speed = 2 + min(68.7, 1) = 3.
  Fa2Speed start;
  start.speed = 2;
  const Fa2Speed s = fa2_adjust_speed(start, 1.0, 100.0, 100, 1.0);
  EXPECT_NEAR(s.speed, 3.0, 1e-15);
  EXPECT_NEAR(s.efficiency, 1.3, 1e-15);
}

TEST(Fa2Speed, ErraticSwingingHalvesEfficiency) {
  // swg / tra = 3 > 2: efficiency 0.5 and jt = max(minJT, tau) = 1; target =
  // 1 * 0.5 * 10 / 30 = 1/6; swg > jt tra -> efficiency 0.35; speed = 1/6.
  const Fa2Speed s = fa2_adjust_speed({}, 30.0, 10.0, 100, 1.0);
  EXPECT_NEAR(s.speed, 1.0 / 6.0, 1e-15);
  EXPECT_NEAR(s.efficiency, 0.35, 1e-15);
  // Below the minimum efficiency 0.05 it no longer shrinks.
  Fa2Speed low;
  low.efficiency = 0.04;
  EXPECT_EQ(fa2_adjust_speed(low, 30.0, 10.0, 100, 1.0).efficiency, 0.04);
}

TEST(Fa2Speed, JitterToleranceIsClampedAtTen) {
  // tra = 1e6: 0.5 * 1e6 / 1e4 = 50 -> jt = 10 * tau (tau = 2 -> 20);
  // target = 20 * 1e6 / 1e5 = 200; speed 1 -> 1.5, efficiency 1.3.
  const Fa2Speed s = fa2_adjust_speed({}, 1e5, 1e6, 100, 2.0);
  EXPECT_NEAR(s.speed, 1.5, 1e-15);
  EXPECT_NEAR(s.efficiency, 1.3, 1e-15);
  // tau = 0.1 gives jt = 10 * 0.1 = 1: swg = 1.5e6 > jt tra = 1e6 (ratio
  // 1.5, not erratic) -> efficiency 0.7, target = 1e6 / 1.5e6 = speed.
  const Fa2Speed d = fa2_adjust_speed({}, 1.5e6, 1e6, 100, 0.1);
  EXPECT_NEAR(d.efficiency, 0.7, 1e-15);
  EXPECT_NEAR(d.speed, 1e6 / 1.5e6, 1e-15);
}

TEST(Fa2Speed, NoSwingingMeansMaxRise) {
  const Fa2Speed s = fa2_adjust_speed({}, 0.0, 5.0, 100, 1.0);
  EXPECT_EQ(s.speed, 1.5);
  EXPECT_NEAR(s.efficiency, 1.3, 1e-15);
  // No force at all: unchanged.
  const Fa2Speed z = fa2_adjust_speed({}, 0.0, 0.0, 100, 1.0);
  EXPECT_EQ(z.speed, 1.0);
  EXPECT_EQ(z.efficiency, 1.0);
}

TEST(Fa2Layout, FirstIterationByHand) {
  // Triangle of fa2_forces_test (exact repulsion, k_r = 2, k_g = 1): forces
  // F = (-1,1), (-0.04,-1.28), (-0.96,-1.72), masses 3, 2, 2. With old
  // forces 0, swg(i) = m_i |F_i| and tra(i) = swg(i) / 2, so swg / tra = 2
  // (not erratic); n = 3: jt = sqrt(0.05 sqrt 3) (tra is small); target =
  // jt / 2; swg > jt tra -> speed = jt / 2. Node i moves by
  // F_i * speed / (1 + sqrt(speed * swg(i))).
  MatrixD Y(3, 2);
  Y(1, 0) = 3;
  Y(2, 1) = 4;
  const MatrixD Y0 = Y;
  const Csr A = graph_from_edges(3, {{0, 1}, {0, 2}});
  ForceAtlas2LayoutParams p;
  p.theta = 0;
  p.iters = 1;
  ForceAtlas2Layout layout(A, p);
  const Trace trace = layout.run(Y, RunContext{});
  const double F[3][2] = {{-1, 1}, {-0.04, -1.28}, {-0.96, -1.72}};
  const double m[3] = {3, 2, 2};
  double swg[3], total = 0;
  for (int i = 0; i < 3; ++i) {
    swg[i] = m[i] * std::hypot(F[i][0], F[i][1]);
    total += swg[i];
  }
  const double speed = std::sqrt(0.05 * std::sqrt(3.0)) / 2.0;
  for (int i = 0; i < 3; ++i) {
    const double factor = speed / (1.0 + std::sqrt(speed * swg[i]));
    EXPECT_NEAR(Y(i, 0), Y0(i, 0) + factor * F[i][0], 1e-13);
    EXPECT_NEAR(Y(i, 1), Y0(i, 1) + factor * F[i][1], 1e-13);
  }
  ASSERT_EQ(trace.length(), 1u);
  EXPECT_NEAR(trace.columns.at("speed")[0], speed, 1e-15);
  EXPECT_NEAR(trace.columns.at("swinging")[0], total, 1e-13);
  EXPECT_NEAR(trace.columns.at("traction")[0], total / 2, 1e-13);
  EXPECT_NEAR(trace.columns.at("speed_efficiency")[0], 0.7, 1e-15);

  // The displacement cap limits every step to max_displacement.
  MatrixD Z = Y0;
  p.max_displacement = 0.01;
  ForceAtlas2Layout capped(A, p);
  capped.run(Z, RunContext{});
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(std::hypot(Z(i, 0) - Y0(i, 0), Z(i, 1) - Y0(i, 1)), 0.01,
                1e-15);
}

struct BlobProblem {
  std::vector<std::int32_t> labels;
  Matrix X;
  KnnGraph graph;
  Problem problem() const { return Problem{&X, &graph, &labels}; }
};

BlobProblem blob_problem(int blobs, int per_blob, double separation,
                         std::uint64_t seed) {
  BlobProblem b;
  b.X = gaussian_blobs(blobs, per_blob, 5, separation, seed, b.labels);
  b.graph = build_knn_graph(b.X, 15);
  return b;
}

MethodOutput run_fa2(const std::string &spec, const Problem &problem,
                     std::uint64_t seed = 0) {
  const json j = json::parse(spec);
  ForceAtlas2Method method(ForceAtlas2Params::from_spec(SpecNode(j, "s.json")));
  RunContext ctx;
  ctx.seed = seed;
  return method.run(problem, ctx);
}

TEST(ForceAtlas2Method, KeepsSeparatedBlobsApart) {
  const BlobProblem b = blob_problem(3, 150, 30.0, 1);
  const MethodOutput out =
      run_fa2(R"({"type": "fa2", "iters": 200})", b.problem());
  ASSERT_EQ(out.embedding.rows, 450);
  ASSERT_EQ(out.embedding.cols, 2);
  for (double v : out.embedding.data)
    ASSERT_TRUE(std::isfinite(v));
  EXPECT_GE(knn_accuracy(out.embedding, b.labels, 15, 0.2, 0), 0.99);
  // Affinities: the binary kNN graph; trace at iterations 1, 50, ..., 200.
  ASSERT_TRUE(out.affinities.has_value());
  EXPECT_EQ(out.affinities->n, 450);
  EXPECT_GE(out.affinities->nnz(), 450 * 15);
  const auto &it = out.trace.columns.at("iteration");
  EXPECT_EQ(it, (std::vector<double>{1, 50, 100, 150, 200}));
  EXPECT_EQ(out.trace.columns.at("seconds").size(), 5u);
  // Random init from the seed also separates them.
  const MethodOutput rnd =
      run_fa2(R"({"type": "fa2", "iters": 300, "init": {"type": "random"}})",
              b.problem(), 3);
  EXPECT_GE(knn_accuracy(rnd.embedding, b.labels, 15, 0.2, 0), 0.99);
}

TEST(ForceAtlas2Method, SameBitsForAnyThreadCountAndRepeatedRuns) {
  // Large enough for the parallel paths (Barnes-Hut n > 2000, attraction
  // n > 5000).
  const BlobProblem b = blob_problem(4, 1300, 8.0, 2);
  const std::string spec = R"({"type": "fa2", "iters": 4, "log_every": 2})";
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const MethodOutput one = run_fa2(spec, b.problem());
  omp_set_num_threads(2);
  const MethodOutput two = run_fa2(spec, b.problem());
  const MethodOutput again = run_fa2(spec, b.problem());
  omp_set_num_threads(saved);
  EXPECT_EQ(one.embedding.data, two.embedding.data);
  EXPECT_EQ(two.embedding.data, again.embedding.data);
  EXPECT_EQ(one.trace.columns.at("speed"), two.trace.columns.at("speed"));
}

TEST(ForceAtlas2Method, NeedsEnoughNeighbours) {
  const BlobProblem b = blob_problem(1, 40, 0.0, 3);
  EXPECT_THROW(run_fa2(R"({"type": "fa2", "k": 20, "iters": 1})", b.problem()),
               NebenchError);
}

std::string spec_error(const std::string &method_json) {
  const json j = json::parse(method_json);
  try {
    ForceAtlas2Params::from_spec(SpecNode(j, "s.json", "runs[2].method"));
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(ForceAtlas2Params, DefaultsFollowThePaper) {
  const json j = json::parse(R"({"type": "fa2"})");
  const ForceAtlas2Params p = ForceAtlas2Params::from_spec(SpecNode(j, "s"));
  EXPECT_EQ(p.k, 15);
  EXPECT_EQ(p.layout.iters, 750);
  EXPECT_EQ(p.layout.scaling_ratio, 2.0);
  EXPECT_EQ(p.layout.gravity, 1.0);
  EXPECT_EQ(p.layout.theta, 1.2);
  EXPECT_EQ(p.layout.jitter_tolerance, 1.0);
  EXPECT_FALSE(p.layout.linlog);
  EXPECT_FALSE(p.layout.strong_gravity);
  EXPECT_FALSE(p.layout.max_displacement.has_value());
  EXPECT_EQ(p.layout.log_every, 50);
  EXPECT_EQ(p.init.type, "pca");
  EXPECT_EQ(p.init.std, 1e3);
}

TEST(ForceAtlas2Params, ReadsAFullSpec) {
  const json j = json::parse(R"({"type": "fa2", "k": 10, "iters": 100,
      "scaling_ratio": 5, "gravity": 0, "theta": 0.5, "jitter_tolerance": 0.3,
      "linlog": true, "strong_gravity": true, "max_displacement": 10,
      "log_every": 7, "init": {"type": "random", "std": 1}})");
  const ForceAtlas2Params p = ForceAtlas2Params::from_spec(SpecNode(j, "s"));
  EXPECT_EQ(p.k, 10);
  EXPECT_EQ(p.layout.iters, 100);
  EXPECT_EQ(p.layout.scaling_ratio, 5.0);
  EXPECT_EQ(p.layout.gravity, 0.0);
  EXPECT_EQ(p.layout.theta, 0.5);
  EXPECT_EQ(p.layout.jitter_tolerance, 0.3);
  EXPECT_TRUE(p.layout.linlog);
  EXPECT_TRUE(p.layout.strong_gravity);
  EXPECT_EQ(*p.layout.max_displacement, 10.0);
  EXPECT_EQ(p.layout.log_every, 7);
  EXPECT_EQ(p.init.type, "random");
  EXPECT_EQ(p.init.std, 1.0);
}

TEST(ForceAtlas2Params, ErrorsNameTheJsonPath) {
  EXPECT_EQ(spec_error(R"({"type": "fa2", "scaling_ratio": 0})"),
            "s.json: runs[2].method.scaling_ratio: must be in (0, inf], got 0");
  EXPECT_NE(spec_error(R"({"type": "fa2", "theta": -1})")
                .find("runs[2].method.theta"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "k": 0})").find("runs[2].method.k"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "linlog": 1})")
                .find("runs[2].method.linlog"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "init": {"type": "umap"}})")
                .find("runs[2].method.init.type"),
            std::string::npos);
  // The input graph has no k (papers/graph.md sec. 5.1's FA2 on a graph).
  EXPECT_NE(spec_error(R"({"type": "fa2", "input": "graph", "k": 10})")
                .find("runs[2].method.k: only with \"input\": \"knn\""),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "input": "edges"})")
                .find("runs[2].method.input"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "init": {"std": 1, "sdt": 2}})")
                .find("runs[2].method.init.sdt"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "iterations": 10})")
                .find("runs[2].method.iterations"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "fa2", "max_displacement": 0})")
                .find("runs[2].method.max_displacement"),
            std::string::npos);
}

} // namespace
} // namespace nebench
