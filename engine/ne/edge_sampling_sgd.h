#pragma once
// Edge-sampling SGD: the optimizer of UMAP (umap-learn's
// optimize_layout_euclidean, uwot's optimize.h/update.h) and, with other
// gradient policies, of the negative-sampling methods of the CNE paper
// (Damrich et al. 2023). Points attract along the edges of a weighted graph
// and repel from uniformly drawn negative samples; the three things that
// vary are policies (DESIGN sec. 1):
//   Gradient   per-sample attraction/repulsion coefficients and the clip
//              (engine/ne/umap_gradient.h),
//   Negatives  where negative samples come from (engine/ne/negative_sampler.h),
//   schedule   which edges are sampled in which epoch and with how many
//              negatives (engine/ne/edge_schedule.h: umap-learn's
//              epochs_per_sample).
// The learning rate decays linearly, alpha_e = lr (1 - (e - 1) / N) in epoch
// e >= 1 (umap-learn and uwot update it at the end of each epoch; nothing is
// due in epoch 0).
//
// Two update modes.
//  - batch (default): Jacobi across nodes, sequential within a node. Every
//    node i reads all other points as they were at the start of the epoch
//    and writes only its own new position. It walks its own due out-edges in
//    CSR order (umap-learn's order); for each it sums, at its current private
//    y_i, the attraction 2 clip(c+ (y_i - y_j)) (the factor 2 is the
//    move_other update that the reverse edge (j, i), due in the same epoch
//    because W is symmetric, gives to i in umap-learn) and the repulsions
//    clip(c- (y_i - y_k)) of that sample's negatives, and moves y_i by alpha
//    times the sum before the next edge. A node's negatives come from its
//    own stream Rng(seed, epoch, node), so the result is bitwise identical
//    for ANY thread count and schedule. Like uwot's batch mode (a NodeWorker
//    writing only head gradients) but, instead of one summed step per epoch
//    (which overshoots with plain SGD: uwot pairs it with Adam), one step
//    per positive sample as in umap-learn: on Fashion-MNIST (70k, k = 15,
//    200 epochs) its kNN recall and accuracy match umap-learn-style in-place
//    updates, and summing the m + 1 terms of a sample independently keeps
//    the pipeline full (about 1.7x faster than strictly sequential steps).
//  - in place (batch = false; umap-learn's Hogwild update, sample by
//    sample): edges are processed in fixed chunks of kHogwildChunk, each
//    with its own stream Rng(seed, epoch, chunk); a positive sample moves
//    head and tail (move_other), a negative only the head, immediately. With
//    one thread the result is deterministic; with several, threads race on
//    shared points (relaxed atomics, no undefined behaviour) and the result
//    depends on timing, as in umap-learn's parallel mode.
// The inner loops allocate nothing.

#include "engine/core/csr.h"
#include "engine/core/errors.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/ne/edge_schedule.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

struct EdgeSgdParams {
  /// N, number of epochs (umap-learn: 200 for n > 10,000, else 500; the
  /// spectrum paper's reference UMAP: 750, Boehm et al. 2022 sec. 2.2).
  int epochs = 200;
  /// Initial learning rate alpha_0 (umap-learn's learning_rate, 1).
  double learning_rate = 1.0;
  /// Negatives per positive sample (umap-learn's negative_sample_rate, 5;
  /// m in the CNE paper).
  int negative_sample_rate = 5;
  /// Epoch-synchronous updates (the same bits for any thread count) instead
  /// of umap-learn's in-place updates. See the file comment.
  bool batch = true;
  /// Trace after epoch 0 (the input), every log_every epochs and the last.
  int log_every = 50;
  /// Seed of every random stream of the optimizer.
  std::uint64_t seed = 0;
  /// Label for progress reports.
  std::string label = "edge-sampling SGD";
};

/// The graph the optimizer walks: W without never-sampled edges, as edge
/// arrays in CSR order (heads are the rows).
struct EdgeSgdGraph {
  std::int64_t n = 0;
  std::vector<std::int64_t> indptr; ///< n + 1
  std::vector<std::int32_t> heads;  ///< per edge
  std::vector<std::int32_t> tails;  ///< per edge
  std::vector<double> weights;      ///< per edge
  double weight_sum = 0;
  std::int64_t edges() const { return static_cast<std::int64_t>(tails.size()); }
};

/// prune_weak_edges(W, epochs) as edge arrays. Throws NebenchError when W
/// has a negative or non-finite value, or (require_symmetric) when W is not
/// exactly symmetric.
EdgeSgdGraph make_edge_sgd_graph(const Csr &W, int epochs,
                                 bool require_symmetric);

/// Whether W(i, j) == W(j, i) for every stored entry (exact comparison).
bool is_symmetric(const Csr &W);

/// alpha of epoch `epoch` (0-based): lr in epochs 0 and 1, then
/// lr (1 - (epoch - 1) / epochs) (umap-learn/uwot: updated after each epoch).
double sgd_learning_rate(double lr, int epoch, int epochs);

/// Stream ids of Rng(seed, stream): one per (epoch, node or chunk) for the
/// updates and one per (logged epoch, node) for the loss, disjoint from each
/// other and from the small stream ids used by initializations.
inline std::uint64_t sgd_stream(int epoch, std::int64_t item) {
  return (1ULL << 63) | (static_cast<std::uint64_t>(epoch) << 32) |
         static_cast<std::uint64_t>(item);
}
inline std::uint64_t sgd_loss_stream(int epoch, std::int64_t item) {
  return (1ULL << 62) | (static_cast<std::uint64_t>(epoch) << 32) |
         static_cast<std::uint64_t>(item);
}

/// Largest embedding dimension (a stack buffer of the batch mode).
constexpr int kEdgeSgdMaxDim = 256;

/// Edges per chunk (and random stream) of the in-place mode.
constexpr std::int64_t kHogwildChunk = 4096;

template <class Gradient, class Negatives> class EdgeSamplingSgd {
public:
  /// W: symmetric non-negative weights (the UMAP fuzzy set); it is copied
  /// into edge arrays, so it need not outlive the optimizer.
  EdgeSamplingSgd(const Csr &W, Gradient gradient, Negatives negatives,
                  EdgeSgdParams params)
      : gradient_(std::move(gradient)), negatives_(std::move(negatives)),
        params_(std::move(params)) {
    if (params_.epochs < 1)
      throw NebenchError("edge-sampling SGD: epochs must be >= 1");
    if (!(params_.learning_rate > 0))
      throw NebenchError("edge-sampling SGD: learning_rate must be > 0");
    if (params_.log_every < 1)
      throw NebenchError("edge-sampling SGD: log_every must be >= 1");
    if (W.n < 2 || W.n > (std::int64_t(1) << 31) - 1)
      throw NebenchError("edge-sampling SGD: needs 2 <= n < 2^31 points");
    graph_ = make_edge_sgd_graph(W, params_.epochs, params_.batch);
    epochs_per_sample_ = make_epochs_per_sample(graph_.weights, params_.epochs);
    node_loss_.resize(static_cast<std::size_t>(graph_.n));
  }

  const EdgeSgdGraph &graph() const { return graph_; }

  /// Runs all epochs on Y (n x dim, row-major float, updated in place) and
  /// returns the trace: columns epoch, loss, norm_mean, seconds. Row t
  /// describes Y after t epochs; loss is the sampled objective per unit edge
  /// weight, sum_ij w_ij [L+(y_i, y_j) + m L-(y_i, y_k)] / sum_ij w_ij with
  /// one uniform negative k per edge from a seeded stream (an unbiased
  /// estimate of the expectation that SGD descends). Each call starts a
  /// fresh schedule. Calls ctx.check() and ctx.report() once per epoch;
  /// throws NumericalError when an epoch produces NaN or Inf.
  Trace optimize(Matrix &Y, const RunContext &ctx) {
    if (Y.rows != graph_.n)
      throw NebenchError("edge-sampling SGD: the embedding has " +
                         std::to_string(Y.rows) + " rows but the graph " +
                         std::to_string(graph_.n) + " points");
    if (Y.cols < 1 || Y.cols > kEdgeSgdMaxDim)
      throw NebenchError("edge-sampling SGD: embedding dimension " +
                         std::to_string(Y.cols) + " not in [1, " +
                         std::to_string(kEdgeSgdMaxDim) + "]");
    schedule_ =
        UmapEdgeSchedule(epochs_per_sample_, params_.negative_sample_rate);
    switch (Y.cols) {
    case 2:
      return run<2>(Y, ctx);
    case 3:
      return run<3>(Y, ctx);
    default:
      return run<0>(Y, ctx);
    }
  }

private:
  static float relaxed_load(float &x) {
    return std::atomic_ref<float>(x).load(std::memory_order_relaxed);
  }
  static void relaxed_store(float &x, float v) {
    std::atomic_ref<float>(x).store(v, std::memory_order_relaxed);
  }

  template <int Dim> Trace run(Matrix &Y, const RunContext &ctx) {
    const int dim = Dim > 0 ? Dim : static_cast<int>(Y.cols);
    const int N = params_.epochs;
    // Batch mode writes the new positions here and swaps.
    std::vector<float> next;
    if (params_.batch)
      next.resize(Y.data.size());
    const auto start = std::chrono::steady_clock::now();
    Trace trace;
    auto log_row = [&](int t) {
      double norm_sum = 0;
      for (std::int64_t i = 0; i < graph_.n; ++i) {
        double s = 0;
        for (int d = 0; d < dim; ++d)
          s += static_cast<double>(Y.data[i * dim + d]) * Y.data[i * dim + d];
        norm_sum += std::sqrt(s);
      }
      trace.push("epoch", t);
      trace.push("loss", loss<Dim>(t, Y.data.data(), dim));
      trace.push("norm_mean", norm_sum / static_cast<double>(graph_.n));
      trace.push("seconds", std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    };
    log_row(0);
    for (int epoch = 0; epoch < N; ++epoch) {
      ctx.check();
      const auto alpha = static_cast<float>(
          sgd_learning_rate(params_.learning_rate, epoch, N));
      if (params_.batch) {
        batch_epoch<Dim>(epoch, alpha, Y.data.data(), next.data(), dim);
        Y.data.swap(next);
      } else {
        hogwild_epoch<Dim>(epoch, alpha, Y.data.data(), dim);
      }
      check_finite(Y, epoch + 1);
      const int t = epoch + 1;
      if (t % params_.log_every == 0 || t == N)
        log_row(t);
      ctx.report(t, N, params_.label);
    }
    return trace;
  }

  float clip(float v) const {
    const auto c = static_cast<float>(gradient_.clip_value());
    return std::min(std::max(v, -c), c);
  }

  // Batch mode (see the file comment): node i reads the snapshot Y and
  // writes only next[i].
  template <int Dim>
  void batch_epoch(int epoch, float alpha, const float *Y, float *next,
                   int dim) {
    const std::int64_t n = graph_.n;
    const std::int64_t *indptr = graph_.indptr.data();
    const std::int32_t *tails = graph_.tails.data();
#pragma omp parallel for schedule(dynamic, 512)
    for (std::int64_t i = 0; i < n; ++i) {
      const int D = Dim > 0 ? Dim : dim;
      // Private copies (no aliasing with Y, so they stay in registers).
      float yi[Dim > 0 ? Dim : kEdgeSgdMaxDim];
      float acc[Dim > 0 ? Dim : kEdgeSgdMaxDim]; // this sample's step
      for (int d = 0; d < D; ++d)
        yi[d] = Y[i * D + d];
      Rng rng(params_.seed, sgd_stream(epoch, i));
      for (std::int64_t e = indptr[i]; e < indptr[i + 1]; ++e) {
        if (!schedule_.due(e, epoch))
          continue;
        for (int d = 0; d < D; ++d)
          acc[d] = 0.0f;
        const float *yj = Y + static_cast<std::int64_t>(tails[e]) * D;
        float d2 = 0.0f;
        for (int d = 0; d < D; ++d) {
          const float diff = yi[d] - yj[d];
          d2 += diff * diff;
        }
        if (d2 > 0.0f) {
          const float c = gradient_.attraction(d2);
          for (int d = 0; d < D; ++d)
            acc[d] += 2.0f * clip(c * (yi[d] - yj[d]));
        }
        const int n_neg = schedule_.negatives(e, epoch);
        for (int p = 0; p < n_neg; ++p) {
          const std::int64_t k = negatives_(rng);
          if (k == i)
            continue;
          const float *yk = Y + k * D;
          float dk2 = 0.0f;
          for (int d = 0; d < D; ++d) {
            const float diff = yi[d] - yk[d];
            dk2 += diff * diff;
          }
          if (dk2 > 0.0f) {
            const float c = gradient_.repulsion(dk2);
            for (int d = 0; d < D; ++d)
              acc[d] += clip(c * (yi[d] - yk[d]));
          }
        }
        for (int d = 0; d < D; ++d)
          yi[d] += alpha * acc[d];
        schedule_.advance(e, n_neg);
      }
      for (int d = 0; d < D; ++d)
        next[i * D + d] = yi[d];
    }
  }

  static void check_finite(const Matrix &Y, int epoch) {
    bool has_nan = false, has_inf = false;
    for (float v : Y.data) {
      has_nan = has_nan || std::isnan(v);
      has_inf = has_inf || std::isinf(v);
    }
    if (has_nan || has_inf)
      throw NumericalError("epoch " + std::to_string(epoch) +
                           ": embedding contains " + (has_nan ? "NaN" : "Inf"));
  }

  // In-place mode: umap-learn's update order within each chunk.
  template <int Dim>
  void hogwild_epoch(int epoch, float alpha, float *Y, int dim) {
    const std::int64_t E = graph_.edges();
    const std::int64_t chunks = (E + kHogwildChunk - 1) / kHogwildChunk;
    const std::int32_t *heads = graph_.heads.data();
    const std::int32_t *tails = graph_.tails.data();
#pragma omp parallel for schedule(static)
    for (std::int64_t ch = 0; ch < chunks; ++ch) {
      const int D = Dim > 0 ? Dim : dim;
      Rng rng(params_.seed, sgd_stream(epoch, ch));
      const std::int64_t end = std::min(E, (ch + 1) * kHogwildChunk);
      for (std::int64_t e = ch * kHogwildChunk; e < end; ++e) {
        if (!schedule_.due(e, epoch))
          continue;
        const std::int64_t i = heads[e];
        float *yi = Y + i * D;
        float *yj = Y + static_cast<std::int64_t>(tails[e]) * D;
        float d2 = 0.0f;
        for (int d = 0; d < D; ++d) {
          const float diff = relaxed_load(yi[d]) - relaxed_load(yj[d]);
          d2 += diff * diff;
        }
        if (d2 > 0.0f) {
          const float c = gradient_.attraction(d2);
          for (int d = 0; d < D; ++d) {
            const float a = relaxed_load(yi[d]), b = relaxed_load(yj[d]);
            const float g = clip(c * (a - b));
            relaxed_store(yi[d], a + g * alpha);
            relaxed_store(yj[d], b - g * alpha);
          }
        }
        const int n_neg = schedule_.negatives(e, epoch);
        for (int p = 0; p < n_neg; ++p) {
          const std::int64_t k = negatives_(rng);
          if (k == i)
            continue;
          float *yk = Y + k * D;
          float dk2 = 0.0f;
          for (int d = 0; d < D; ++d) {
            const float diff = relaxed_load(yi[d]) - relaxed_load(yk[d]);
            dk2 += diff * diff;
          }
          if (dk2 > 0.0f) {
            const float c = gradient_.repulsion(dk2);
            for (int d = 0; d < D; ++d) {
              const float a = relaxed_load(yi[d]);
              relaxed_store(yi[d],
                            a + clip(c * (a - relaxed_load(yk[d]))) * alpha);
            }
          }
        }
        schedule_.advance(e, n_neg);
      }
    }
  }

  // The logged objective (see optimize()); per-node partial sums added in
  // node order, so it is as reproducible as the embedding.
  template <int Dim> double loss(int t, const float *Y, int dim) {
    const std::int64_t n = graph_.n;
    const double m = params_.negative_sample_rate;
#pragma omp parallel for schedule(dynamic, 512)
    for (std::int64_t i = 0; i < n; ++i) {
      const int D = Dim > 0 ? Dim : dim;
      const float *yi = Y + i * D;
      Rng rng(params_.seed, sgd_loss_stream(t, i));
      double s = 0;
      for (std::int64_t e = graph_.indptr[i]; e < graph_.indptr[i + 1]; ++e) {
        const float *yj = Y + static_cast<std::int64_t>(graph_.tails[e]) * D;
        std::int64_t k = negatives_(rng);
        while (k == i)
          k = negatives_(rng);
        const float *yk = Y + k * D;
        double dj2 = 0, dk2 = 0;
        for (int d = 0; d < D; ++d) {
          const double a = static_cast<double>(yi[d]) - yj[d];
          const double b = static_cast<double>(yi[d]) - yk[d];
          dj2 += a * a;
          dk2 += b * b;
        }
        s += graph_.weights[e] * (gradient_.attraction_loss(dj2) +
                                  m * gradient_.repulsion_loss(dk2));
      }
      node_loss_[i] = s;
    }
    double total = 0;
    for (double v : node_loss_)
      total += v;
    return graph_.weight_sum > 0 ? total / graph_.weight_sum : 0.0;
  }

  Gradient gradient_;
  Negatives negatives_;
  EdgeSgdParams params_;
  EdgeSgdGraph graph_;
  std::vector<double> epochs_per_sample_;
  UmapEdgeSchedule schedule_;
  std::vector<double> node_loss_;
};

} // namespace nebench
