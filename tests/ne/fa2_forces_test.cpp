// ForceAtlas2 forces: a hand-computed 3-node case for every term, and the
// Barnes-Hut repulsion against the exact sum.

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/fa2_barnes_hut.h"
#include "engine/ne/fa2_forces.h"
#include "engine/ne/force_atlas2.h"
#include "tests/ne/fa2_le_test_util.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>

namespace nebench {
namespace {

using testing::graph_from_edges;
using testing::random_layout;
using testing::relative_error;

// Three nodes at (0,0), (3,0), (0,4) with edges 0-1 and 0-2: degrees 2, 1, 1,
// masses 3, 2, 2; distances d01 = 3, d02 = 4, d12 = 5.
MatrixD triangle_layout() {
  MatrixD Y(3, 2);
  Y(1, 0) = 3;
  Y(2, 1) = 4;
  return Y;
}

Csr triangle_graph() { return graph_from_edges(3, {{0, 1}, {0, 2}}); }

void expect_rows(const MatrixD &F, const std::vector<double> &expected,
                 double tol) {
  ASSERT_EQ(F.rows * F.cols, static_cast<std::int64_t>(expected.size()));
  for (std::size_t e = 0; e < expected.size(); ++e)
    EXPECT_NEAR(F.data[e], expected[e], tol) << "entry " << e;
}

TEST(Fa2Forces, MassesAreDegreePlusOne) {
  const auto m = fa2_masses(triangle_graph());
  EXPECT_EQ(m, (std::vector<double>{3, 2, 2}));
}

TEST(Fa2Forces, LinearAttractionByHand) {
  // F_a(i) = -sum_j (y_i - y_j): node 0 is pulled by (3,0) and (0,4).
  MatrixD F(3, 2);
  fa2_add_attraction(triangle_graph(), triangle_layout(), false, F);
  expect_rows(F, {3, 4, -3, 0, 0, -4}, 1e-15);
}

TEST(Fa2Forces, LinLogAttractionByHand) {
  // |F| = log(1 + d) along the edge: log 4 for d = 3, log 5 for d = 4.
  MatrixD F(3, 2);
  fa2_add_attraction(triangle_graph(), triangle_layout(), true, F);
  const double l4 = std::log(4.0), l5 = std::log(5.0);
  expect_rows(F, {l4, l5, -l4, 0, 0, -l5}, 1e-15);
}

TEST(Fa2Forces, AttractionScalesWithEdgeWeight) {
  MatrixD F(3, 2);
  fa2_add_attraction(graph_from_edges(3, {{0, 1}, {0, 2}}, {2.0, 0.5}),
                     triangle_layout(), false, F);
  expect_rows(F, {6, 2, -6, 0, 0, -2}, 1e-15);
}

TEST(Fa2Forces, DegreeRepulsionByHand) {
  // F_r(i) = k_r m_i sum_j m_j (y_i - y_j) / d^2 with k_r = 2:
  //   node 0: 2*3*[2*(-3,0)/9 + 2*(0,-4)/16]  = 6*(-2/3, -1/2) = (-4, -3)
  //   node 1: 2*2*[3*(3,0)/9 + 2*(3,-4)/25]   = 4*(31/25, -8/25)
  //   node 2: 2*2*[3*(0,4)/16 + 2*(-3,4)/25]  = 4*(-6/25, 3/4 + 8/25)
  const std::vector<double> expected = {-4, -3, 4.96, -1.28, -0.96, 4.28};
  const auto m = fa2_masses(triangle_graph());
  MatrixD F;
  fa2_exact_repulsion(triangle_layout(), m, 2.0, F);
  expect_rows(F, expected, 1e-14);
  // Barnes-Hut with leaves of one node and theta = 0 is the exact sum.
  Fa2BarnesHutParams p;
  p.theta = 0;
  p.leaf_size = 1;
  Fa2BarnesHut bh(p);
  MatrixD G;
  bh.compute(triangle_layout(), m, 2.0, G);
  expect_rows(G, expected, 1e-14);
}

TEST(Fa2Forces, GravityByHand) {
  // Nodes at (3,4), (-6,8), (0,-2), masses 3, 2, 2, k_g = 0.5.
  MatrixD Y(3, 2);
  Y(0, 0) = 3, Y(0, 1) = 4, Y(1, 0) = -6, Y(1, 1) = 8, Y(2, 1) = -2;
  const std::vector<double> m = {3, 2, 2};
  // Normal: -k_g m y / |y|, magnitude k_g m.
  MatrixD F(3, 2);
  fa2_add_gravity(Y, m, 0.5, false, F);
  expect_rows(F, {-0.9, -1.2, 0.6, -0.8, 0, 1}, 1e-15);
  // Strong: -k_g m y.
  MatrixD S(3, 2);
  fa2_add_gravity(Y, m, 0.5, true, S);
  expect_rows(S, {-4.5, -6, 6, -8, 0, 2}, 1e-15);
  // A node at the origin feels no gravity.
  MatrixD O(1, 2), G(1, 2);
  fa2_add_gravity(O, {5.0}, 1.0, false, G);
  expect_rows(G, {0, 0}, 0);
}

TEST(Fa2Forces, TotalForceByHand) {
  // k_r = 2, k_g = 1 on the triangle: repulsion + gravity + attraction.
  //   node 0 (origin, no gravity): (-4,-3) + (3,4)            = (-1, 1)
  //   node 1: (4.96,-1.28) + (-2,0) + (-3,0)                 = (-0.04,-1.28)
  //   node 2: (-0.96,4.28) + (0,-2) + (0,-4)                 = (-0.96,-1.72)
  const Csr A = triangle_graph();
  ForceAtlas2LayoutParams p;
  p.theta = 0; // exact repulsion
  ForceAtlas2Layout layout(A, p);
  MatrixD F;
  layout.compute_forces(triangle_layout(), F);
  expect_rows(F, {-1, 1, -0.04, -1.28, -0.96, -1.72}, 1e-14);
  // Strong gravity k_g = 1 on nodes 1, 2: -m y = (-6, 0) and (0, -8).
  p.strong_gravity = true;
  ForceAtlas2Layout strong(A, p);
  strong.compute_forces(triangle_layout(), F);
  expect_rows(F, {-1, 1, -4.04, -1.28, -0.96, -7.72}, 1e-14);
}

// Random layout and masses 1 + degree of a random graph with up to 30
// neighbours per node.
std::vector<double> random_masses(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 3);
  std::vector<double> m(static_cast<std::size_t>(n));
  for (auto &v : m)
    v = 1.0 + static_cast<double>(rng.below(30));
  return m;
}

MatrixD clustered_layout(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD Y(n, 2);
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(6));
    Y(i, 0) = 1000.0 * std::cos(c) + 50.0 * (1 + c) * rng.normal();
    Y(i, 1) = 1000.0 * std::sin(c) + 50.0 * (1 + c) * rng.normal();
  }
  return Y;
}

double bh_error(const MatrixD &Y, const std::vector<double> &m, double theta) {
  MatrixD exact, approx;
  fa2_exact_repulsion(Y, m, 2.0, exact);
  Fa2BarnesHutParams p;
  p.theta = theta;
  Fa2BarnesHut bh(p);
  bh.compute(Y, m, 2.0, approx);
  return relative_error(approx, exact);
}

TEST(Fa2BarnesHut, ThetaZeroIsExact) {
  const MatrixD Y = random_layout(1500, 2, 100.0, 1);
  EXPECT_LT(bh_error(Y, random_masses(1500, 1), 0.0), 1e-13);
}

TEST(Fa2BarnesHut, SmallThetaIsCloseToExact) {
  // The error of the mass-centre (monopole) summary falls with theta.
  for (const MatrixD &Y :
       {random_layout(3000, 2, 100.0, 2), clustered_layout(3000, 3)}) {
    const auto m = random_masses(Y.rows, 4);
    const double e02 = bh_error(Y, m, 0.2);
    const double e05 = bh_error(Y, m, 0.5);
    const double e12 = bh_error(Y, m, 1.2);
    EXPECT_LT(e02, 2e-3);
    EXPECT_LT(e05, 1e-2);
    EXPECT_LT(e12, 0.1); // Gephi's default accuracy
    EXPECT_LT(e02, e05);
    EXPECT_LT(e05, e12);
  }
}

TEST(Fa2BarnesHut, CoincidentNodesExertNoForceOnEachOther) {
  // 200 nodes at one point and 300 elsewhere: the tree must terminate, the
  // stacked nodes repel only the others (distance 0 is skipped, as Gephi).
  MatrixD Y = random_layout(500, 2, 10.0, 5);
  for (std::int64_t i = 0; i < 200; ++i)
    Y(i, 0) = 50, Y(i, 1) = -20;
  const auto m = random_masses(500, 6);
  MatrixD exact, approx;
  fa2_exact_repulsion(Y, m, 2.0, exact);
  Fa2BarnesHutParams p;
  p.theta = 0.3;
  Fa2BarnesHut bh(p);
  bh.compute(Y, m, 2.0, approx);
  for (double v : approx.data)
    ASSERT_TRUE(std::isfinite(v));
  EXPECT_LT(relative_error(approx, exact), 5e-3);
  // All nodes at one point: no repulsion at all.
  MatrixD Z(50, 2, 7.0), F;
  bh.compute(Z, std::vector<double>(50, 2.0), 2.0, F);
  for (double v : F.data)
    EXPECT_EQ(v, 0.0);
}

TEST(Fa2BarnesHut, SameBitsForAnyThreadCount) {
  const MatrixD Y = clustered_layout(6000, 7);
  const auto m = random_masses(6000, 8);
  const int saved = omp_get_max_threads();
  MatrixD one, two;
  omp_set_num_threads(1);
  Fa2BarnesHut(Fa2BarnesHutParams{}).compute(Y, m, 2.0, one);
  omp_set_num_threads(2);
  Fa2BarnesHut(Fa2BarnesHutParams{}).compute(Y, m, 2.0, two);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.data, two.data);
}

TEST(Fa2BarnesHut, RejectsBadInput) {
  Fa2BarnesHut bh;
  MatrixD F;
  EXPECT_THROW(bh.compute(MatrixD(4, 3), std::vector<double>(4, 1.0), 2, F),
               NebenchError);
  EXPECT_THROW(bh.compute(MatrixD(4, 2), std::vector<double>(3, 1.0), 2, F),
               NebenchError);
  EXPECT_THROW(bh.compute(MatrixD(2, 2), {1.0, 0.0}, 2, F), NebenchError);
  Fa2BarnesHutParams p;
  p.theta = -1;
  EXPECT_THROW(Fa2BarnesHut{p}, NebenchError);
}

} // namespace
} // namespace nebench
