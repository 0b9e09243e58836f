#include "engine/ne/fa2_forces.h"

#include "engine/core/errors.h"

#include <cmath>
#include <string>

namespace nebench {

namespace {

void require_2d(const MatrixD &Y, const char *what) {
  if (Y.cols != 2)
    throw NebenchError(std::string("ForceAtlas2 ") + what +
                       ": needs a 2-D layout, got " + std::to_string(Y.cols) +
                       " dimensions");
}

} // namespace

std::vector<double> fa2_masses(const Csr &graph) {
  std::vector<double> mass(static_cast<std::size_t>(graph.n));
  for (std::int64_t i = 0; i < graph.n; ++i) {
    std::int64_t degree = 0;
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p)
      degree += graph.indices[p] != i;
    mass[i] = 1.0 + static_cast<double>(degree);
  }
  return mass;
}

void fa2_add_attraction(const Csr &graph, const MatrixD &Y, bool linlog,
                        MatrixD &forces) {
  require_2d(Y, "attraction");
  if (graph.n != Y.rows || forces.rows != Y.rows || forces.cols != 2)
    throw NebenchError("ForceAtlas2 attraction: the graph has " +
                       std::to_string(graph.n) + " nodes, the layout " +
                       std::to_string(Y.rows) + " rows and the forces " +
                       std::to_string(forces.rows));
  const std::int64_t n = Y.rows;
  const double *y = Y.data.data();
  double *f = forces.data.data();
#pragma omp parallel for schedule(dynamic, 1024) if (n > 5000)
  for (std::int64_t i = 0; i < n; ++i) {
    const double xi = y[2 * i], yi = y[2 * i + 1];
    double fx = 0, fy = 0;
    for (auto p = graph.row_begin(i); p < graph.row_end(i); ++p) {
      const std::int64_t j = graph.indices[p];
      const double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
      double factor = graph.values[p];
      if (linlog) {
        // Gephi's LogAttraction: force w log(1 + d) along the edge, i.e.
        // factor = w log(1 + d) / d on the difference vector; nothing at d=0.
        const double d = std::sqrt(dx * dx + dy * dy);
        factor = d > 0 ? factor * std::log1p(d) / d : 0.0;
      }
      fx -= factor * dx;
      fy -= factor * dy;
    }
    f[2 * i] += fx;
    f[2 * i + 1] += fy;
  }
}

void fa2_add_gravity(const MatrixD &Y, const std::vector<double> &mass,
                     double gravity, bool strong, MatrixD &forces) {
  require_2d(Y, "gravity");
  if (static_cast<std::int64_t>(mass.size()) != Y.rows ||
      forces.rows != Y.rows || forces.cols != 2)
    throw NebenchError("ForceAtlas2 gravity: sizes of layout, masses and "
                       "forces differ");
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    const double x = Y(i, 0), y = Y(i, 1);
    const double d = std::sqrt(x * x + y * y);
    if (!(d > 0))
      continue;
    // Normal gravity has constant magnitude k_g m_i; strong gravity grows
    // linearly with the distance to the origin.
    const double factor = strong ? gravity * mass[i] : gravity * mass[i] / d;
    forces(i, 0) -= factor * x;
    forces(i, 1) -= factor * y;
  }
}

void fa2_exact_repulsion(const MatrixD &Y, const std::vector<double> &mass,
                         double scaling_ratio, MatrixD &forces) {
  require_2d(Y, "repulsion");
  const std::int64_t n = Y.rows;
  if (static_cast<std::int64_t>(mass.size()) != n)
    throw NebenchError("ForceAtlas2 repulsion: " + std::to_string(mass.size()) +
                       " masses for " + std::to_string(n) + " nodes");
  if (forces.rows != n || forces.cols != 2)
    forces = MatrixD(n, 2);
  const double *y = Y.data.data();
  const double *m = mass.data();
  double *f = forces.data.data();
#pragma omp parallel for schedule(dynamic, 64) if (n > 1000)
  for (std::int64_t i = 0; i < n; ++i) {
    const double xi = y[2 * i], yi = y[2 * i + 1];
    double fx = 0, fy = 0;
#pragma omp simd reduction(+ : fx, fy)
    for (std::int64_t j = 0; j < n; ++j) {
      const double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
      const double d2 = dx * dx + dy * dy;
      // Force k_r m_i m_j / d along (y_i - y_j) / d; the point itself and
      // coincident points are at d = 0 and skipped (Gephi: distance > 0).
      // Arithmetic masking keeps the loop vectorizable: 0 / 1 at d = 0.
      const double apart = d2 > 0 ? 1.0 : 0.0;
      const double w = apart * m[j] / (d2 + (1.0 - apart));
      fx += w * dx;
      fy += w * dy;
    }
    f[2 * i] = scaling_ratio * m[i] * fx;
    f[2 * i + 1] = scaling_ratio * m[i] * fy;
  }
}

} // namespace nebench
