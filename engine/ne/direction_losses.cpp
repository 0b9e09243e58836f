#include "engine/ne/direction_losses.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace nebench {

namespace {

void check_pairs(const MatrixD &z1, const MatrixD &z2, const char *loss) {
  if (z1.rows < 1 || z1.cols < 1 || z1.rows != z2.rows || z1.cols != z2.cols)
    throw NebenchError(
        std::string(loss) +
        ": the two views must be n x d matrices of one shape "
        "(n, d >= 1), got " +
        std::to_string(z1.rows) + " x " + std::to_string(z1.cols) + " and " +
        std::to_string(z2.rows) + " x " + std::to_string(z2.cols));
}

double row_norm(const MatrixD &z, std::int64_t i, const char *loss) {
  double s = 0;
  const double *r = z.row(i);
  for (std::int64_t k = 0; k < z.cols; ++k)
    s += r[k] * r[k];
  const double n = std::sqrt(s);
  if (!(n > 0) || !std::isfinite(n))
    throw NebenchError(std::string(loss) + ": row " + std::to_string(i) +
                       " has norm " + std::to_string(n) +
                       " (a direction needs a finite nonzero vector)");
  return n;
}

/// Rows of z divided by their norms (`norms` receives the norms).
MatrixD directions(const MatrixD &z, std::vector<double> &norms,
                   const char *loss) {
  MatrixD u(z.rows, z.cols);
  norms.resize(static_cast<std::size_t>(z.rows));
  for (std::int64_t i = 0; i < z.rows; ++i) {
    norms[i] = row_norm(z, i, loss);
    for (std::int64_t k = 0; k < z.cols; ++k)
      u(i, k) = z(i, k) / norms[i];
  }
  return u;
}

/// Eq. (1): g <- (I - u u^T) g / |z| for one row.
void project_row(double *g, const double *u, double norm, std::int64_t d) {
  double dot = 0;
  for (std::int64_t k = 0; k < d; ++k)
    dot += g[k] * u[k];
  for (std::int64_t k = 0; k < d; ++k)
    g[k] = (g[k] - dot * u[k]) / norm;
}

} // namespace

PairLossGradient mean_cosine_loss(const MatrixD &z1, const MatrixD &z2) {
  check_pairs(z1, z2, "mean_cosine_loss");
  const std::int64_t n = z1.rows, d = z1.cols;
  std::vector<double> n1, n2;
  const MatrixD u1 = directions(z1, n1, "mean_cosine_loss");
  const MatrixD u2 = directions(z2, n2, "mean_cosine_loss");
  PairLossGradient out;
  out.grad1 = MatrixD(n, d);
  out.grad2 = MatrixD(n, d);
  const double w = 1.0 / static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    double c = 0;
    for (std::int64_t k = 0; k < d; ++k)
      c += u1(i, k) * u2(i, k);
    out.loss -= w * c;
    // d(-w cos)/dz1 = -w (u2 - c u1) / |z1| (sec. 3.1), and symmetrically.
    for (std::int64_t k = 0; k < d; ++k) {
      out.grad1(i, k) = -w * (u2(i, k) - c * u1(i, k)) / n1[i];
      out.grad2(i, k) = -w * (u1(i, k) - c * u2(i, k)) / n2[i];
    }
  }
  return out;
}

PairLossGradient nt_xent_loss(const MatrixD &z1, const MatrixD &z2,
                              double temperature) {
  check_pairs(z1, z2, "nt_xent_loss");
  if (!(temperature > 0))
    throw NebenchError("nt_xent_loss: the temperature must be > 0, got " +
                       std::to_string(temperature));
  const std::int64_t n = z1.rows, d = z1.cols, m = 2 * n;
  MatrixD z(m, d);
  std::copy(z1.data.begin(), z1.data.end(), z.data.begin());
  std::copy(z2.data.begin(), z2.data.end(), z.data.begin() + n * d);
  std::vector<double> norms;
  const MatrixD u = directions(z, norms, "nt_xent_loss");

  // s_ik = u_i . u_k / temperature.
  MatrixD s(m, m);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t k = i; k < m; ++k) {
      double dot = 0;
      for (std::int64_t j = 0; j < d; ++j)
        dot += u(i, j) * u(k, j);
      s(i, k) = s(k, i) = dot / temperature;
    }

  // G_ik = dL/ds_ik = (P_ik - [k = i+]) / 2n, P the softmax over k != i
  // (stable: shifted by the row maximum).
  PairLossGradient out;
  MatrixD g(m, m);
  const double w = 1.0 / static_cast<double>(m);
  for (std::int64_t i = 0; i < m; ++i) {
    const std::int64_t pos = (i + n) % m;
    double mx = -std::numeric_limits<double>::infinity();
    for (std::int64_t k = 0; k < m; ++k)
      if (k != i)
        mx = std::max(mx, s(i, k));
    double sum = 0;
    for (std::int64_t k = 0; k < m; ++k)
      if (k != i)
        sum += std::exp(s(i, k) - mx);
    out.loss += w * (-s(i, pos) + mx + std::log(sum));
    for (std::int64_t k = 0; k < m; ++k)
      if (k != i)
        g(i, k) = w * (std::exp(s(i, k) - mx) / sum - (k == pos ? 1.0 : 0.0));
  }

  // dL/du_i = sum_k (G_ik + G_ki) u_k / temperature, then eq. (1).
  MatrixD grad(m, d);
  for (std::int64_t i = 0; i < m; ++i) {
    double *gi = grad.row(i);
    for (std::int64_t k = 0; k < m; ++k) {
      if (k == i)
        continue;
      const double c = (g(i, k) + g(k, i)) / temperature;
      for (std::int64_t j = 0; j < d; ++j)
        gi[j] += c * u(k, j);
    }
    project_row(gi, u.row(i), norms[i], d);
  }
  out.grad1 = MatrixD(n, d);
  out.grad2 = MatrixD(n, d);
  std::copy(grad.data.begin(), grad.data.begin() + n * d,
            out.grad1.data.begin());
  std::copy(grad.data.begin() + n * d, grad.data.end(), out.grad2.data.begin());
  return out;
}

} // namespace nebench
