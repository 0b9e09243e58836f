#include "engine/ne/attraction.h"

#include "engine/core/errors.h"
#include "engine/ne/kernel.h"

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

namespace nebench {

namespace {

// Below this many edges a parallel region costs more than it saves.
constexpr std::int64_t kParallelEdges = 50000;

void check_shapes(const Csr &P, const MatrixD &Y) {
  if (P.n != Y.rows)
    throw NebenchError("attraction: affinity matrix has " +
                       std::to_string(P.n) + " rows but the embedding has " +
                       std::to_string(Y.rows) + " points");
}

template <class Kernel, int Dim>
void attract(const Csr &P, const MatrixD &Y, const Kernel &kernel,
             MatrixD &forces) {
  const std::int64_t n = Y.rows;
  // Dim > 0 fixes the dimension at compile time (the common 2-D case).
  const std::int64_t dim = Dim > 0 ? Dim : Y.cols;
  const double *y = Y.data.data();
  double *f = forces.data.data();
#pragma omp parallel for schedule(dynamic, 512) if (P.nnz() > kParallelEdges)
  for (std::int64_t i = 0; i < n; ++i) {
    double *fi = f + i * dim;
    const double *yi = y + i * dim;
    for (std::int64_t d = 0; d < dim; ++d)
      fi[d] = 0.0;
    for (std::int64_t e = P.indptr[i]; e < P.indptr[i + 1]; ++e) {
      const double *yj = y + static_cast<std::int64_t>(P.indices[e]) * dim;
      double d2 = 0;
      for (std::int64_t d = 0; d < dim; ++d) {
        const double t = yi[d] - yj[d];
        d2 += t * t;
      }
      const double c = P.values[e] * kernel.attraction(d2);
      for (std::int64_t d = 0; d < dim; ++d)
        fi[d] += c * (yi[d] - yj[d]);
    }
  }
}

} // namespace

void attractive_forces(const Csr &P, const MatrixD &Y, double dof,
                       MatrixD &forces) {
  check_shapes(P, Y);
  if (forces.rows != Y.rows || forces.cols != Y.cols)
    forces = MatrixD(Y.rows, Y.cols);
  with_kernel(dof, [&](const auto &kernel) {
    if (Y.cols == 2)
      attract<std::decay_t<decltype(kernel)>, 2>(P, Y, kernel, forces);
    else
      attract<std::decay_t<decltype(kernel)>, 0>(P, Y, kernel, forces);
  });
}

double sum_p_log_w(const Csr &P, const MatrixD &Y, double dof) {
  check_shapes(P, Y);
  const std::int64_t n = Y.rows, dim = Y.cols;
  return with_kernel(dof, [&](const auto &kernel) {
    // Per-row partial sums added in row order: deterministic.
    std::vector<double> row(static_cast<std::size_t>(n), 0.0);
#pragma omp parallel for schedule(dynamic, 512) if (P.nnz() > kParallelEdges)
    for (std::int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::int64_t e = P.indptr[i]; e < P.indptr[i + 1]; ++e) {
        const std::int64_t j = P.indices[e];
        double d2 = 0;
        for (std::int64_t d = 0; d < dim; ++d) {
          const double t = Y(i, d) - Y(j, d);
          d2 += t * t;
        }
        s += P.values[e] * kernel.log_weight(d2);
      }
      row[i] = s;
    }
    double total = 0;
    for (double v : row)
      total += v;
    return total;
  });
}

double sum_p_log_p(const Csr &P) {
  double s = 0;
  for (double v : P.values)
    if (v > 0)
      s += v * std::log(v);
  return s;
}

double sum_values(const Csr &P) {
  double s = 0;
  for (double v : P.values)
    s += v;
  return s;
}

} // namespace nebench
