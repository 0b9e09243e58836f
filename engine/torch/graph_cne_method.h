#pragma once
// Graph CNE as a spec method, {"type": "graph_cne", ...} (Boehm, Keute et
// al., "Node Embeddings via Neighbor Embeddings", TMLR 2025; papers/graph.md
// sec. 2, the run `cne,temp=0.05` of the paper's tables). Non-parametric: the
// model is an N x dim embedding table (nn.Embedding with an identity head in
// the reference), trained directly:
//
//   positives  every nonzero (i, j) of the input graph Problem::adjacency,
//              i.e. both directions of every edge: nnz pairs per epoch, no
//              random walks; shuffled each epoch (Rng(seed, 2)), cut into
//              batches of b pairs, the last partial batch dropped.
//   negatives  in-batch: row i_k of the batch is contrasted against the
//              other 2b - 2 rows (graph_cne_batch_loss below).
//   loss       "cosine": SimCLR's symmetric InfoNCE on cosine similarity /
//              tau (tsimcne's InfoNCECosine; engine/torch/image/
//              contrastive_losses.h infonce_cosine), the paper's main
//              method at tau = 0.05 ("CNE, tau = 0.5" at 0.5); evaluate its
//              embedding with the cosine metric (sec. 3).
//              "cauchy": the same loss with similarity
//              -log(1 + 2 tau |y_i - y_j|^2) (sec. 2, InfoNCECauchy; the
//              Cauchy kernel at tau = 0.5), for the 2-D rows of the tables.
//   init       spectral_init(adjacency, dim, 0): the first `dim` nontrivial
//              Laplacian eigenvectors, not rescaled, plus N(0, init_noise^2)
//              noise (Rng(seed, 1)); sec. 2 "stored 128-D spectral embedding
//              plus N(0, 1e-5) noise". When dim > n - 2 the graph has too few
//              nontrivial eigenvectors and the table starts from N(0, 1)
//              entries instead (nn.Embedding's own init; Rng(seed, 1)).
//   optimizer  Adam with amsgrad, lr = learning_rate (1), weight decay 0, on
//              the dense gradient of the table (nn.Embedding without
//              sparse=True), so rows outside a batch still move by their
//              moments, as in the reference. The lr follows t-SimCNE's
//              cosine table (lrschedule.py CosineAnnealingSchedule, no warm-
//              up) over all T = epochs x steps-per-epoch steps, set by hand
//              before every step: lr_t = lr (1 + cos(pi t / (T + 1))) / 2
//              (graph_cne_lr; it ends just above 0, the table's final 0 is
//              never used).
//
// Not reproduced: the reference's 128 -> 2 "piecewise-cos" dimension
// annealing of its 2-D variant (sec. 2: 66 epochs at 128-D, 12 annealing
// epochs, 22 at 2-D). Here "loss": "cauchy" trains directly at `dim` (use
// "dim": 2 for the 2-D variant: a 2-D spectral start, not rescaled). The
// reference computes in bf16/TF32 under torch.compile; this method uses
// float32.
//
// Reproducible: the noise and the permutations come from nebench's Rng with
// the run seed, and no LibTorch random numbers are drawn; on the CPU a run is
// bitwise reproducible for a fixed torch_threads.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace nebench {

struct GraphCneParams {
  /// Embedding width (paper: 128).
  int dim = 128;
  /// tau of the similarity (paper's main method: 0.05; the library default
  /// 0.5 is the "CNE, tau = 0.5" row).
  double temperature = 0.05;
  /// "cosine" (InfoNCE on cosine similarity / tau) or "cauchy" (similarity
  /// -log(1 + 2 tau |y_i - y_j|^2)).
  std::string loss = "cosine";
  /// Passes over all nnz positive pairs (paper: 100).
  int epochs = 100;
  /// Pairs per batch; 0 = the paper's min(nnz / 10, 8192) (at least 2).
  /// Values above nnz are cut to nnz (one batch per epoch).
  std::int64_t batch_size = 0;
  /// Adam's peak learning rate (paper: 1).
  double learning_rate = 1.0;
  /// Std of the Gaussian noise added to the spectral init (paper: 1e-5).
  double init_noise = 1e-5;
  /// LibTorch intra-op threads during the run (0 = --threads).
  int torch_threads = 0;

  /// Strict parse of the method node (keys above). SpecError naming the
  /// JSON path ("runs[0].method.temperature: must be in (0, inf)").
  static GraphCneParams from_spec(const SpecNode &method_node);
};

/// Pairs per batch for a graph with `nnz` stored entries: `requested` when
/// > 0, else min(nnz / 10, 8192) (sec. 2), at least 2, and at most nnz.
/// Throws NebenchError when nnz < 2.
std::int64_t graph_cne_batch_size(std::int64_t nnz, std::int64_t requested);

/// Learning rate of step `step` (0-based) of `total_steps`: t-SimCNE's
/// cosine table without warm-up, base (1 + cos(pi step / (total + 1))) / 2.
double graph_cne_lr(double base_lr, std::int64_t total_steps,
                    std::int64_t step);

/// The loss of one batch: rows `first` (b) of `table` against rows `second`
/// (b), pair k = (first[k], second[k]). With a_k, c_k the two rows and
/// s(u, v) the similarity of `loss` ("cosine": cos(u, v) / tau; "cauchy":
/// -log(1 + 2 tau |u - v|^2)),
///   L = -(1/b) sum_k s(a_k, c_k)
///       + 1/2 [ mean_k LSE({s(c_k, a_m)}_m, {s(c_k, c_m)}_{m != k})
///             + mean_k LSE({s(a_k, a_m)}_{m != k}, {s(a_k, c_m)}_m) ],
/// the symmetric InfoNCE with 2b - 1 candidates per anchor (sec. 2; the
/// reference's hstack(cos_ab.T, cos_bb) row k is anchor c_k). Autograd
/// flows to `table`. Throws NebenchError for an unknown loss or tau <= 0.
torch::Tensor graph_cne_batch_loss(const torch::Tensor &table,
                                   const torch::Tensor &first,
                                   const torch::Tensor &second,
                                   const std::string &loss, double temperature);

class GraphCneMethod : public Method {
public:
  explicit GraphCneMethod(GraphCneParams params);
  std::string type() const override { return "graph_cne"; }
  /// The method reads the input graph (Problem::adjacency), not the kNN
  /// graph of points.
  int neighbors_needed() const override { return 0; }
  bool needs_input_graph() const override { return true; }
  /// The table with its gradient and Adam's three moment buffers (float),
  /// the init and the output (double), the Lanczos basis of the spectral
  /// init, and the batch's 2b x 2b similarity matrices; the graph's pairs
  /// are estimated at 20 per node (b from that).
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding: the table, n x dim. Trace one row per epoch: epoch (1-based),
  /// loss (mean over the epoch's batches), lr (of the epoch's last step),
  /// norm_mean (mean row norm of the table after the epoch), seconds (since
  /// the start of training). Throws NebenchError when the problem has no
  /// input graph or the graph has fewer than 2 nodes or 2 stored entries.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const GraphCneParams &params() const { return params_; }

private:
  GraphCneParams params_;
};

} // namespace nebench
