#include "metrics/graph_recall.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/undirected_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace nebench {

double graph_recall(const MatrixD &embedding, const Csr &graph,
                    EmbeddingMetric metric, std::int64_t n_test,
                    std::uint64_t seed) {
  check_undirected_graph(graph, "graph recall");
  if (embedding.rows != graph.n)
    throw NebenchError("graph recall: embedding has " +
                       std::to_string(embedding.rows) + " rows, graph " +
                       std::to_string(graph.n) + " nodes");
  if (n_test < 1)
    throw NebenchError("graph recall: n_test must be >= 1, got " +
                       std::to_string(n_test));
  const MatrixD y = metric_rows(embedding, metric);
  const std::int64_t n = y.rows, dim = y.cols;
  Rng rng(seed);
  const std::vector<std::int64_t> test = rng.sample(n, std::min(n, n_test));
  const auto m = static_cast<std::int64_t>(test.size());

  // recall_i per test node, NaN for degree 0; summed serially afterwards so
  // the mean does not depend on the thread schedule.
  std::vector<double> recall(static_cast<std::size_t>(m),
                             std::numeric_limits<double>::quiet_NaN());
#pragma omp parallel
  {
    std::vector<std::pair<double, std::int32_t>> candidates;
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t t = 0; t < m; ++t) {
      const std::int64_t i = test[t];
      const std::int64_t degree = graph.row_end(i) - graph.row_begin(i);
      if (degree == 0)
        continue;
      candidates.clear();
      const double *a = y.row(i);
      for (std::int64_t j = 0; j < n; ++j) {
        if (j == i) // self excluded by index (sec. 8)
          continue;
        const double *b = y.row(j);
        double sq = 0.0;
        for (std::int64_t c = 0; c < dim; ++c) {
          const double diff = a[c] - b[c];
          sq += diff * diff;
        }
        candidates.emplace_back(sq, static_cast<std::int32_t>(j));
      }
      // Pairs compare by (distance, index): ties go to the smaller index.
      std::nth_element(candidates.begin(), candidates.begin() + (degree - 1),
                       candidates.end());
      std::int64_t hits = 0;
      for (std::int64_t r = 0; r < degree; ++r)
        hits += has_edge(graph, i, candidates[r].second);
      recall[t] = static_cast<double>(hits) / static_cast<double>(degree);
    }
  }
  double sum = 0.0;
  std::int64_t counted = 0;
  for (const double r : recall)
    if (!std::isnan(r)) {
      sum += r;
      ++counted;
    }
  return counted ? sum / static_cast<double>(counted)
                 : std::numeric_limits<double>::quiet_NaN();
}

} // namespace nebench
