#pragma once
// The optimizer of non-parametric CNE (Damrich et al. 2023; sec. 1.4 of
// papers/spectrum_and_cne.md), as the paper's scripts run the cne package:
// the embedding table (n x dim) is the parameter; per batch the gradient of
// the summed batch loss (engine/ne/cne_batch_gradient.h) is clipped value by
// value to [-4, 4] (torch.nn.utils.clip_grad_value_ on the parameter
// gradient, i.e. AFTER summing the contributions of a point's rows), then
// plain SGD (momentum 0) steps with lr_e = lr0 (1 - e / E) in epoch e =
// 0 .. E-1 of a phase (anneal_lr, lr_min_factor = 0). NCE's log Z is a
// second parameter with its own fixed learning rate (1e-3, not annealed)
// and the same clip.
//
// Batches are sequential (SGD); the batch pipeline is engine/ne/
// cne_batch_sampler.h. Per batch only the points of the batch are touched:
// the row gradients (engine/ne/cne_batch_gradient.h) are summed per point
// before the clip by folding every repeated row of a point into the point's
// first row, in the order the rows were met (a batch of the paper's b =
// 1024 has ~30 of its 2048 rows repeated); then each row steps its point
// with its clipped sum (a folded row by zero). Repeats are found with an
// n-bit map of the batch's points, first rows with a small direct-mapped
// table keyed by a hash of the point; both stay in L1 (a store per row at
// random into an n-entry table cost more than the rest of the
// bookkeeping). So no n x dim array is read, written or cleared per batch
// beyond the batch's own points, and nothing is allocated in the loop.
//
// Threads: one parallel region per epoch; per batch, in three steps with a
// barrier after each, every thread (1) fills its share of the batch's
// 64-row blocks (points, negatives from the blocks' own streams), gathers
// the coordinates of the rows whose points it owns and marks those points
// (points go to threads in groups of 64 consecutive ones, so that threads
// write disjoint words of the bitmap; each has its own first-row table),
// (2) computes the gradient of its head rows into its own 2b x dim row
// table, (3) for the rows of the points it owns sums the T row tables
// in thread order, folds the repeated rows and steps the points; thread 0
// then adds up the loss and dl/d(log Z), updates log Z and sets up the next
// batch.
// The batches, negatives and each thread's work depend on the seed and the
// thread count T only: the result is bitwise reproducible for a fixed T
// (T changes the order in which a row's contributions are summed).
// The default is one thread (CneOptimizerParams::threads): a batch of the
// paper's b = 1024 is ~6k pair evaluations, and the per-batch exchange of
// the row tables and coordinates between cores costs more than the split
// saves on the 2-vCPU development machine (bench/cne_bench.cpp, 1 vs 2
// threads at b = 1024 and 32768).
//
// Randomness: epoch e of phase p draws its edge permutation and the key of
// its negatives from the stream Rng(seed, cne_stream(p, e)).

#include "engine/core/csr.h"
#include "engine/core/errors.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/core/run_context.h"
#include "engine/core/threads.h"
#include "engine/core/trace.h"
#include "engine/ne/cne_batch_gradient.h"
#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_loss.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <omp.h>
#include <optional>
#include <string>
#include <vector>

namespace nebench {

struct CneOptimizerParams {
  /// b, directed edges per batch (paper: 1024; package default 2^15).
  int batch_size = 1024;
  /// m, negatives per positive edge, drawn from the batch (paper: 5).
  int negatives = 5;
  /// lr0 of the embedding; epoch e of a phase with E epochs uses
  /// lr0 (1 - e / E) (paper: 1, linear annealing to 0, sec. 1.4).
  double learning_rate = 1.0;
  /// Fixed SGD learning rate of NCE's log Z (the code's 1e-3).
  double log_z_learning_rate = 1e-3;
  /// Per-value gradient clip of the embedding and of log Z (the code's 4).
  double clip = 4.0;
  /// Trace after every log_every-th epoch (counted over all phases) and
  /// after the first and last epoch of each phase.
  int log_every = 50;
  /// Threads that share each batch; 0 = current_threads(). At most one per
  /// 64-row block of a batch.
  int threads = 1;
  /// Seed of every random stream of the optimizer.
  std::uint64_t seed = 0;
  /// Label for progress reports.
  std::string label = "CNE";
};

/// Where a phase sits in the whole run (for the trace and progress).
struct CnePhaseInfo {
  int index = 0;         ///< phase number (0 = early phase when there is one)
  int epochs = 1;        ///< E of this phase
  int epochs_before = 0; ///< epochs of the earlier phases
  int total_epochs = 1;  ///< epochs of all phases
};

/// Stream id of Rng(seed, stream) for epoch `epoch` of phase `phase`:
/// disjoint from the small ids of initializations and from sgd_stream().
inline std::uint64_t cne_stream(int phase, int epoch) {
  return (1ULL << 61) | (static_cast<std::uint64_t>(phase) << 32) |
         static_cast<std::uint64_t>(epoch);
}

class CneOptimizer {
public:
  /// A: the (binary symmetric) graph; every stored entry is a directed
  /// edge. Throws NebenchError for invalid parameters or graphs.
  CneOptimizer(const Csr &A, CneOptimizerParams params);
  CneOptimizer(const CneOptimizer &) = delete;
  CneOptimizer &operator=(const CneOptimizer &) = delete;

  const CneEdges &edges() const { return edges_; }
  const CneOptimizerParams &params() const { return params_; }
  /// The learning rate of epoch e (0-based) of a phase of E epochs.
  double learning_rate(int epoch, int epochs) const {
    return params_.learning_rate *
           (1.0 - static_cast<double>(epoch) / static_cast<double>(epochs));
  }

  /// One epoch of phase `phase` at learning rate lr on Y (n x dim, updated
  /// in place), with params().threads threads; returns the loss summed over its
  /// batches (0 when with_loss is false). NceLoss's log_z is updated after
  /// every batch.
  template <class Loss>
  double run_epoch(Loss &loss, int phase, int epoch, double lr, MatrixD &Y,
                   bool with_loss = true) {
    check_shape(Y);
    const int dim = static_cast<int>(Y.cols);
    const int T =
        std::clamp(params_.threads > 0 ? params_.threads : current_threads(), 1,
                   CneBatchSampler::blocks(batch_capacity_));
    reserve(T, dim);
    Rng rng(params_.seed, cne_stream(phase, epoch));
    sampler_.start_epoch(rng);
    sampler_.begin_batch(0, batch_);
    loss.prepare(batch_.edges);
    double total = 0.0;
    double *y = Y.data.data();
#pragma omp parallel num_threads(T)
    {
      const int tid = omp_get_thread_num();
      CneThreadScratch &mine = threads_[tid];
      for (std::int64_t bi = 0; bi < sampler_.batches(); ++bi) {
        const int b = batch_.edges;
        const int blocks = CneBatchSampler::blocks(b);
        const int k0 = blocks * tid / T, k1 = blocks * (tid + 1) / T;
        const int r0 = std::min(b, k0 * kCneBlockRows);
        const int r1 = std::min(b, k1 * kCneBlockRows);
        sampler_.fill_blocks(bi, k0, k1, batch_);
        gather_owned_rows(bi, tid, T, y, dim);
#pragma omp barrier
        std::fill_n(mine.row_grad.data(), static_cast<std::size_t>(2 * b) * dim,
                    0.0);
        mine.dlogz = 0.0;
        mine.loss = cne_rows_gradient(loss, coords_.data(), dim, batch_, r0, r1,
                                      mine.row_grad.data(), mine.pairs,
                                      mine.dlogz, with_loss);
#pragma omp barrier
        owned_points_step(b, tid, T, y, dim, lr);
        if (tid == 0) {
          double dlogz = 0.0;
          for (const CneThreadScratch &t : threads_) {
            total += t.loss;
            dlogz += t.dlogz;
          }
          if constexpr (requires { loss.log_z; })
            loss.log_z -= params_.log_z_learning_rate *
                          std::clamp(dlogz, -params_.clip, params_.clip);
          if (bi + 1 < sampler_.batches()) {
            sampler_.begin_batch(bi + 1, batch_);
            loss.prepare(batch_.edges);
          }
        }
#pragma omp barrier
      }
    }
    return total;
  }

  /// Runs `phase.epochs` epochs with the lr schedule restarted at lr0, and
  /// appends a trace row (columns epoch = epochs done over all phases,
  /// phase, loss = mean per directed edge over the epoch's batches, lr,
  /// norm_mean, seconds since construction; log_z and zbar = exp(log Z)
  /// n^2 for NceLoss; c = neg_c(loss), NaN in a phase without one, see
  /// push_c) per logged epoch. Calls ctx.check() and ctx.report() once per
  /// epoch; throws NumericalError when Y becomes non-finite.
  template <class Loss>
  void run_phase(Loss &loss, const CnePhaseInfo &phase, MatrixD &Y,
                 Trace &trace, const RunContext &ctx) {
    if (phase.epochs < 1)
      throw NebenchError("CNE: a phase needs >= 1 epochs");
    const double edges = static_cast<double>(edges_.size());
    for (int e = 0; e < phase.epochs; ++e) {
      ctx.check();
      const double lr = learning_rate(e, phase.epochs);
      const int t = phase.epochs_before + e + 1;
      const bool logged =
          e == 0 || e + 1 == phase.epochs || t % params_.log_every == 0;
      const double sum = run_epoch(loss, phase.index, e, lr, Y, logged);
      check_finite(Y, sum, t);
      if (logged) {
        trace.push("epoch", t);
        trace.push("phase", phase.index);
        trace.push("loss", sum / edges);
        trace.push("lr", lr);
        trace.push("norm_mean", norm_mean(Y));
        if constexpr (requires { loss.log_z; }) {
          trace.push("log_z", loss.log_z);
          trace.push("zbar", cne_zbar_from_log_z(loss.log_z, edges_.n));
        }
        push_c(trace, loss);
        trace.push("seconds", std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count());
      }
      ctx.report(t, phase.total_epochs, params_.label);
    }
  }

  /// The c of the NEG estimator sigma = 1 / (1 + c q) a loss uses, the
  /// position on the paper's Z-bar axis (c = m Z-bar / n^2, sec. 1.3):
  /// NegLoss its constant; NceLoss m exp(log Z) with the code's m =
  /// min(m, 2b - 1) of a full batch (NceLoss::prepare), after the epoch's
  /// last update of log Z. None (nullopt) for InfoNCE and UMAP, which
  /// have no NEG normaliser.
  template <class Loss> std::optional<double> neg_c(const Loss &loss) const {
    if constexpr (requires { loss.log_z; }) {
      const int m =
          std::max(std::min(loss.negatives, 2 * batch_capacity_ - 1), 0);
      return static_cast<double>(m) * std::exp(loss.log_z);
    } else if constexpr (requires { loss.c; }) {
      return loss.c;
    } else {
      return std::nullopt;
    }
  }

private:
  /// Trace column "c" (neg_c): present once any phase has a c; a row of a
  /// phase without one holds NaN, so that all columns keep one length when
  /// an early NEG phase (c = 1) precedes InfoNCE or UMAP.
  template <class Loss> void push_c(Trace &trace, const Loss &loss) const {
    const std::optional<double> c = neg_c(loss);
    if (!c && !trace.columns.count("c"))
      return;
    auto &col = trace.columns["c"];
    const std::size_t rows = trace.columns.at("epoch").size();
    col.resize(rows - 1, std::numeric_limits<double>::quiet_NaN());
    col.push_back(c ? *c : std::numeric_limits<double>::quiet_NaN());
  }

  /// Per-thread buffers: a 2b x dim row table, the repeated rows of the
  /// points the thread owns, and its share of the batch loss and of
  /// dl/d(log Z).
  struct CneThreadScratch {
    std::vector<double> row_grad;
    CnePairBuffers pairs;
    std::vector<std::int32_t> repeats;   ///< 2b: rows whose point came before
    std::vector<std::int32_t> primaries; ///< 2b: the first row of each
    int repeat_count = 0;
    /// First rows of the thread's points by a hash of the point (direct-
    /// mapped, >= 4 min(2b, n) entries, stays in cache; each entry read is
    /// checked against the batch).
    std::vector<std::int32_t> first_rows;
    double loss = 0.0, dlogz = 0.0;
  };

  void check_shape(const MatrixD &Y) const;
  /// Sizes the buffers for T threads and dim columns (allocates only when
  /// they grow).
  void reserve(int T, int dim);
  /// Whether point p is thread tid's of T: groups of 64 consecutive points
  /// (a word of the in-batch bitmap) hashed onto threads by multiply-shift
  /// (balanced, no division).
  static bool owns(std::int32_t p, int tid, int T) {
    const std::uint32_t h = static_cast<std::uint32_t>(p >> 6) * 0x9E3779B9u;
    return static_cast<int>((static_cast<std::uint64_t>(h) * T) >> 32) == tid;
  }
  /// Step (1b): for the rows r of batch `index` whose point p thread tid
  /// owns, read from the epoch's edge order (not from the batch, which
  /// other threads are still filling; rows r and r + b for r = 0 .. b-1):
  /// coords_[r] = Y[p]; the first such row of p is recorded as p's, a later
  /// one as a repeat. Only the owner reads and writes a point's
  /// coordinates, bit and first row, so they stay in its cache.
  void gather_owned_rows(std::int64_t index, int tid, int T, const double *y,
                         int dim);
  /// Step (3) of a batch of b edges (passed in: thread 0 may already have
  /// set up the next batch) for the rows of the points thread `tid` of T
  /// owns: the sum over threads of their row tables (thread order), each
  /// repeat added into its point's first row (in the order met) and
  /// zeroed, then Y[p] -= lr clip(row sum) per row and p's bit cleared.
  void owned_points_step(int b, int tid, int T, double *y, int dim, double lr);
  static double norm_mean(const MatrixD &Y);
  static void check_finite(const MatrixD &Y, double loss, int epoch);

  CneOptimizerParams params_;
  CneEdges edges_;
  CneBatchSampler sampler_;
  int batch_capacity_ = 0; ///< largest batch, min(b, E)
  int max_negatives_ = 0;  ///< largest negatives per head, min(m, 2b - 2)
  CneBatch batch_;
  std::vector<double> coords_;            ///< 2b x dim: row coordinates
  std::vector<std::uint64_t> in_batch_;   ///< n bits: point is in the batch
  std::vector<double> sums_;              ///< 2b x dim: T > 1 row sums
  std::vector<CneThreadScratch> threads_; ///< one per thread
  std::chrono::steady_clock::time_point start_;
};

} // namespace nebench
