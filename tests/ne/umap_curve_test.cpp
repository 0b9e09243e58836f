#include "engine/core/errors.h"
#include "engine/ne/umap_curve.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

// Reference values: umap-learn's defaults (min_dist 0.1 -> a = 1.577,
// b = 0.895, its documentation) and uwot's table of find_ab_params results
// (vignettes/articles/abparams.Rmd, tests/testthat/test_curve.R), all with
// spread = 1.
TEST(UmapCurve, MatchesPublishedFits) {
  struct Case {
    double min_dist, a, b, tol_a, tol_b;
  };
  for (const Case &c :
       {Case{0.1, 1.577, 0.895, 1e-3, 1e-3},
        Case{0.001, 1.929, 0.792, 1e-3, 1e-3},
        Case{0.01, 1.90, 0.80, 1e-2, 1e-2}, Case{0.5, 0.58, 1.33, 1e-2, 1e-2},
        Case{1.0, 0.12, 1.93, 1e-2, 1e-2}}) {
    const UmapCurve f = fit_umap_curve(c.min_dist, 1.0);
    EXPECT_NEAR(f.a, c.a, c.tol_a * std::max(1.0, c.a)) << c.min_dist;
    EXPECT_NEAR(f.b, c.b, c.tol_b * std::max(1.0, c.b)) << c.min_dist;
  }
}

TEST(UmapCurve, FitIsALeastSquaresMinimum) {
  // The sum of squares does not decrease in any small step from the fit.
  const double min_dist = 0.3, spread = 2.0;
  const UmapCurve f = fit_umap_curve(min_dist, spread);
  auto sse = [&](double a, double b) {
    double s = 0;
    for (int k = 0; k < 300; ++k) {
      const double x = 3.0 * spread * k / 299.0;
      const double y = x < min_dist ? 1.0 : std::exp(-(x - min_dist) / spread);
      const double r = 1.0 / (1.0 + a * std::pow(x, 2 * b)) - y;
      s += r * r;
    }
    return s;
  };
  const double s0 = sse(f.a, f.b);
  for (double da : {-1e-4, 0.0, 1e-4})
    for (double db : {-1e-4, 0.0, 1e-4})
      EXPECT_GE(sse(f.a * (1 + da), f.b * (1 + db)), s0 * (1 - 1e-12));
}

TEST(UmapCurve, RejectsInvalidArguments) {
  EXPECT_THROW(fit_umap_curve(0.1, 0.0), NebenchError);
  EXPECT_THROW(fit_umap_curve(-0.1, 1.0), NebenchError);
  EXPECT_THROW(fit_umap_curve(std::nan(""), 1.0), NebenchError);
}

} // namespace
} // namespace nebench
