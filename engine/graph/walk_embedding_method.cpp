#include "engine/graph/walk_embedding_method.h"

#include "engine/core/errors.h"
#include "engine/graph/random_walks.h"

#include <chrono>
#include <utility>

namespace nebench {

WalkEmbeddingParams WalkEmbeddingParams::from_spec(const SpecNode &node) {
  WalkEmbeddingParams p;
  p.type = node.string("type", std::nullopt, {"deepwalk", "node2vec"});
  const bool n2v = p.type == "node2vec";
  p.skip_gram = n2v ? SkipGramParams::node2vec() : SkipGramParams::deepwalk();
  p.walk_length = n2v ? 20 : 40;
  SkipGramParams &s = p.skip_gram;
  s.dim = node.integer("dim", s.dim, Range::closed(1, 1e5));
  p.walk_length =
      node.integer("walk_length", p.walk_length, Range::closed(2, 1e6));
  s.window = node.integer("window", s.window, Range::closed(1, 1e6));
  if (n2v && s.window > p.walk_length)
    node.fail_at("window", "the context size must not exceed walk_length (" +
                               std::to_string(p.walk_length) + ")");
  if (!n2v && s.window + 1 > p.walk_length)
    node.fail_at("window", "must be below walk_length (" +
                               std::to_string(p.walk_length) +
                               "): a window of w needs walks of w + 1 nodes");
  s.negatives = node.integer("negatives", s.negatives, Range::closed(1, 1e4));
  s.walks_per_node =
      node.integer("walks_per_node", s.walks_per_node, Range::closed(1, 1e4));
  s.epochs = node.integer("epochs", s.epochs, Range::closed(1, 1e7));
  s.batch_walks =
      node.integer("batch_walks", s.batch_walks, Range::closed(1, 1e9));
  s.learning_rate =
      node.number("learning_rate", s.learning_rate, Range::positive());
  if (n2v) {
    p.p = node.number("p", 1.0, Range::positive());
    p.q = node.number("q", 1.0, Range::positive());
  }
  p.log_every =
      static_cast<int>(node.integer("log_every", 10, Range::closed(1, 1e9)));
  node.finish();
  return p;
}

WalkEmbeddingMethod::WalkEmbeddingMethod(WalkEmbeddingParams params)
    : params_(std::move(params)) {}

double WalkEmbeddingMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  const double dim = static_cast<double>(params_.skip_gram.dim);
  // DeepWalk: two tables, each with its gradient and Adam's two moments;
  // node2vec: one shared table. Doubles; a batch's walks and pairs are
  // small.
  const double tables = params_.type == "deepwalk" ? 8.0 : 4.0;
  return tables * nd * dim * 8.0 + (1 << 22);
}

MethodOutput WalkEmbeddingMethod::run(const Problem &problem,
                                      const RunContext &ctx) {
  if (!problem.adjacency || problem.adjacency->n < 2)
    throw NebenchError(params_.type + ": the problem has no input graph");
  const Csr &graph = *problem.adjacency;
  SkipGramParams sg = params_.skip_gram;
  sg.seed = ctx.seed;
  const std::int64_t length = params_.walk_length;
  WalkGenerator walker;
  if (params_.type == "node2vec")
    walker = [&graph, length, p = params_.p, q = params_.q](
                 const std::vector<std::int32_t> &starts, Rng &rng) {
      return node2vec_walks(graph, starts, length, p, q, rng);
    };
  else
    walker = [&graph, length](const std::vector<std::int32_t> &starts,
                              Rng &rng) {
      return uniform_walks(graph, starts, length, rng);
    };

  MethodOutput out;
  const auto start = std::chrono::steady_clock::now();
  const auto on_epoch = [&](std::int64_t index, double loss, const MatrixD &) {
    const std::int64_t epoch = index + 1; // the trainer counts from 0
    ctx.check();
    ctx.report(epoch, sg.epochs, params_.type);
    if (epoch % params_.log_every != 0 && epoch != sg.epochs)
      return;
    out.trace.push("epoch", static_cast<double>(epoch));
    out.trace.push("loss", loss);
    out.trace.push("seconds", std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start)
                                  .count());
  };
  out.embedding = train_skip_gram(graph, walker, sg, on_epoch);
  return out;
}

} // namespace nebench
