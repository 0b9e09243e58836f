// Google Benchmark kernels of the engine, each at n = 10,000 and 70,000:
// the per-iteration kernels of t-SNE (FFT and Barnes-Hut repulsion, the
// attraction over the sparse P), the shared kNN graph, one epoch of UMAP's
// edge-sampling SGD and one ForceAtlas2 iteration.
//
// Inputs (built once per n in static caches, never inside a timed loop):
//   - X: n x 50 Gaussian mixture, 10 clusters (centres N(0, 1) per
//     coordinate, points centre + N(0, 1)), seeded with Rng(1);
//   - Y: a 2-D "converged" layout, point i in a Gaussian blob (std 3) around
//     its cluster's centre, centres uniform in [-30, 30]^2 (t-SNE-like
//     extent ~60, so the FFT grid has the default 60 boxes per axis);
//   - one exact ("Flat") kNN graph with k = 90 = 3 x perplexity 30, from
//     which P (perplexity 30), the fuzzy set (k = 15) and the binary graph
//     (k = 15) are all derived.
// Threads: NEBENCH_THREADS (default 2) through nebench::set_threads.
//
// Run: build-bench/nebench_bench --benchmark_filter='/10000'

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/affinity/fuzzy_simplicial_set.h"
#include "engine/affinity/perplexity_affinity.h"
#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/core/run_context.h"
#include "engine/core/threads.h"
#include "engine/knn/knn_graph_builder.h"
#include "engine/ne/attraction.h"
#include "engine/ne/barnes_hut_repulsion.h"
#include "engine/ne/edge_sampling_sgd.h"
#include "engine/ne/fft_repulsion.h"
#include "engine/ne/force_atlas2.h"
#include "engine/ne/negative_sampler.h"
#include "engine/ne/umap_gradient.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nebench {
namespace {

constexpr int kDim = 50;      ///< input dimension of X
constexpr int kClusters = 10; ///< mixture components / layout blobs
constexpr int kPerplexityK = 90;
constexpr int kUmapK = 15; ///< umap-learn n_neighbors (counts the point)
constexpr int kFa2K = 15;
/// Epochs of the UMAP schedule the epoch benchmark runs through (umap-learn
/// uses 200 for n > 10,000). The mean cost of an epoch hardly depends on it:
/// edge e is sampled epochs * w_e / max w times in total, i.e. w_e / max w
/// times per epoch; only edges with w < max w / epochs are pruned.
constexpr int kUmapScheduleEpochs = 50;

/// Applies NEBENCH_THREADS (default 2) once; returns the thread count.
int bench_threads() {
  static const int threads = [] {
    int t = 2;
    if (const char *env = std::getenv("NEBENCH_THREADS"))
      t = std::atoi(env);
    set_threads(t);
    return current_threads();
  }();
  return threads;
}

struct Inputs {
  Matrix X;     ///< n x 50
  MatrixD Y;    ///< n x 2 blob layout
  KnnGraph knn; ///< k = 90, exact
  Csr P;        ///< perplexity 30
  Csr W;        ///< UMAP fuzzy set, k = 15
  Csr A;        ///< binary symmetric kNN graph, k = 15
};

Inputs make_inputs(std::int64_t n) {
  Inputs in;
  Rng rng(1);
  Matrix centres(kClusters, kDim);
  for (float &v : centres.data)
    v = static_cast<float>(rng.normal());
  MatrixD layout_centres(kClusters, 2);
  for (double &v : layout_centres.data)
    v = -30.0 + 60.0 * rng.uniform();
  in.X = Matrix(n, kDim);
  in.Y = MatrixD(n, 2);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::int64_t>(rng.below(kClusters));
    for (int d = 0; d < kDim; ++d)
      in.X(i, d) = centres(c, d) + static_cast<float>(rng.normal());
    for (int d = 0; d < 2; ++d)
      in.Y(i, d) = layout_centres(c, d) + 3.0 * rng.normal();
  }
  in.knn = build_knn_graph(in.X, kPerplexityK, "Flat");
  PerplexityParams pp;
  pp.perplexity = 30;
  pp.k = kPerplexityK;
  in.P = perplexity_affinities(in.knn, pp);
  FuzzySimplicialSetParams fp;
  fp.n_neighbors = kUmapK;
  in.W = fuzzy_simplicial_set(in.knn, fp);
  in.A = binary_knn_graph(in.knn, kFa2K);
  return in;
}

/// The inputs for n, built on first use (benchmarks run serially, the mutex
/// only guards against misuse with --benchmark threads).
const Inputs &inputs(std::int64_t n) {
  static std::mutex mutex;
  static std::map<std::int64_t, std::unique_ptr<Inputs>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto &slot = cache[n];
  if (!slot)
    slot = std::make_unique<Inputs>(make_inputs(n));
  return *slot;
}

/// The random n x 50 data alone (for the kNN benchmark, which must not pay
/// for the k = 90 graph of the other fixtures).
const Matrix &random_data(std::int64_t n) {
  static std::mutex mutex;
  static std::map<std::int64_t, Matrix> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(n);
  if (it == cache.end()) {
    Rng rng(2);
    Matrix X(n, kDim);
    for (float &v : X.data)
      v = static_cast<float>(rng.normal());
    it = cache.emplace(n, std::move(X)).first;
  }
  return it->second;
}

void set_counters(benchmark::State &state, std::int64_t n, double edges) {
  state.counters["points/s"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
  if (edges > 0)
    state.counters["edges/s"] = benchmark::Counter(
        edges, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("threads=" + std::to_string(bench_threads()));
}

// 1. One FFT-interpolated repulsion evaluation (forces and Z) with the
// default parameters (3 nodes per box, >= 50 boxes per axis). The kernel
// spectra are cached across calls as in a real optimization, where the grid
// changes only when the embedding grows.
void BM_FftRepulsion(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Inputs &in = inputs(n);
  FftRepulsion fft;
  MatrixD forces;
  for (auto _ : state) {
    const double z = fft.compute(in.Y, forces);
    benchmark::DoNotOptimize(z);
    benchmark::DoNotOptimize(forces.data.data());
  }
  set_counters(state, n, 0);
  state.counters["boxes"] = fft.boxes_per_axis();
}

// 2. One Barnes-Hut repulsion evaluation (tree build + walk, theta = 0.5).
void BM_BarnesHutRepulsion(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Inputs &in = inputs(n);
  BarnesHutRepulsion bh;
  MatrixD forces;
  for (auto _ : state) {
    const double z = bh.compute(in.Y, forces);
    benchmark::DoNotOptimize(z);
    benchmark::DoNotOptimize(forces.data.data());
  }
  set_counters(state, n, 0);
}

// 3. The attractive forces over all stored entries of P (perplexity 30).
void BM_Attraction(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Inputs &in = inputs(n);
  MatrixD forces;
  for (auto _ : state) {
    attractive_forces(in.P, in.Y, 1.0, forces);
    benchmark::DoNotOptimize(forces.data.data());
  }
  set_counters(state, n, static_cast<double>(in.P.nnz()));
}

// 4. Exact kNN graph ("Flat": engine/knn/exact_knn.h, k = 15) of n x 50
// standard normal data, preprocessing included.
void BM_KnnGraphFlat(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Matrix &X = random_data(n);
  for (auto _ : state) {
    KnnGraph g = build_knn_graph(X, 15, "Flat");
    benchmark::DoNotOptimize(g.indices.data());
  }
  set_counters(state, n, 0);
}

// 5. One epoch of UMAP's edge-sampling SGD (batch mode, umap-learn's default
// curve a = 1.577, b = 0.895, 5 negatives per positive sample) on the fuzzy
// set of the k = 15 graph, starting from the blob layout scaled to UMAP's
// extent (/3, so ~[-10, 10]).
//
// What is timed: EdgeSamplingSgd::optimize() runs a whole schedule and has
// no single-epoch entry point, and its epoch 0 samples nothing while it
// evaluates the loss (a full pass over the edges) before epoch 1 and after
// the last. So each benchmark iteration runs one optimize() of
// kUmapScheduleEpochs epochs (log_every larger than that, so the loss is
// evaluated only at those two ends), records a timestamp in every
// ctx.report() call (made after each epoch), and reports as manual time the
// mean interval of epochs 1 .. N-2: exactly the epoch loop body (edge
// sampling with its negatives, the swap, the finiteness check). Setup, the
// loss evaluations and the copy of the initial layout are not timed. The
// edges/s counter counts positive samples: sum_e w_e / max w per epoch.
void BM_UmapEpoch(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Inputs &in = inputs(n);
  EdgeSgdParams sp;
  sp.epochs = kUmapScheduleEpochs;
  sp.log_every = kUmapScheduleEpochs + 1;
  sp.seed = 3;
  const UniformNegatives negatives{n};
  EdgeSamplingSgd sgd(in.W, UmapGradient<false>(UmapGradientParams{}),
                      negatives, sp);
  double max_w = 0;
  for (double w : sgd.graph().weights)
    max_w = std::max(max_w, w);
  const double samples_per_epoch = sgd.graph().weight_sum / max_w;

  Matrix Y0(n, 2);
  for (std::size_t i = 0; i < Y0.data.size(); ++i)
    Y0.data[i] = static_cast<float>(in.Y.data[i] / 3.0);

  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> stamps(kUmapScheduleEpochs + 1);
  RunContext ctx;
  ctx.seed = 3;
  ctx.progress = [&stamps](std::int64_t done, std::int64_t,
                           const std::string &) {
    stamps[static_cast<std::size_t>(done)] = Clock::now();
  };
  for (auto _ : state) {
    Matrix Y = Y0;
    sgd.optimize(Y, ctx);
    benchmark::DoNotOptimize(Y.data.data());
    // stamps[t] follows epoch t - 1; epochs 1 .. N-2 lie between stamps[1]
    // and stamps[N-1] (no loss evaluation in between).
    const double seconds = std::chrono::duration<double>(
                               stamps[kUmapScheduleEpochs - 1] - stamps[1])
                               .count();
    state.SetIterationTime(seconds / (kUmapScheduleEpochs - 2));
  }
  set_counters(state, n, samples_per_epoch);
  state.counters["graph_edges"] = static_cast<double>(sgd.graph().edges());
}

// 6. One ForceAtlas2 iteration (Gephi defaults: scaling 2, gravity 1,
// Barnes-Hut theta 1.2) on the binary k = 15 graph, from the blob layout:
// ForceAtlas2Layout::run() with iters = 1, i.e. forces (repulsion tree,
// gravity, attraction over the edges), the speed update, the step and one
// trace row. The copy of the initial layout is not timed.
void BM_ForceAtlas2Iteration(benchmark::State &state) {
  bench_threads();
  const std::int64_t n = state.range(0);
  const Inputs &in = inputs(n);
  ForceAtlas2LayoutParams fp;
  fp.iters = 1;
  ForceAtlas2Layout layout(in.A, fp);
  const RunContext ctx;
  MatrixD Y;
  for (auto _ : state) {
    state.PauseTiming();
    Y = in.Y;
    state.ResumeTiming();
    layout.run(Y, ctx);
    benchmark::DoNotOptimize(Y.data.data());
  }
  set_counters(state, n, static_cast<double>(in.A.nnz()));
}

BENCHMARK(BM_FftRepulsion)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_BarnesHutRepulsion)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Attraction)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_KnnGraphFlat)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// Manual time: the per-epoch interval measured inside optimize() (see above).
BENCHMARK(BM_UmapEpoch)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_ForceAtlas2Iteration)
    ->Arg(10000)
    ->Arg(70000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
} // namespace nebench
