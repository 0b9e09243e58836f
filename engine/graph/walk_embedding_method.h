#pragma once
// DeepWalk and node2vec as spec methods ({"type": "deepwalk"} and {"type":
// "node2vec"}): skip-gram with negative sampling (engine/graph/skip_gram.h)
// on random walks over the problem's input graph (engine/graph/
// random_walks.h), the 128-D baselines of the graph paper (Böhm, Keute et
// al., TMLR 2025; papers/graph.md sec. 5.2, 5.3). Defaults are the
// references':
//   deepwalk  walk_length 40, window 5, 5 negatives, 1 walk per node and
//             epoch (dgl.nn.DeepWalk), uniform walks;
//   node2vec  walk_length 20, window (context_size) 10, 1 negative walk, 10
//             walks per node (torch_geometric.nn.Node2Vec), biased walks with
//             return parameter p and in-out parameter q (the paper's grid
//             {0.25, 0.5, 1, 2, 4}^2; the best pair by recall is reported).
// Both: dim 128, batches of 128 start nodes, SparseAdam lr 0.01, 100 epochs.
// The embedding is evaluated with the cosine metric (graph.md sec. 3).

#include "engine/core/spec_node.h"
#include "engine/graph/skip_gram.h"
#include "engine/ne/method.h"

#include <string>

namespace nebench {

struct WalkEmbeddingParams {
  std::string type = "deepwalk"; ///< "deepwalk" or "node2vec"
  SkipGramParams skip_gram = SkipGramParams::deepwalk();
  std::int64_t walk_length = 40;
  /// node2vec's return (p) and in-out (q) parameters; 1, 1 = uniform walks.
  double p = 1.0, q = 1.0;
  /// Log the loss every this many epochs (and at the last).
  int log_every = 10;

  /// Strict parse of the method node (keys: dim, walk_length, window,
  /// negatives, walks_per_node, epochs, batch_walks, learning_rate,
  /// log_every; node2vec also p and q). SpecError naming the JSON path.
  static WalkEmbeddingParams from_spec(const SpecNode &method_node);
};

class WalkEmbeddingMethod : public Method {
public:
  explicit WalkEmbeddingMethod(WalkEmbeddingParams params);
  std::string type() const override { return params_.type; }
  int neighbors_needed() const override { return 0; }
  bool needs_input_graph() const override { return true; }
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding n x dim (the center table); trace per logged epoch: epoch,
  /// loss, seconds. Throws NebenchError without an input graph.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const WalkEmbeddingParams &params() const { return params_; }

private:
  WalkEmbeddingParams params_;
};

} // namespace nebench
