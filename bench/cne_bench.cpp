// Google Benchmark kernel of native non-parametric CNE (engine/ne/
// cne_optimizer.h): one epoch of Neg-t-SNE (c = 1, eps = 1, m = 5
// negatives from the batch) at the paper's b = 1024 and, for comparison,
// the package's default b = 2^15, on a 70,000-point binary kNN graph of
// the size of MNIST's (1,500,006 directed edges in the paper).
//
// Graph (synthetic, built once): the points lie on a ring in a random
// order; each point's 15 "neighbours" are the 8 nearest ring positions
// (+-1 .. +-4, mutual) and 7 uniformly random points, then the binary
// max-symmetrisation of engine/affinity/binary_knn_affinity.h: about
// 8 + 2 * 7 = 22 neighbours per point, ~1.54M directed edges, local and
// random memory access mixed like a real kNN graph with hubs removed.
// Layout: N(0, 10^2) per coordinate (a converged CNE layout's extent).
//
// What is timed: CneOptimizer::run_epoch(), i.e. the epoch's permutation,
// every batch's negatives, the batch gradient, the scatter and the clipped
// SGD step (and the loss value when the second argument is 1); the copy of
// the initial layout is not timed. edges/s counts directed (positive) edges
// per second.
//
// Run: build-cne/nebench_bench --benchmark_filter=BM_CneEpoch

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/ne/cne_loss.h"
#include "engine/ne/cne_optimizer.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace nebench {
namespace {

constexpr std::int64_t kPoints = 70000;
constexpr int kNeighbors = 15;
constexpr int kRingNeighbors = 8; ///< +-1 .. +-4 on the ring

struct CneInputs {
  Csr A;     ///< binary symmetric graph
  MatrixD Y; ///< n x 2 layout
};

const CneInputs &cne_inputs() {
  static const CneInputs in = [] {
    CneInputs out;
    Rng rng(11);
    std::vector<std::int64_t> id(kPoints); // point at ring position p
    for (std::int64_t p = 0; p < kPoints; ++p)
      id[p] = p;
    rng.shuffle(id);
    KnnGraph g;
    g.n = kPoints;
    g.k = kNeighbors;
    g.indices.resize(kPoints * kNeighbors);
    g.distances.assign(kPoints * kNeighbors, 1.0f);
    for (std::int64_t p = 0; p < kPoints; ++p) {
      std::int64_t *nb = g.indices.data() + id[p] * kNeighbors;
      int j = 0;
      for (int o = 1; o <= kRingNeighbors / 2; ++o) {
        nb[j++] = id[(p + o) % kPoints];
        nb[j++] = id[(p - o + kPoints) % kPoints];
      }
      while (j < kNeighbors) {
        const auto q = static_cast<std::int64_t>(rng.below(kPoints));
        if (q != id[p])
          nb[j++] = q;
      }
    }
    out.A = binary_knn_graph(g, kNeighbors);
    out.Y = MatrixD(kPoints, 2);
    for (double &v : out.Y.data)
      v = 10.0 * rng.normal();
    return out;
  }();
  return in;
}

void BM_CneEpoch(benchmark::State &state) {
  const CneInputs &in = cne_inputs();
  CneOptimizerParams p;
  p.batch_size = static_cast<int>(state.range(0));
  const bool with_loss = state.range(1) != 0;
  p.negatives = 5;
  p.seed = 1;
  CneOptimizer opt(in.A, p);
  NegLoss neg; // c = 1 (plain negative sampling), eps = 1
  MatrixD Y;
  int epoch = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Y = in.Y;
    state.ResumeTiming();
    const double loss = opt.run_epoch(neg, 1, epoch++, 1.0, Y, with_loss);
    benchmark::DoNotOptimize(loss);
    benchmark::DoNotOptimize(Y.data.data());
  }
  const auto edges = static_cast<double>(opt.edges().size());
  state.counters["edges/s"] =
      benchmark::Counter(edges, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["edges"] = edges;
  state.SetLabel("1 thread");
}

// Args: batch size b, whether the epoch also evaluates the loss (only the
// logged epochs do, every 50th by default).
BENCHMARK(BM_CneEpoch)
    ->Args({1024, 0})
    ->Args({1024, 1})
    ->Args({32768, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
} // namespace nebench
