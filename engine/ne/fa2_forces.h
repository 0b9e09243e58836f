#pragma once
// The three forces of ForceAtlas2 (Jacomy et al. 2014, "ForceAtlas2, a
// continuous graph layout algorithm", PLoS ONE 9(6): e98679, sec. "Energy
// model"), on a 2-D layout, as in Gephi's ForceFactory.java:
//
//   attraction  F_a(i) = -sum_j w_ij (y_i - y_j)        (linear: |F| = w d)
//               F_a(i) = -sum_j w_ij log(1 + d_ij) u_ij       (LinLog mode)
//   repulsion   F_r(i) = k_r m_i sum_{j != i} m_j (y_i - y_j) / d_ij^2
//                      (|F| = k_r m_i m_j / d: "repulsion by degree")
//   gravity     F_g(i) = -k_g m_i y_i / |y_i|          (|F| = k_g m_i)
//               F_g(i) = -k_g m_i y_i       (strong gravity: k_g m_i |y_i|)
//
// with masses m_i = deg(i) + 1 ("degree repulsion"), d_ij = |y_i - y_j| and
// u_ij = (y_i - y_j) / d_ij. Pairs at distance 0 exert no repulsion and a
// node at the origin feels no gravity, as in Gephi. The Barnes-Hut estimate
// of F_r is in engine/ne/fa2_barnes_hut.h; this file holds the exact terms.
//
// Gravity follows Gephi (NodesThread passes gravity / scalingRatio to a force
// multiplied by scalingRatio, so k_r cancels). The Python port `fa2`
// (bhargavchippada/forceatlas2) agrees for normal gravity but multiplies
// strong gravity by k_r as well; we follow Gephi and the paper.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"

#include <vector>

namespace nebench {

/// m_i = 1 + number of off-diagonal stored entries of row i (Gephi:
/// 1 + graph.getDegree(n), unweighted).
std::vector<double> fa2_masses(const Csr &graph);

/// Adds the attraction along the edges of the symmetric graph to `forces`
/// (n x 2): -sum_j w_ij (y_i - y_j), or with `linlog` -sum_j w_ij log(1 +
/// d_ij) (y_i - y_j) / d_ij. Each undirected edge is stored twice in a
/// symmetric CSR, so every endpoint gets its pull once, as Gephi's loop over
/// edges. Parallel over rows, each row summed in CSR order (deterministic).
void fa2_add_attraction(const Csr &graph, const MatrixD &Y, bool linlog,
                        MatrixD &forces);

/// Adds gravity towards the origin to `forces`: -gravity * m_i * y_i / |y_i|,
/// or -gravity * m_i * y_i with `strong`.
void fa2_add_gravity(const MatrixD &Y, const std::vector<double> &mass,
                     double gravity, bool strong, MatrixD &forces);

/// Exact O(n^2) degree repulsion (the reference for Barnes-Hut): `forces`
/// is resized to n x 2 and overwritten with k_r m_i sum_j m_j (y_i - y_j) /
/// d_ij^2 (pairs at distance 0 skipped). Parallel over points,
/// deterministic.
void fa2_exact_repulsion(const MatrixD &Y, const std::vector<double> &mass,
                         double scaling_ratio, MatrixD &forces);

} // namespace nebench
