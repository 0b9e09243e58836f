#include "datasets/stochastic_block_model.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/undirected_graph.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace nebench {

namespace {

/// Draws the positions of the successes among `n_pairs` Bernoulli(p) trials,
/// in increasing order, calling on_edge(k) for each. The gap before the next
/// success is geometric: P(gap = g) = (1 - p)^g p, drawn by inversion as
/// floor(log(1 - r) / log(1 - p)) for r uniform in [0, 1) (Batagelj &
/// Brandes 2005, algorithm G(n, p)).
template <class OnEdge>
void geometric_successes(std::int64_t n_pairs, double p, Rng &rng,
                         OnEdge on_edge) {
  if (p <= 0.0 || n_pairs <= 0)
    return;
  if (p >= 1.0) {
    for (std::int64_t k = 0; k < n_pairs; ++k)
      on_edge(k);
    return;
  }
  const double log_q = std::log1p(-p);
  std::int64_t k = -1;
  for (;;) {
    const double gap = std::floor(std::log1p(-rng.uniform()) / log_q);
    // Compare in double first: for tiny p the gap can exceed int64.
    if (gap >= static_cast<double>(n_pairs - 1 - k))
      return;
    k += 1 + static_cast<std::int64_t>(gap);
    on_edge(k);
  }
}

} // namespace

LabeledGraph stochastic_block_model(const SbmOptions &options) {
  const std::int64_t blocks = options.n_blocks, m = options.n_per_block;
  if (blocks < 1 || m < 1)
    throw NebenchError("sbm: n_blocks and n_per_block must be >= 1, got " +
                       std::to_string(blocks) + " and " + std::to_string(m));
  if (m > std::numeric_limits<std::int32_t>::max() / blocks)
    throw NebenchError("sbm: " + std::to_string(blocks) + " x " +
                       std::to_string(m) + " nodes exceed 2^31 - 1");
  for (const double p : {options.p_in, options.p_out})
    if (!(p >= 0.0 && p <= 1.0))
      throw NebenchError("sbm: edge probability " + std::to_string(p) +
                         " outside [0, 1]");
  const std::int64_t n = blocks * m;

  std::vector<GraphEdge> edges;
  std::uint64_t stream = 0;
  for (std::int64_t a = 0; a < blocks; ++a) {
    const auto base_a = static_cast<std::int32_t>(a * m);
    {
      // Pairs w < v inside block a, enumerated row by row: (1,0), (2,0),
      // (2,1), (3,0), ...; k walks that order and (v, w) follows it.
      Rng rng(options.seed, stream++);
      std::int64_t v = 1, row_start = 0; // row v holds k in [row_start, +v)
      geometric_successes(
          m * (m - 1) / 2, options.p_in, rng, [&](std::int64_t k) {
            while (k >= row_start + v) {
              row_start += v;
              ++v;
            }
            edges.emplace_back(base_a + static_cast<std::int32_t>(v),
                               base_a +
                                   static_cast<std::int32_t>(k - row_start));
          });
    }
    for (std::int64_t b = a + 1; b < blocks; ++b) {
      // All m x m pairs of blocks a and b, k = row * m + column.
      Rng rng(options.seed, stream++);
      const auto base_b = static_cast<std::int32_t>(b * m);
      geometric_successes(m * m, options.p_out, rng, [&](std::int64_t k) {
        edges.emplace_back(base_a + static_cast<std::int32_t>(k / m),
                           base_b + static_cast<std::int32_t>(k % m));
      });
    }
  }

  LabeledGraph out;
  out.graph = undirected_graph_from_edges(n, edges);
  out.labels.resize(static_cast<std::size_t>(n));
  out.original_ids.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    out.labels[i] = static_cast<std::int32_t>(i / m);
    out.original_ids[i] = i;
  }
  return out;
}

} // namespace nebench
