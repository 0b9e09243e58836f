#include "engine/ne/fa2_barnes_hut.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <omp.h>
#include <string>

namespace nebench {

Fa2BarnesHut::Fa2BarnesHut(const Fa2BarnesHutParams &params) : params_(params) {
  if (!(params.theta >= 0) || !std::isfinite(params.theta))
    throw NebenchError("ForceAtlas2 Barnes-Hut: theta must be >= 0, got " +
                       std::to_string(params.theta));
  if (params.leaf_size < 1 || params.max_depth < 1 || params.group_size < 1)
    throw NebenchError("ForceAtlas2 Barnes-Hut: leaf_size, max_depth and "
                       "group_size must be >= 1");
}

void Fa2BarnesHut::build(const MatrixD &Y, const std::vector<double> &mass) {
  const auto n = static_cast<std::int32_t>(Y.rows);
  perm_.resize(n);
  std::iota(perm_.begin(), perm_.end(), 0);
  scratch_.resize(n);
  quad_.resize(n);
  bx_.resize(n);
  by_.resize(n);
  bm_.resize(n);
  for (std::int32_t i = 0; i < n; ++i) {
    bx_[i] = Y(i, 0);
    by_[i] = Y(i, 1);
    bm_[i] = mass[i];
  }
  nodes_.clear(); // keeps its capacity across iterations
  build_node(0, n, 0);
  // Coordinates in tree order: the leaf sums then read contiguous memory.
  px_.resize(n);
  py_.resize(n);
  pm_.resize(n);
  for (std::int32_t p = 0; p < n; ++p) {
    px_[p] = bx_[perm_[p]];
    py_[p] = by_[perm_[p]];
    pm_[p] = bm_[perm_[p]];
  }
}

void Fa2BarnesHut::build_node(std::int32_t begin, std::int32_t end, int depth) {
  const auto self = static_cast<std::int32_t>(nodes_.size());
  nodes_.emplace_back();
  // Mass, mass centre and size exactly as Gephi's updateMassAndGeometry.
  double total = 0, sx = 0, sy = 0;
  for (std::int32_t p = begin; p < end; ++p) {
    const std::int32_t i = perm_[p];
    total += bm_[i];
    sx += bm_[i] * bx_[i];
    sy += bm_[i] * by_[i];
  }
  const double cx = sx / total, cy = sy / total;
  double r2 = 0;
  for (std::int32_t p = begin; p < end; ++p) {
    const std::int32_t i = perm_[p];
    const double dx = bx_[i] - cx, dy = by_[i] - cy;
    r2 = std::max(r2, dx * dx + dy * dy);
  }
  {
    Node &node = nodes_[self];
    node.cx = cx;
    node.cy = cy;
    node.mass = total;
    node.size2 = 4.0 * r2; // size = 2 * max distance
    node.begin = begin;
    node.end = end;
    node.next = self + 1;
  }
  const std::int32_t count = end - begin;
  if (count <= params_.leaf_size || depth >= params_.max_depth)
    return;

  // Split at the mass centre (Gephi: left if x < c_x, top if y < c_y) by a
  // four-way counting sort of [begin, end).
  std::int32_t bucket[5] = {0, 0, 0, 0, 0};
  for (std::int32_t p = begin; p < end; ++p) {
    const std::int32_t i = perm_[p];
    const int q = (bx_[i] >= cx ? 1 : 0) | (by_[i] >= cy ? 2 : 0);
    quad_[p] = static_cast<std::uint8_t>(q);
    ++bucket[q + 1];
  }
  for (int q = 0; q < 4; ++q) {
    // All nodes on one side of their own mass centre: they coincide (up to
    // rounding), so the region stays a leaf and is summed node by node when
    // it is too close, where Gephi makes one region per node.
    if (bucket[q + 1] == count)
      return;
    bucket[q + 1] += bucket[q];
  }
  std::int32_t fill[4] = {bucket[0], bucket[1], bucket[2], bucket[3]};
  for (std::int32_t p = begin; p < end; ++p)
    scratch_[begin + fill[quad_[p]]++] = perm_[p];
  std::copy(scratch_.begin() + begin, scratch_.begin() + end,
            perm_.begin() + begin);
  for (int q = 0; q < 4; ++q) {
    const std::int32_t b = begin + bucket[q], e = begin + bucket[q + 1];
    if (b < e)
      build_node(b, e, depth + 1);
  }
  nodes_[self].next = static_cast<std::int32_t>(nodes_.size());
}

void Fa2BarnesHut::compute(const MatrixD &Y, const std::vector<double> &mass,
                           double scaling_ratio, MatrixD &forces) {
  if (Y.cols != 2)
    throw NebenchError("ForceAtlas2 Barnes-Hut needs a 2-D layout, got " +
                       std::to_string(Y.cols) + " dimensions");
  if (Y.rows >= std::numeric_limits<std::int32_t>::max() / 2)
    throw NebenchError("ForceAtlas2 Barnes-Hut: too many nodes");
  if (static_cast<std::int64_t>(mass.size()) != Y.rows)
    throw NebenchError(
        "ForceAtlas2 Barnes-Hut: " + std::to_string(mass.size()) +
        " masses for " + std::to_string(Y.rows) + " nodes");
  for (double m : mass)
    if (!(m > 0) || !std::isfinite(m))
      throw NebenchError("ForceAtlas2 Barnes-Hut: masses must be positive, "
                         "got " +
                         std::to_string(m));
  if (forces.rows != Y.rows || forces.cols != 2)
    forces = MatrixD(Y.rows, 2);
  const auto n = static_cast<std::int32_t>(Y.rows);
  if (n == 0)
    return;
  build(Y, mass);

  // Groups: the largest subtrees with at most group_size nodes, and larger
  // leaves (coincident nodes); disjoint, covering, contiguous in tree order.
  groups_.clear();
  for (std::int32_t k = 0; k < static_cast<std::int32_t>(nodes_.size());) {
    const Node &node = nodes_[k];
    if (node.end - node.begin <= params_.group_size || node.next == k + 1) {
      groups_.push_back(k);
      k = node.next;
    } else {
      ++k;
    }
  }

  const double theta2 = params_.theta * params_.theta;
  const Node *nodes = nodes_.data();
  const auto m = static_cast<std::int32_t>(nodes_.size());
  const auto num_groups = static_cast<std::int32_t>(groups_.size());
  const std::int32_t *perm = perm_.data();
  const double *px = px_.data(), *py = py_.data(), *pm = pm_.data();
  double *f = forces.data.data();
  if (static_cast<int>(lists_.size()) < omp_get_max_threads())
    lists_.resize(omp_get_max_threads());

#pragma omp parallel if (n > 2000)
  {
    InteractionList &list = lists_[omp_get_thread_num()];
    // Every group's forces depend only on the tree: any schedule gives the
    // same bits; dynamic scheduling balances dense and sparse regions.
#pragma omp for schedule(dynamic, 4)
    for (std::int32_t g = 0; g < num_groups; ++g) {
      const Node &group = nodes[groups_[g]];
      const std::int32_t gb = group.begin, ge = group.end;
      double xlo = px[gb], xhi = px[gb], ylo = py[gb], yhi = py[gb];
      for (std::int32_t q = gb + 1; q < ge; ++q) {
        xlo = std::min(xlo, px[q]);
        xhi = std::max(xhi, px[q]);
        ylo = std::min(ylo, py[q]);
        yhi = std::max(yhi, py[q]);
      }
      list.clear();
      for (std::int32_t k = 0; k < m;) {
        const Node &node = nodes[k];
        const bool overlaps = node.begin < ge && gb < node.end;
        if (!overlaps) {
          // Gephi's distance * theta > size, with the distance from the mass
          // centre to the nearest point of the group's bounding box.
          const double dx = std::max({xlo - node.cx, node.cx - xhi, 0.0});
          const double dy = std::max({ylo - node.cy, node.cy - yhi, 0.0});
          if (node.size2 < theta2 * (dx * dx + dy * dy)) {
            list.push(node.cx, node.cy, node.mass);
            k = node.next;
            continue;
          }
        }
        if (node.next == k + 1) { // leaf: its nodes one by one
          for (std::int32_t q = node.begin; q < node.end; ++q)
            list.push(px[q], py[q], pm[q]);
          k = node.next;
        } else {
          ++k; // open the region: its first child follows it
        }
      }
      // The list holds every node of the group itself (distance 0: no
      // force, as coincident nodes in Gephi).
      const std::size_t len = list.x.size();
      const double *lx = list.x.data(), *ly = list.y.data(),
                   *lm = list.mass.data();
      for (std::int32_t p = gb; p < ge; ++p) {
        const double xi = px[p], yi = py[p];
        double fx = 0, fy = 0;
#pragma omp simd reduction(+ : fx, fy)
        for (std::size_t e = 0; e < len; ++e) {
          const double dx = xi - lx[e], dy = yi - ly[e];
          const double d2 = dx * dx + dy * dy;
          // Arithmetic masking instead of a branch (which would stop the
          // loop from vectorizing): w = m / d^2, or 0 / 1 at distance 0.
          const double apart = d2 > 0 ? 1.0 : 0.0;
          const double w = apart * lm[e] / (d2 + (1.0 - apart));
          fx += w * dx;
          fy += w * dy;
        }
        const std::int32_t i = perm[p];
        const double c = scaling_ratio * pm[p];
        f[2 * i] = c * fx;
        f[2 * i + 1] = c * fy;
      }
    }
  }
}

} // namespace nebench
