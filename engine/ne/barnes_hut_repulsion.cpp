#include "engine/ne/barnes_hut_repulsion.h"

#include "engine/core/errors.h"
#include "engine/ne/kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <omp.h>
#include <string>
#include <type_traits>

namespace nebench {

BarnesHutRepulsion::BarnesHutRepulsion(const BarnesHutParams &params)
    : params_(params) {
  if (!(params.theta >= 0) || !std::isfinite(params.theta))
    throw NebenchError("Barnes-Hut: theta must be >= 0, got " +
                       std::to_string(params.theta));
  if (!(params.dof > 0))
    throw NebenchError("Barnes-Hut: dof must be > 0, got " +
                       std::to_string(params.dof));
  if (params.leaf_size < 1 || params.max_depth < 1 || params.group_size < 1)
    throw NebenchError(
        "Barnes-Hut: leaf_size, max_depth and group_size must be >= 1");
}

void BarnesHutRepulsion::build(const MatrixD &Y) {
  const auto n = static_cast<std::int32_t>(Y.rows);
  perm_.resize(n);
  std::iota(perm_.begin(), perm_.end(), 0);
  scratch_.resize(n);
  quad_.resize(n);
  px_.resize(n);
  py_.resize(n);
  nodes_.clear(); // keeps its capacity: no allocation after the first call
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  double ymin = xmin, ymax = -xmin;
  for (std::int32_t i = 0; i < n; ++i) {
    xmin = std::min(xmin, Y(i, 0));
    xmax = std::max(xmax, Y(i, 0));
    ymin = std::min(ymin, Y(i, 1));
    ymax = std::max(ymax, Y(i, 1));
  }
  // Square root cell (openTSNE: length = largest extent), slightly enlarged
  // so that the maximum lies strictly inside.
  double side = std::max(xmax - xmin, ymax - ymin);
  side = side > 0 ? side * (1.0 + 1e-9) : 1.0;
  // During the build px_/py_ hold coordinates by point index; afterwards
  // they are rewritten in tree order.
  for (std::int32_t i = 0; i < n; ++i) {
    px_[i] = Y(i, 0);
    py_[i] = Y(i, 1);
  }
  build_node(0, n, xmin, ymin, side, 0);
  // Reorder coordinates into tree order for cache-friendly leaf sums.
  for (std::int32_t p = 0; p < n; ++p) {
    px_[p] = Y(perm_[p], 0);
    py_[p] = Y(perm_[p], 1);
  }
}

void BarnesHutRepulsion::build_node(std::int32_t begin, std::int32_t end,
                                    double x0, double y0, double side,
                                    int depth) {
  const auto self = static_cast<std::int32_t>(nodes_.size());
  nodes_.emplace_back();
  const std::int32_t count = end - begin;
  if (count <= params_.leaf_size || depth >= params_.max_depth) {
    double sx = 0, sy = 0;
    for (std::int32_t p = begin; p < end; ++p) {
      sx += px_[perm_[p]];
      sy += py_[perm_[p]];
    }
    Node &node = nodes_[self];
    node.cx = sx / count;
    node.cy = sy / count;
    node.side2 = side * side;
    node.count = count;
    node.begin = begin;
    node.end = end;
    node.next = self + 1;
    return;
  }
  // Four-way counting-sort partition of [begin, end) by quadrant.
  const double half = 0.5 * side;
  const double mx = x0 + half, my = y0 + half;
  std::int32_t bucket[5] = {0, 0, 0, 0, 0};
  for (std::int32_t p = begin; p < end; ++p) {
    const std::int32_t i = perm_[p];
    const int q = (px_[i] >= mx ? 1 : 0) | (py_[i] >= my ? 2 : 0);
    quad_[p] = static_cast<std::uint8_t>(q);
    ++bucket[q + 1];
  }
  for (int q = 0; q < 4; ++q)
    bucket[q + 1] += bucket[q];
  std::int32_t fill[4] = {bucket[0], bucket[1], bucket[2], bucket[3]};
  for (std::int32_t p = begin; p < end; ++p)
    scratch_[begin + fill[quad_[p]]++] = perm_[p];
  std::copy(scratch_.begin() + begin, scratch_.begin() + end,
            perm_.begin() + begin);

  double sx = 0, sy = 0;
  for (int q = 0; q < 4; ++q) {
    const std::int32_t b = begin + bucket[q], e = begin + bucket[q + 1];
    if (b == e)
      continue; // no empty nodes
    const auto child = static_cast<std::int32_t>(nodes_.size());
    build_node(b, e, (q & 1) ? mx : x0, (q & 2) ? my : y0, half, depth + 1);
    sx += nodes_[child].cx * nodes_[child].count;
    sy += nodes_[child].cy * nodes_[child].count;
  }
  Node &node = nodes_[self]; // re-fetch: children may have reallocated
  node.cx = sx / count;
  node.cy = sy / count;
  node.side2 = side * side;
  node.count = count;
  node.begin = begin;
  node.end = end;
  node.next = static_cast<std::int32_t>(nodes_.size());
}

double BarnesHutRepulsion::compute(const MatrixD &Y, MatrixD &forces) {
  if (Y.cols != 2)
    throw NebenchError("Barnes-Hut repulsion needs a 2-D embedding, got " +
                       std::to_string(Y.cols) + " dimensions");
  if (Y.rows >= std::numeric_limits<std::int32_t>::max() / 2)
    throw NebenchError("Barnes-Hut repulsion: too many points");
  if (forces.rows != Y.rows || forces.cols != Y.cols)
    forces = MatrixD(Y.rows, Y.cols);
  const auto n = static_cast<std::int32_t>(Y.rows);
  row_z_.resize(n);
  if (n == 0)
    return 0.0;
  build(Y);

  // Groups: the largest subtrees with at most group_size points. They are
  // disjoint, cover all points and are contiguous in tree order.
  groups_.clear();
  for (std::int32_t k = 0; k < static_cast<std::int32_t>(nodes_.size());) {
    if (nodes_[k].count <= params_.group_size) {
      groups_.push_back(k);
      k = nodes_[k].next;
    } else {
      ++k;
    }
  }

  const double theta2 = params_.theta * params_.theta;
  const Node *nodes = nodes_.data();
  const auto m = static_cast<std::int32_t>(nodes_.size());
  const auto num_groups = static_cast<std::int32_t>(groups_.size());
  const std::int32_t *perm = perm_.data();
  const double *px = px_.data(), *py = py_.data();
  double *f = forces.data.data();
  double *rz = row_z_.data();
  if (static_cast<int>(lists_.size()) < omp_get_max_threads())
    lists_.resize(omp_get_max_threads());

  with_kernel(params_.dof, [&](const auto &kernel) {
  // Small problems run on one thread: a parallel region costs more.
#pragma omp parallel if (n > 2000)
    {
      InteractionList &list = lists_[omp_get_thread_num()];
      // Each group's forces depend only on the tree, so any schedule gives
      // the same bits; dynamic scheduling balances dense and sparse regions.
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
        // One walk per group (Barnes 1990): a cell is summarized when side /
        // distance < theta holds for every point of the group (distance
        // measured to the group's bounding box), so every point gets at
        // least the accuracy of the per-point criterion. Cells that hold
        // group points are opened down to their leaves.
        list.clear();
        for (std::int32_t k = 0; k < m;) {
          const Node &node = nodes[k];
          const bool overlaps = node.begin < ge && gb < node.end;
          if (!overlaps) {
            const double dx = std::max({xlo - node.cx, node.cx - xhi, 0.0});
            const double dy = std::max({ylo - node.cy, node.cy - yhi, 0.0});
            if (node.side2 < theta2 * (dx * dx + dy * dy)) {
              list.push(node.cx, node.cy, node.count);
              k = node.next;
              continue;
            }
          }
          if (node.next == k + 1) { // leaf: its points, exactly
            for (std::int32_t q = node.begin; q < node.end; ++q)
              list.push(px[q], py[q], 1.0);
            k = node.next;
          } else {
            ++k; // open the cell: its first child follows it
          }
        }
        // The list holds every point of the group itself once (w_ii = 1 at
        // distance 0, zero force), so 1 is subtracted from each point's Z.
        const std::size_t len = list.size();
        const double *lx = list.x.data(), *ly = list.y.data(),
                     *lm = list.mass.data();
        for (std::int32_t p = gb; p < ge; ++p) {
          const double xi = px[p], yi = py[p];
          double fx = 0, fy = 0, z = 0;
#pragma omp simd reduction(+ : fx, fy, z)
          for (std::size_t e = 0; e < len; ++e) {
            const double dx = xi - lx[e], dy = yi - ly[e];
            double w;
            const double r = kernel.repulsion(dx * dx + dy * dy, w);
            z += lm[e] * w;
            fx += lm[e] * r * dx;
            fy += lm[e] * r * dy;
          }
          const std::int32_t i = perm[p];
          f[2 * i] = fx;
          f[2 * i + 1] = fy;
          rz[i] = z - 1.0;
        }
      }
    }
  });

  double Z = 0;
  for (std::int32_t i = 0; i < n; ++i)
    Z += rz[i];
  return Z;
}

} // namespace nebench
