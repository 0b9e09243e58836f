// Google Benchmark kernel of native non-parametric CNE (engine/ne/
// cne_optimizer.h): one epoch of Neg-t-SNE (c = 1, eps = 1, m = 5
// negatives from the batch) at the paper's b = 1024 and, for comparison,
// the package's default b = 2^15, on a 70,000-point binary kNN graph of
// the size of MNIST's (1,500,006 directed edges in the paper).
//
// Graph and layout: bench/ring_graph.h (70,000 points, built once).
//
// What is timed: CneOptimizer::run_epoch(), i.e. the epoch's permutation,
// every batch's negatives, the gathered coordinates, the batch gradient,
// the per-point sums and the clipped SGD step (and the loss value when the
// second argument is 1); the copy of the initial layout is not timed.
// edges/s counts directed (positive) edges per second.
//
// Run: build-cne/nebench_bench --benchmark_filter=BM_CneEpoch

#include "bench/ring_graph.h"
#include "engine/ne/cne_loss.h"
#include "engine/ne/cne_optimizer.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {
namespace {

const RingInputs &cne_inputs() {
  static const RingInputs in = ring_inputs(70000);
  return in;
}

void BM_CneEpoch(benchmark::State &state) {
  const RingInputs &in = cne_inputs();
  CneOptimizerParams p;
  p.batch_size = static_cast<int>(state.range(0));
  const bool with_loss = state.range(1) != 0;
  p.threads = static_cast<int>(state.range(2));
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
  state.SetLabel(std::to_string(p.threads) + " thread(s)");
}

// Args: batch size b, whether the epoch also evaluates the loss (only the
// logged epochs do, every 50th by default), threads sharing each batch.
BENCHMARK(BM_CneEpoch)
    ->Args({1024, 0, 1})
    ->Args({1024, 1, 1})
    ->Args({1024, 0, 2})
    ->Args({32768, 0, 1})
    ->Args({32768, 0, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
} // namespace nebench
