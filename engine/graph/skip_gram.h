#pragma once
// Skip-gram with negative sampling (SGNS) on random walks: the trainer of the
// DeepWalk and node2vec baselines (papers/graph.md sec. 5.2, 5.3), native and
// single-threaded, deterministic for a seed. Each style follows the library
// the paper ran (checked against the sources of dgl.nn.DeepWalk and
// torch_geometric.nn.Node2Vec):
//
//                 dgl_deepwalk (DeepWalk)          pyg_node2vec (node2vec)
// tables          two: center (returned) and       one shared table
//                 context (graph.md's "one shared
//                 table" is not what DGL does)
// init            center U(-1/dim, 1/dim),         N(0, 1) (nn.Embedding)
//                 context 0
// positives       (w[j] center, w[i] context) for  every sub-walk of `window`
//                 0 < |i - j| <= window            (= context_size) nodes:
//                                                  (w[j], w[j+k]), k=1..c-1
// negatives       `negatives` per positive, with   PyG's negative walks:
//                 w[i] as center and the context   [start, u_1..u_{L-1}], u
//                 a node at a uniformly drawn      uniform over nodes, cut in
//                 position of the batch's walks    the same sub-walks;
//                 (fast_neg; DGL shuffles the      `negatives` such walks per
//                 positions, we draw them with     positive walk
//                 replacement)
// loss            mean_pos softplus(-s) +          mean_pos softplus(-s) +
//                 m * neg_weight * mean_neg        mean_neg softplus(s)
//                 softplus(s), s clamped to +-6
//                 (zero gradient outside)
//
// softplus(-s) = -log sigma(s); PyG's -log(sigma(s) + 1e-15) is replaced by
// the exact, numerically stable softplus. Batches: the nodes in a shuffled
// order, `batch_walks` start nodes per batch, each walked `walks_per_node`
// times (PyG's batch.repeat); the optimizer is SparseAdam (torch.optim.
// SparseAdam, lr 0.01 in both references): only the rows a batch touches
// update their moments, bias correction uses the table's global step count.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/graph/random_walks.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace nebench {

enum class SkipGramStyle { dgl_deepwalk, pyg_node2vec };

struct SkipGramParams {
  SkipGramStyle style = SkipGramStyle::dgl_deepwalk;
  std::int64_t dim = 128;
  /// DGL window_size (5) or PyG context_size (10).
  std::int64_t window = 5;
  /// DGL negative_size (5) or PyG num_negative_samples (1).
  std::int64_t negatives = 5;
  /// DGL neg_weight (1); PyG has none (keep 1).
  double negative_weight = 1.0;
  std::int64_t walks_per_node = 1; ///< per start node per epoch (PyG: 10)
  std::int64_t epochs = 100;
  std::int64_t batch_walks = 128; ///< start nodes per batch
  double learning_rate = 0.01;
  std::uint64_t seed = 0;

  /// papers/graph.md 5.2: dim 128, window 5, 5 negatives, 1 walk per node.
  static SkipGramParams deepwalk();
  /// papers/graph.md 5.3: dim 128, context 10, 1 negative, 10 walks per node.
  static SkipGramParams node2vec();
};

/// The pairs of one batch: positive (center, context) rows and negative
/// ones; `center` indexes the center table, `context` the context table
/// (the same table in the shared style).
struct SkipGramPairs {
  std::vector<std::int32_t> pos_center, pos_context;
  std::vector<std::int32_t> neg_center, neg_context;
  double negative_scale = 1.0; ///< loss = mean_pos + scale * mean_neg
  double score_clamp = 0.0;    ///< |s| clamp before the sigmoid; 0 = none
};

/// The pairs of a batch of walks in `style` (table above); negatives drawn
/// from `rng`. Skips -1 padding. Throws NebenchError when the walks are too
/// short for the window.
SkipGramPairs skip_gram_pairs(const Walks &walks, std::int64_t n,
                              const SkipGramParams &params, Rng &rng);

/// The batch loss (table above) and, when grad_center / grad_context are
/// given, its gradient ADDED into them (n x dim, same shape as the tables).
/// For the shared style pass the one table and one gradient twice.
double skip_gram_loss(const MatrixD &center, const MatrixD &context,
                      const SkipGramPairs &pairs, MatrixD *grad_center,
                      MatrixD *grad_context);

/// torch.optim.SparseAdam on one table: step() updates only `rows`.
class SparseAdam {
public:
  SparseAdam(std::int64_t rows, std::int64_t cols, double learning_rate,
             double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  /// One step of `param` along `grad` on the distinct `rows`.
  void step(MatrixD &param, const MatrixD &grad,
            const std::vector<std::int32_t> &rows);

private:
  MatrixD m_, v_;
  double lr_, beta1_, beta2_, eps_;
  std::int64_t t_ = 0;
};

/// Walks from `starts` (in order), drawing from `rng`: e.g. a lambda around
/// uniform_walks or node2vec_walks with the method's walk length.
using WalkGenerator =
    std::function<Walks(const std::vector<std::int32_t> &starts, Rng &rng)>;
/// Called after each epoch with the mean batch loss and the embedding.
using SkipGramEpochCallback = std::function<void(
    std::int64_t epoch, double mean_loss, const MatrixD &embedding)>;

/// Trains SGNS on walks of `graph` and returns the n x dim embedding (the
/// center table). Throws NebenchError on bad parameters, NumericalError when
/// the loss stops being finite.
MatrixD train_skip_gram(const Csr &graph, const WalkGenerator &walker,
                        const SkipGramParams &params,
                        const SkipGramEpochCallback &on_epoch = {});

} // namespace nebench
