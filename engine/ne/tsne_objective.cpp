#include "engine/ne/tsne_objective.h"

#include "engine/ne/attraction.h"
#include "engine/ne/exact_repulsion.h"

#include <cmath>

namespace nebench {

double tsne_loss(const Csr &P, const MatrixD &Y, double exaggeration,
                 double dof) {
  ExactRepulsion exact(dof);
  MatrixD forces;
  const double Z = exact.compute(Y, forces);
  return -exaggeration * sum_p_log_w(P, Y, dof) + std::log(Z);
}

double tsne_gradient(const Csr &P, const MatrixD &Y, double exaggeration,
                     double dof, RepulsionEstimator &repulsion, MatrixD &grad) {
  MatrixD rep;
  const double Z = repulsion.compute(Y, rep);
  attractive_forces(P, Y, dof, grad);
  for (std::size_t e = 0; e < grad.data.size(); ++e)
    grad.data[e] = exaggeration * grad.data[e] - rep.data[e] / Z;
  return Z;
}

double kl_divergence(const Csr &P, const MatrixD &Y, double dof, double Z) {
  return sum_p_log_p(P) - sum_p_log_w(P, Y, dof) + sum_values(P) * std::log(Z);
}

} // namespace nebench
