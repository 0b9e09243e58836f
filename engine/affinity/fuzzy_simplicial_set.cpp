#include "engine/affinity/fuzzy_simplicial_set.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace nebench {

namespace {

// umap-learn's constants (umap/umap_.py).
constexpr double kSmoothKTolerance = 1e-5;
constexpr double kMinKDistScale = 1e-3;

void check_params(const KnnGraph &graph,
                  const FuzzySimplicialSetParams &params) {
  if (params.n_neighbors < 2 || params.n_neighbors > graph.k + 1)
    throw NebenchError(
        "fuzzy simplicial set: n_neighbors = " +
        std::to_string(params.n_neighbors) +
        " (counting the point itself) needs " +
        std::to_string(params.n_neighbors - 1) +
        " neighbours but the kNN graph has k = " + std::to_string(graph.k));
  if (!(params.local_connectivity >= 0))
    throw NebenchError("fuzzy simplicial set: local_connectivity must be >= 0");
  if (!(params.set_op_mix_ratio >= 0 && params.set_op_mix_ratio <= 1))
    throw NebenchError(
        "fuzzy simplicial set: set_op_mix_ratio must be in [0, 1]");
  if (!(params.bandwidth > 0))
    throw NebenchError("fuzzy simplicial set: bandwidth must be > 0");
  if (params.n_iter < 1)
    throw NebenchError("fuzzy simplicial set: n_iter must be >= 1");
}

// rho_i from the sorted distances of one point (umap-learn's smooth_knn_dist:
// the local_connectivity-th non-zero distance, linearly interpolated).
double local_rho(const float *dist, int m, double local_connectivity) {
  int first_nonzero = m;
  for (int j = 0; j < m; ++j)
    if (dist[j] > 0.0f) {
      first_nonzero = j;
      break;
    }
  const int nonzero = m - first_nonzero;
  const float *nz = dist + first_nonzero;
  if (nonzero >= local_connectivity) {
    const int index = static_cast<int>(std::floor(local_connectivity));
    const double interpolation = local_connectivity - index;
    if (index > 0) {
      double rho = nz[index - 1];
      if (interpolation > kSmoothKTolerance)
        rho += interpolation * (static_cast<double>(nz[index]) - nz[index - 1]);
      return rho;
    }
    return interpolation * nz[0];
  }
  if (nonzero > 0)
    return nz[nonzero - 1];
  return 0.0;
}

} // namespace

SmoothKnnDistances
smooth_knn_distances(const KnnGraph &graph,
                     const FuzzySimplicialSetParams &params) {
  check_params(graph, params);
  const std::int64_t n = graph.n;
  const int m = params.n_neighbors - 1; // other points per row
  const double target = std::log2(params.n_neighbors) * params.bandwidth;

  // umap-learn's distance matrix holds the point itself in column 0 (distance
  // 0), so its means divide by n_neighbors, not by the m real neighbours.
  double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
  for (std::int64_t i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j)
      total += graph.dists(i)[j];
  const double mean_all = total / (static_cast<double>(n) * params.n_neighbors);

  SmoothKnnDistances out;
  out.sigma.assign(static_cast<std::size_t>(n), 0.0);
  out.rho.assign(static_cast<std::size_t>(n), 0.0);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t i = 0; i < n; ++i) {
    const float *dist = graph.dists(i);
    const double rho = local_rho(dist, m, params.local_connectivity);

    // Bisection on sigma (umap-learn: start at 1, double while unbounded).
    double lo = 0.0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
    for (int it = 0; it < params.n_iter; ++it) {
      double psum = 0.0;
      for (int j = 0; j < m; ++j) {
        const double d = dist[j] - rho;
        psum += d > 0 ? std::exp(-(d / mid)) : 1.0;
      }
      if (std::fabs(psum - target) < kSmoothKTolerance)
        break;
      if (psum > target) {
        hi = mid;
        mid = 0.5 * (lo + hi);
      } else {
        lo = mid;
        mid = std::isinf(hi) ? mid * 2.0 : 0.5 * (lo + hi);
      }
    }

    // Floor: a point whose neighbours are all (nearly) at the same distance
    // would otherwise get sigma -> 0 and memberships of exactly 0 or 1.
    double mean_i = 0;
    for (int j = 0; j < m; ++j)
      mean_i += dist[j];
    mean_i /= params.n_neighbors;
    const double floor = kMinKDistScale * (rho > 0.0 ? mean_i : mean_all);
    out.sigma[i] = std::max(mid, floor);
    out.rho[i] = rho;
  }
  return out;
}

Csr fuzzy_simplicial_set(const KnnGraph &graph,
                         const FuzzySimplicialSetParams &params,
                         SmoothKnnDistances *local) {
  SmoothKnnDistances sk = smooth_knn_distances(graph, params);
  const std::int64_t n = graph.n;
  const int m = params.n_neighbors - 1;

  // Directed memberships w_ij (compute_membership_strengths), one row of m
  // entries per point with columns sorted.
  std::vector<std::int32_t> cols(static_cast<std::size_t>(n * m));
  std::vector<double> vals(static_cast<std::size_t>(n * m));
  std::int64_t bad_row = -1;
#pragma omp parallel
  {
    std::vector<int> order(m);
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t *nb = graph.neighbors(i);
      const float *dist = graph.dists(i);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](int a, int b) { return nb[a] < nb[b]; });
      for (int r = 0; r < m; ++r) {
        const int j = order[r];
        const double d = dist[j] - sk.rho[i];
        cols[i * m + r] =
            static_cast<std::int32_t>(nb[j] >= 0 && nb[j] < n ? nb[j] : -1);
        vals[i * m + r] =
            (d <= 0.0 || sk.sigma[i] == 0.0) ? 1.0 : std::exp(-d / sk.sigma[i]);
        const bool invalid = nb[j] < 0 || nb[j] >= n || nb[j] == i ||
                             (r > 0 && nb[j] == nb[order[r - 1]]);
        if (invalid) {
#pragma omp critical(fuzzy_bad_row)
          if (bad_row < 0 || i < bad_row)
            bad_row = i;
        }
      }
    }
  }
  if (bad_row >= 0)
    throw NebenchError("fuzzy simplicial set: kNN graph row " +
                       std::to_string(bad_row) +
                       " holds an invalid, self or repeated neighbour");

  // Transpose by counting sort on the column; rows of the transpose come out
  // with sorted columns because the rows of w are visited in order.
  std::vector<std::int64_t> tptr(n + 1, 0);
  for (std::int64_t e = 0; e < n * m; ++e)
    ++tptr[cols[e] + 1];
  std::partial_sum(tptr.begin(), tptr.end(), tptr.begin());
  std::vector<std::int32_t> tcols(static_cast<std::size_t>(n * m));
  std::vector<double> tvals(static_cast<std::size_t>(n * m));
  {
    std::vector<std::int64_t> fill(tptr.begin(), tptr.end() - 1);
    for (std::int64_t i = 0; i < n; ++i)
      for (int r = 0; r < m; ++r) {
        const auto c = cols[i * m + r];
        tcols[fill[c]] = static_cast<std::int32_t>(i);
        tvals[fill[c]++] = vals[i * m + r];
      }
  }

  // W = ratio (w + w^T - w o w^T) + (1 - ratio) w o w^T, merging the sorted
  // rows of w and w^T; an entry present on one side only has w o w^T = 0.
  const double ratio = params.set_op_mix_ratio;
  Csr W;
  W.n = n;
  W.indptr.assign(n + 1, 0);
  W.indices.reserve(static_cast<std::size_t>(2 * n * m));
  W.values.reserve(static_cast<std::size_t>(2 * n * m));
  auto emit = [&](std::int32_t c, double v) {
    if (v > 0.0) { // umap-learn's eliminate_zeros()
      W.indices.push_back(c);
      W.values.push_back(v);
    }
  };
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t a = i * m, a_end = (i + 1) * m;
    std::int64_t b = tptr[i], b_end = tptr[i + 1];
    while (a < a_end || b < b_end) {
      if (b == b_end || (a < a_end && cols[a] < tcols[b])) {
        emit(cols[a], ratio * vals[a]);
        ++a;
      } else if (a == a_end || tcols[b] < cols[a]) {
        emit(tcols[b], ratio * tvals[b]);
        ++b;
      } else {
        const double x = vals[a], y = tvals[b];
        const double prod = x * y;
        emit(cols[a], ratio * (x + y - prod) + (1.0 - ratio) * prod);
        ++a;
        ++b;
      }
    }
    W.indptr[i + 1] = static_cast<std::int64_t>(W.indices.size());
  }
  if (local)
    *local = std::move(sk);
  return W;
}

} // namespace nebench
