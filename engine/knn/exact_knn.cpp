#include "engine/knn/exact_knn.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace nebench {

namespace {

// Tile sizes: a kQueries x kLanes*2 block of dot products lives in registers
// (8 vector accumulators); a database block of kBlock points (d x kBlock
// floats, 400 KB at d = 50) stays in L2 while a tile of kTile queries sweeps
// it.
constexpr int kQueries = 4;
constexpr int kLanes = 16;
constexpr int kWidth = 2 * kLanes;
constexpr std::int64_t kBlock = 2048;
constexpr std::int64_t kTile = 64;

using Vec = float __attribute__((vector_size(kLanes * sizeof(float))));

// Vectors by reference, not by value: clang (before 16 at least) refuses a
// 64-byte vector argument or return value in the "default" clones below,
// which lack AVX-512 ("changes the ABI"), even in always-inline helpers.
[[gnu::always_inline]] inline void load(Vec &v, const float *p) {
  std::memcpy(&v, p, sizeof v);
}
[[gnu::always_inline]] inline void store(float *p, const Vec &v) {
  std::memcpy(p, &v, sizeof v);
}

// dots[q * width + j] = sum_t Q[q * d + t] * x_j[t] for 4 queries and `width`
// (a multiple of kWidth) database points stored as panels: kWidth points at
// a time, coordinate-major (panel[t * kWidth + l] = x_l[t]), so the kernel
// streams through contiguous memory.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",
                             "default"))) void
dot_block(const float *Q, int d, const float *panels, std::int64_t width,
          float *dots) {
  for (std::int64_t j = 0; j < width; j += kWidth) {
    Vec a00 = {}, a01 = {}, a10 = {}, a11 = {}, a20 = {}, a21 = {}, a30 = {},
        a31 = {};
    const float *col = panels + j * d;
    for (int t = 0; t < d; ++t, col += kWidth) {
      Vec x0, x1;
      load(x0, col);
      load(x1, col + kLanes);
      const float q0 = Q[t], q1 = Q[d + t], q2 = Q[2 * d + t],
                  q3 = Q[3 * d + t];
      a00 += q0 * x0;
      a01 += q0 * x1;
      a10 += q1 * x0;
      a11 += q1 * x1;
      a20 += q2 * x0;
      a21 += q2 * x1;
      a30 += q3 * x0;
      a31 += q3 * x1;
    }
    store(dots + j, a00);
    store(dots + j + kLanes, a01);
    store(dots + width + j, a10);
    store(dots + width + j + kLanes, a11);
    store(dots + 2 * width + j, a20);
    store(dots + 2 * width + j + kLanes, a21);
    store(dots + 3 * width + j, a30);
    store(dots + 3 * width + j + kLanes, a31);
  }
}

// The k best (squared distance, index) pairs seen so far, as a max-heap on
// (distance, index) so that ties resolve to the smaller index.
struct BoundedHeap {
  using Entry = std::pair<float, std::int64_t>;
  std::vector<Entry> items;
  std::size_t capacity = 0;

  float bound() const {
    return items.size() < capacity ? INFINITY : items.front().first;
  }
  void offer(float d2, std::int64_t j) {
    if (items.size() < capacity) {
      items.emplace_back(d2, j);
      std::push_heap(items.begin(), items.end());
    } else if (Entry{d2, j} < items.front()) {
      std::pop_heap(items.begin(), items.end());
      items.back() = {d2, j};
      std::push_heap(items.begin(), items.end());
    }
  }
};

// Offers the points b0 + j (j < count) of one database block to the heap of
// query q: squared distances nq + |x_j|^2 - 2 dots[j], sixteen at a time
// against the heap's bound, so that only the rare candidates take the scalar
// path.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",
                             "default"))) void
scan_block(const float *dots, const float *sq_norm, float nq,
           std::int64_t count, std::int64_t b0, std::int64_t q,
           BoundedHeap &heap) {
  float bound = heap.bound();
  std::int64_t j = 0;
  for (; j + kLanes <= count; j += kLanes) {
    Vec norms, dot;
    load(norms, sq_norm + j);
    load(dot, dots + j);
    const Vec d2 = nq + norms - 2.0f * dot;
    const auto hit = d2 <= bound;
    std::uint64_t words[sizeof hit / sizeof(std::uint64_t)];
    std::memcpy(words, &hit, sizeof hit);
    std::uint64_t any = 0;
    for (std::uint64_t w : words)
      any |= w;
    if (!any)
      continue;
    for (int l = 0; l < kLanes; ++l)
      if (d2[l] <= bound && b0 + j + l != q) {
        heap.offer(d2[l], b0 + j + l);
        bound = heap.bound();
      }
  }
  for (; j < count; ++j) {
    const float d2 = nq + sq_norm[j] - 2.0f * dots[j];
    if (d2 <= bound && b0 + j != q) {
      heap.offer(d2, b0 + j);
      bound = heap.bound();
    }
  }
}

double exact_distance(const Matrix &X, std::int64_t i, std::int64_t j) {
  const float *a = X.row(i), *b = X.row(j);
  double s = 0;
  for (std::int64_t t = 0; t < X.cols; ++t) {
    const double diff = static_cast<double>(a[t]) - b[t];
    s += diff * diff;
  }
  return std::sqrt(s);
}

} // namespace

KnnGraph exact_knn_graph(const Matrix &X, int k) {
  const std::int64_t n = X.rows;
  const int d = static_cast<int>(X.cols);
  if (d < 1)
    throw NebenchError("kNN graph: data has no columns");
  if (k < 1 || k >= n)
    throw NebenchError("kNN graph: k = " + std::to_string(k) +
                       " must be in [1, n) with n = " + std::to_string(n));

  // Centre the data (distances are unchanged) so that |q|^2 + |x|^2 - 2 q.x
  // loses less to cancellation, and store it as the kernel's panels (zero
  // padded to whole panels).
  std::vector<double> mean(d, 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (int t = 0; t < d; ++t)
      mean[t] += X(i, t);
  for (double &m : mean)
    m /= static_cast<double>(n);
  const std::int64_t ld = (n + kWidth - 1) / kWidth * kWidth;
  const std::int64_t tiles = (n + kTile - 1) / kTile;
  std::vector<float> panels(static_cast<std::size_t>(d * ld), 0.0f);
  std::vector<float> centred(static_cast<std::size_t>(tiles * kTile * d), 0.0f);
  std::vector<float> sq_norm(static_cast<std::size_t>(ld), 0.0f);
  for (std::int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int t = 0; t < d; ++t) {
      const float v = static_cast<float>(X(i, t) - mean[t]);
      panels[(i / kWidth * d + t) * kWidth + i % kWidth] = v;
      centred[i * d + t] = v;
      s += static_cast<double>(v) * v;
    }
    sq_norm[i] = static_cast<float>(s);
  }

  KnnGraph g;
  g.n = n;
  g.k = k;
  g.indices.resize(static_cast<std::size_t>(n * k));
  g.distances.resize(static_cast<std::size_t>(n * k));

#pragma omp parallel
  {
    std::vector<float> dots(static_cast<std::size_t>(kQueries * kBlock));
    std::vector<BoundedHeap> heaps(kTile);
    for (BoundedHeap &h : heaps) {
      h.capacity = static_cast<std::size_t>(k);
      h.items.reserve(h.capacity);
    }
    std::vector<std::pair<double, std::int64_t>> best(k);

#pragma omp for schedule(dynamic, 1)
    for (std::int64_t tile = 0; tile < tiles; ++tile) {
      const std::int64_t q0 = tile * kTile;
      const std::int64_t q_end = std::min(n, q0 + kTile);
      for (BoundedHeap &h : heaps)
        h.items.clear();
      for (std::int64_t b0 = 0; b0 < n; b0 += kBlock) {
        const std::int64_t width = std::min(kBlock, ld - b0);
        const std::int64_t b_end = std::min(n, b0 + kBlock);
        for (std::int64_t qg = q0; qg < q_end; qg += kQueries) {
          dot_block(centred.data() + qg * d, d, panels.data() + b0 * d, width,
                    dots.data());
          for (std::int64_t q = qg; q < std::min(q_end, qg + kQueries); ++q) {
            BoundedHeap &heap = heaps[q - q0];
            scan_block(dots.data() + (q - qg) * width, sq_norm.data() + b0,
                       sq_norm[q], b_end - b0, b0, q, heaps[q - q0]);
          }
        }
      }
      // Final order from exact distances of the winners (ties by index).
      for (std::int64_t q = q0; q < q_end; ++q) {
        const BoundedHeap &heap = heaps[q - q0];
        for (int c = 0; c < k; ++c)
          best[c] = {exact_distance(X, q, heap.items[c].second),
                     heap.items[c].second};
        std::sort(best.begin(), best.end());
        for (int c = 0; c < k; ++c) {
          g.indices[q * k + c] = best[c].second;
          g.distances[q * k + c] = static_cast<float>(best[c].first);
        }
      }
    }
  }
  return g;
}

} // namespace nebench
