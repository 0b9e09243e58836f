#include "engine/ne/umap_curve.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nebench {

namespace {

struct Sample {
  double x, y, log_x; // log_x unused at x = 0
};

// Sum of squared residuals and, when J is not null, the normal equations
// J^T J (3 entries: aa, ab, bb) and J^T r.
double residuals(const std::vector<Sample> &s, double a, double b,
                 double *jtj = nullptr, double *jtr = nullptr) {
  double sse = 0;
  if (jtj) {
    jtj[0] = jtj[1] = jtj[2] = 0;
    jtr[0] = jtr[1] = 0;
  }
  for (const Sample &p : s) {
    // u = x^{2b}; f = 1 / (1 + a u); df/da = -u f^2;
    // df/db = -a f^2 du/db = -a f^2 u 2 log x (0 at x = 0, where u = 0).
    const double u = p.x > 0 ? std::exp(2.0 * b * p.log_x) : 0.0;
    const double f = 1.0 / (1.0 + a * u);
    const double r = f - p.y;
    sse += r * r;
    if (jtj) {
      const double ja = -u * f * f;
      const double jb = p.x > 0 ? -a * f * f * u * 2.0 * p.log_x : 0.0;
      jtj[0] += ja * ja;
      jtj[1] += ja * jb;
      jtj[2] += jb * jb;
      jtr[0] += ja * r;
      jtr[1] += jb * r;
    }
  }
  return sse;
}

} // namespace

UmapCurve fit_umap_curve(double min_dist, double spread) {
  if (!(spread > 0) || !std::isfinite(spread))
    throw NebenchError("UMAP curve: spread must be > 0, got " +
                       std::to_string(spread));
  if (!(min_dist >= 0) || !std::isfinite(min_dist))
    throw NebenchError("UMAP curve: min_dist must be >= 0, got " +
                       std::to_string(min_dist));

  // umap-learn: xv = np.linspace(0, 3 spread, 300).
  constexpr int kPoints = 300;
  std::vector<Sample> s(kPoints);
  for (int k = 0; k < kPoints; ++k) {
    const double x = 3.0 * spread * k / (kPoints - 1);
    const double y = x < min_dist ? 1.0 : std::exp(-(x - min_dist) / spread);
    s[k] = {x, y, x > 0 ? std::log(x) : 0.0};
  }

  // Levenberg-Marquardt with Marquardt's diagonal scaling, from a = b = 1
  // (curve_fit's default p0). Two parameters: the 2x2 system is solved in
  // closed form.
  double a = 1.0, b = 1.0, lambda = 1e-3;
  double jtj[3], jtr[2];
  double sse = residuals(s, a, b, jtj, jtr);
  bool converged = false;
  for (int it = 0; it < 500 && !converged; ++it) {
    bool accepted = false;
    while (!accepted) {
      const double h00 = jtj[0] * (1.0 + lambda), h11 = jtj[2] * (1.0 + lambda);
      const double h01 = jtj[1];
      const double det = h00 * h11 - h01 * h01;
      if (!(det > 0) || !std::isfinite(det)) {
        lambda *= 10.0;
        if (lambda > 1e20)
          break;
        continue;
      }
      const double da = -(h11 * jtr[0] - h01 * jtr[1]) / det;
      const double db = -(h00 * jtr[1] - h01 * jtr[0]) / det;
      const double a1 = a + da, b1 = b + db;
      const double sse1 = (a1 > 0 && b1 > 0) ? residuals(s, a1, b1) : HUGE_VAL;
      if (sse1 <= sse) {
        const double step = std::fabs(da) / a + std::fabs(db) / b;
        const double gain = sse - sse1;
        a = a1;
        b = b1;
        sse = residuals(s, a, b, jtj, jtr);
        lambda = std::max(lambda * 0.1, 1e-12);
        accepted = true;
        // Same tests as MINPACK: tiny relative step or relative reduction.
        converged = step < 1e-12 || gain <= 1e-15 * (sse + 1e-300);
      } else {
        lambda *= 10.0;
        if (lambda > 1e20)
          break;
      }
    }
    if (!accepted) // no descent direction left: at the minimum
      converged = true;
  }
  if (!converged || !std::isfinite(a) || !std::isfinite(b))
    throw NebenchError("UMAP curve: the fit of a, b did not converge for "
                       "min_dist = " +
                       std::to_string(min_dist) +
                       ", spread = " + std::to_string(spread));
  return {a, b};
}

} // namespace nebench
