#include "engine/ne/umap_gradient.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

// The per-sample losses as functions of the head position, written
// independently of the policy: L+ = -log phi, L- = -gamma log(1 - phi).
double phi(double a, double b, const double *yi, const double *yj) {
  const double d2 =
      (yi[0] - yj[0]) * (yi[0] - yj[0]) + (yi[1] - yj[1]) * (yi[1] - yj[1]);
  return 1.0 / (1.0 + a * std::pow(d2, b));
}

template <class G>
void check_against_finite_differences(const UmapGradientParams &gp) {
  const G g(gp);
  const double yj[2] = {0.3, -0.2};
  for (double scale : {0.05, 0.7, 3.0}) {
    double yi[2] = {0.3 + scale * 0.8, -0.2 + scale * 0.6};
    const double d2 = scale * scale;
    for (int d = 0; d < 2; ++d) {
      const double h = 1e-6 * (1 + std::fabs(yi[d]));
      const double keep = yi[d];
      yi[d] = keep + h;
      const double pp = phi(gp.a, gp.b, yi, yj);
      yi[d] = keep - h;
      const double pm = phi(gp.a, gp.b, yi, yj);
      yi[d] = keep;
      const double d_attr = (-std::log(pp) + std::log(pm)) / (2 * h);
      const double d_rep =
          (-gp.gamma * std::log(1 - pp) + gp.gamma * std::log(1 - pm)) /
          (2 * h);
      // The head moves by c (y_i - y_j), the negative gradient.
      const double move_attr = g.attraction(d2) * (yi[d] - yj[d]);
      const double move_rep = g.repulsion(d2) * (yi[d] - yj[d]);
      EXPECT_NEAR(move_attr, -d_attr, 1e-6 * (1 + std::fabs(d_attr)))
          << "scale " << scale << " dim " << d;
      EXPECT_NEAR(move_rep, -d_rep, 1e-6 * (1 + std::fabs(d_rep)))
          << "scale " << scale << " dim " << d;
    }
    // The trace losses are the same functions.
    EXPECT_NEAR(g.attraction_loss(d2), -std::log(phi(gp.a, gp.b, yi, yj)),
                1e-12);
    EXPECT_NEAR(g.repulsion_loss(d2),
                -gp.gamma * std::log(1 - phi(gp.a, gp.b, yi, yj)), 1e-9);
  }
}

TEST(UmapGradient, GeneralCurveMatchesFiniteDifferences) {
  UmapGradientParams gp;
  gp.a = 1.577;
  gp.b = 0.895;
  gp.gamma = 1.7;
  gp.eps = 0.0; // the exact gradient; eps is umap-learn's regularizer
  check_against_finite_differences<UmapGradient<false>>(gp);
}

TEST(UmapGradient, UnitBMatchesFiniteDifferences) {
  UmapGradientParams gp;
  gp.a = 1.0;
  gp.b = 1.0;
  gp.gamma = 1.0;
  gp.eps = 0.0;
  check_against_finite_differences<UmapGradient<true>>(gp);
  gp.a = 2.5;
  check_against_finite_differences<UmapGradient<true>>(gp);
}

TEST(UmapGradient, CoefficientsAreUmapLearns) {
  // umap-learn, layouts.py: attraction -2ab d2^(b-1) / (a d2^b + 1),
  // repulsion 2 gamma b / ((0.001 + d2) (a d2^b + 1)).
  UmapGradientParams gp;
  gp.a = 1.929;
  gp.b = 0.7915;
  gp.gamma = 1.0;
  const UmapGradient<false> g(gp);
  for (double d2 : {1e-3, 0.5, 4.0, 100.0}) {
    const double pb = std::pow(d2, gp.b);
    EXPECT_NEAR(g.attraction(d2),
                -2 * gp.a * gp.b * std::pow(d2, gp.b - 1) / (gp.a * pb + 1),
                1e-12 * (1 + std::fabs(g.attraction(d2))));
    EXPECT_NEAR(g.repulsion(d2), 2 * gp.b / ((0.001 + d2) * (gp.a * pb + 1)),
                1e-12 * (1 + g.repulsion(d2)));
    // Float evaluation (the optimizer's) agrees to float precision.
    EXPECT_NEAR(g.attraction(static_cast<float>(d2)), g.attraction(d2),
                1e-5 * std::fabs(g.attraction(d2)));
  }
  // b = 1 specialization equals the general formula at b = 1.
  gp.b = 1.0;
  const UmapGradient<true> g1(gp);
  const UmapGradient<false> g2(gp);
  EXPECT_DOUBLE_EQ(g1.attraction(0.7), g2.attraction(0.7));
  EXPECT_DOUBLE_EQ(g1.repulsion(0.7), g2.repulsion(0.7));
}

} // namespace
} // namespace nebench
