#include "engine/ne/exact_repulsion.h"

#include "engine/core/errors.h"
#include "engine/ne/kernel.h"

#include <string>
#include <type_traits>

namespace nebench {

namespace {

template <class Kernel, int Dim>
void repel_all(const MatrixD &Y, const Kernel &kernel, MatrixD &forces,
               std::vector<double> &row_z) {
  const std::int64_t n = Y.rows;
  const std::int64_t dim = Dim > 0 ? Dim : Y.cols;
  const double *y = Y.data.data();
  double *f = forces.data.data();
  // Every point sums over all others in index order, so each row and each
  // partial sum of Z is independent of the schedule. Symmetry (f_ij = -f_ji)
  // would halve the work but make the summation order depend on threads.
#pragma omp parallel for schedule(dynamic, 16) if (n > 1000)
  for (std::int64_t i = 0; i < n; ++i) {
    const double *yi = y + i * dim;
    double *fi = f + i * dim;
    for (std::int64_t d = 0; d < dim; ++d)
      fi[d] = 0.0;
    double z = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      if (j == i)
        continue;
      const double *yj = y + j * dim;
      double d2 = 0;
      for (std::int64_t d = 0; d < dim; ++d) {
        const double t = yi[d] - yj[d];
        d2 += t * t;
      }
      double w;
      const double r = kernel.repulsion(d2, w);
      z += w;
      for (std::int64_t d = 0; d < dim; ++d)
        fi[d] += r * (yi[d] - yj[d]);
    }
    row_z[i] = z;
  }
}

} // namespace

ExactRepulsion::ExactRepulsion(double dof) : dof_(dof) {
  if (!(dof > 0))
    throw NebenchError("exact repulsion: dof must be > 0, got " +
                       std::to_string(dof));
}

double ExactRepulsion::compute(const MatrixD &Y, MatrixD &forces) {
  if (forces.rows != Y.rows || forces.cols != Y.cols)
    forces = MatrixD(Y.rows, Y.cols);
  row_z_.assign(static_cast<std::size_t>(Y.rows), 0.0);
  with_kernel(dof_, [&](const auto &kernel) {
    using K = std::decay_t<decltype(kernel)>;
    if (Y.cols == 2)
      repel_all<K, 2>(Y, kernel, forces, row_z_);
    else
      repel_all<K, 0>(Y, kernel, forces, row_z_);
  });
  double Z = 0;
  for (double z : row_z_)
    Z += z;
  return Z;
}

} // namespace nebench
