#include "engine/affinity/perplexity_affinity.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace nebench {

int perplexity_neighbors(const PerplexityParams &params) {
  return params.k > 0 ? params.k
                      : static_cast<int>(std::lround(3.0 * params.perplexity));
}

double conditional_distribution(const double *d2, int k, double perplexity,
                                double tolerance, int max_iter, double *p) {
  // Shift by the smallest distance: p_j ~ exp(-beta (d2_j - d2_min)) is the
  // same distribution but its largest term is exactly 1, so the sum cannot
  // underflow for large beta.
  double d2min = std::numeric_limits<double>::infinity();
  for (int j = 0; j < k; ++j)
    d2min = std::min(d2min, d2[j]);
  double mean_shift = 0;
  for (int j = 0; j < k; ++j)
    mean_shift += d2[j] - d2min;
  mean_shift /= k;

  const double target = std::log(perplexity);
  // Start at the precision whose length scale is the mean shifted squared
  // distance; bisection (doubling/halving while unbounded) then needs few
  // steps whatever the scale of the data.
  double beta = mean_shift > 0 ? 1.0 / mean_shift : 1.0;
  double lo = 0.0, hi = std::numeric_limits<double>::infinity();
  double gap = std::numeric_limits<double>::infinity();
  for (int it = 0; it < max_iter; ++it) {
    double sum = 0, weighted = 0;
    for (int j = 0; j < k; ++j) {
      const double s = d2[j] - d2min;
      p[j] = std::exp(-beta * s);
      sum += p[j];
      weighted += p[j] * s;
    }
    // H = log(sum) + beta * E_p[d2 - d2min]  (entropy in nats).
    const double entropy = std::log(sum) + beta * weighted / sum;
    const double diff = entropy - target;
    for (int j = 0; j < k; ++j)
      p[j] /= sum;
    gap = std::fabs(diff);
    if (gap <= tolerance)
      break;
    if (diff > 0) { // too flat: increase the precision
      lo = beta;
      beta = std::isinf(hi) ? beta * 2.0 : 0.5 * (beta + hi);
    } else {
      hi = beta;
      beta = 0.5 * (beta + lo);
    }
  }
  return gap;
}

Csr perplexity_affinities(const KnnGraph &graph,
                          const PerplexityParams &params) {
  const int k = perplexity_neighbors(params);
  const std::int64_t n = graph.n;
  if (!(params.perplexity > 1))
    throw NebenchError("perplexity affinities: perplexity must be > 1, got " +
                       std::to_string(params.perplexity));
  if (k < 1 || k > graph.k)
    throw NebenchError("perplexity affinities: k = " + std::to_string(k) +
                       " neighbours needed but the kNN graph has " +
                       std::to_string(graph.k));
  if (!(params.perplexity < k))
    throw NebenchError("perplexity affinities: perplexity " +
                       std::to_string(params.perplexity) +
                       " must be smaller than k = " + std::to_string(k) +
                       " (k neighbours have perplexity at most k)");

  // Conditional P, one row of k entries per point, columns sorted.
  std::vector<std::int32_t> cols(static_cast<std::size_t>(n * k));
  std::vector<double> vals(static_cast<std::size_t>(n * k));
#pragma omp parallel
  {
    std::vector<double> d2(k), p(k);
    std::vector<int> order(k);
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < n; ++i) {
      const float *dist = graph.dists(i);
      const std::int64_t *nb = graph.neighbors(i);
      for (int j = 0; j < k; ++j)
        d2[j] = static_cast<double>(dist[j]) * dist[j];
      conditional_distribution(d2.data(), k, params.perplexity,
                               params.tolerance, params.max_iter, p.data());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](int a, int b) { return nb[a] < nb[b]; });
      for (int j = 0; j < k; ++j) {
        cols[i * k + j] = static_cast<std::int32_t>(nb[order[j]]);
        vals[i * k + j] = p[order[j]];
      }
    }
  }
  for (std::int64_t e = 0; e < n * k; ++e)
    if (cols[e] < 0 || cols[e] >= n || cols[e] == e / k ||
        (e % k > 0 && cols[e] == cols[e - 1]))
      throw NebenchError(
          "perplexity affinities: kNN graph row " + std::to_string(e / k) +
          " holds an invalid or repeated neighbour " + std::to_string(cols[e]));

  // Transpose by counting sort on the column: rows of T come out with sorted
  // columns because rows of P_cond are visited in order.
  std::vector<std::int64_t> tptr(n + 1, 0);
  for (std::int64_t e = 0; e < n * k; ++e)
    ++tptr[cols[e] + 1];
  std::partial_sum(tptr.begin(), tptr.end(), tptr.begin());
  std::vector<std::int32_t> tcols(static_cast<std::size_t>(n * k));
  std::vector<double> tvals(static_cast<std::size_t>(n * k));
  {
    std::vector<std::int64_t> fill(tptr.begin(), tptr.end() - 1);
    for (std::int64_t i = 0; i < n; ++i)
      for (int j = 0; j < k; ++j) {
        const auto c = cols[i * k + j];
        tcols[fill[c]] = static_cast<std::int32_t>(i);
        tvals[fill[c]++] = vals[i * k + j];
      }
  }

  // P = (P_cond + P_cond^T) / (2n): merge the two sorted rows.
  Csr P;
  P.n = n;
  P.indptr.assign(n + 1, 0);
  P.indices.reserve(static_cast<std::size_t>(2 * n * k));
  P.values.reserve(static_cast<std::size_t>(2 * n * k));
  const double scale = 1.0 / (2.0 * static_cast<double>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t a = i * k, a_end = (i + 1) * k;
    std::int64_t b = tptr[i], b_end = tptr[i + 1];
    while (a < a_end || b < b_end) {
      if (b == b_end || (a < a_end && cols[a] < tcols[b])) {
        P.indices.push_back(cols[a]);
        P.values.push_back(vals[a++] * scale);
      } else if (a == a_end || tcols[b] < cols[a]) {
        P.indices.push_back(tcols[b]);
        P.values.push_back(tvals[b++] * scale);
      } else {
        P.indices.push_back(cols[a]);
        P.values.push_back((vals[a++] + tvals[b++]) * scale);
      }
    }
    P.indptr[i + 1] = static_cast<std::int64_t>(P.indices.size());
  }
  return P;
}

} // namespace nebench
