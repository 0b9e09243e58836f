#include "metrics/kd_tree.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace nebench {

KdTree::KdTree(const MatrixD &points, int leaf_size) : cols_(points.cols) {
  perm_.resize(static_cast<std::size_t>(points.rows));
  std::iota(perm_.begin(), perm_.end(), std::int64_t{0});
  src_ = &points;
  if (points.rows > 0)
    build(0, points.rows, std::max(1, leaf_size));
  coords_.resize(static_cast<std::size_t>(points.rows * cols_));
  for (std::int64_t s = 0; s < points.rows; ++s)
    std::copy_n(points.row(perm_[s]), cols_, coords_.data() + s * cols_);
  src_ = nullptr;
}

std::int32_t KdTree::build(std::int64_t begin, std::int64_t end,
                           int leaf_size) {
  const auto id = static_cast<std::int32_t>(nodes_.size());
  nodes_.push_back(Node{begin, end});
  if (end - begin <= leaf_size)
    return id;
  // Split the dimension of largest spread at its median.
  int dim = 0;
  double best = -1;
  for (std::int64_t c = 0; c < cols_; ++c) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::int64_t s = begin; s < end; ++s) {
      const double v = (*src_)(perm_[s], c);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (hi - lo > best) {
      best = hi - lo;
      dim = static_cast<int>(c);
    }
  }
  const std::int64_t mid = begin + (end - begin) / 2;
  std::nth_element(perm_.begin() + begin, perm_.begin() + mid,
                   perm_.begin() + end, [&](std::int64_t a, std::int64_t b) {
                     return (*src_)(a, dim) < (*src_)(b, dim);
                   });
  // nth_element leaves [begin, mid) <= pivot <= [mid, end) along dim.
  const double split = (*src_)(perm_[mid], dim);
  const std::int32_t left = build(begin, mid, leaf_size);
  const std::int32_t right = build(mid, end, leaf_size);
  nodes_[id].dim = dim;
  nodes_[id].split = split;
  nodes_[id].left = left;
  nodes_[id].right = right;
  return id;
}

void KdTree::search(std::int32_t id, const double *q, int k,
                    std::int64_t exclude,
                    std::vector<std::pair<double, std::int64_t>> &heap) const {
  const Node &node = nodes_[id];
  if (node.dim < 0) {
    for (std::int64_t s = node.begin; s < node.end; ++s) {
      const std::int64_t row = perm_[s];
      if (row == exclude)
        continue;
      const double *p = coords_.data() + s * cols_;
      double sq = 0.0;
      for (std::int64_t c = 0; c < cols_; ++c)
        sq += (q[c] - p[c]) * (q[c] - p[c]);
      const std::pair<double, std::int64_t> cand(sq, row);
      if (static_cast<int>(heap.size()) < k) {
        heap.push_back(cand);
        std::push_heap(heap.begin(), heap.end());
      } else if (cand < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = cand;
        std::push_heap(heap.begin(), heap.end());
      }
    }
    return;
  }
  const double diff = q[node.dim] - node.split;
  const std::int32_t near = diff < 0 ? node.left : node.right;
  const std::int32_t far = diff < 0 ? node.right : node.left;
  search(near, q, k, exclude, heap);
  // The far side lies beyond the split plane, so no point there is nearer
  // than |diff|. Visit it also on equality: a tie with a smaller index may
  // be there.
  if (static_cast<int>(heap.size()) < k || diff * diff <= heap.front().first)
    search(far, q, k, exclude, heap);
}

void KdTree::query(const double *q, int k, std::int64_t exclude,
                   std::vector<std::pair<double, std::int64_t>> &out) const {
  out.clear();
  if (nodes_.empty() || k < 1)
    return;
  search(0, q, k, exclude, out);
  std::sort_heap(out.begin(), out.end());
}

} // namespace nebench
