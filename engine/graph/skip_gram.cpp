// Skip-gram with negative sampling on random walks (engine/graph/
// skip_gram.h; papers/graph.md sec. 5.2, 5.3).
#include "engine/graph/skip_gram.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace nebench {
namespace {

/// log(1 + e^x) without overflow; d/dx softplus(x) = sigmoid(x).
double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
double sigmoid(double x) {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x))
                : std::exp(x) / (1.0 + std::exp(x));
}

/// Four partial sums, so that the compiler may vectorise without
/// -ffast-math (a fixed order: results do not depend on the build).
double dot(const double *a, const double *b, std::int64_t d) {
  double s[4] = {0, 0, 0, 0};
  std::int64_t k = 0;
  for (; k + 4 <= d; k += 4)
    for (int l = 0; l < 4; ++l)
      s[l] += a[k + l] * b[k + l];
  for (; k < d; ++k)
    s[0] += a[k] * b[k];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

void add_scaled(double *out, double scale, const double *x, std::int64_t d) {
  for (std::int64_t k = 0; k < d; ++k)
    out[k] += scale * x[k];
}

/// Sum over pairs of softplus(sign * s) (sign -1: positives, +1:
/// negatives), gradient times `weight` added; s clamped as torch.clamp.
double pair_terms(const MatrixD &center, const MatrixD &context,
                  const std::vector<std::int32_t> &cs,
                  const std::vector<std::int32_t> &xs, double sign,
                  double clamp, double weight, MatrixD *grad_center,
                  MatrixD *grad_context) {
  const std::int64_t d = center.cols;
  // Runs of pairs share their center (a DGL center's negatives, a PyG
  // sub-walk's first node): its gradient is summed locally and added once
  // per run, which saves most writes to grad_center.
  std::vector<double> run_grad(static_cast<std::size_t>(d), 0.0);
  auto flush = [&](std::size_t p) {
    if (grad_center != nullptr && p > 0) {
      add_scaled(grad_center->row(cs[p - 1]), 1.0, run_grad.data(), d);
      std::fill(run_grad.begin(), run_grad.end(), 0.0);
    }
  };
  double sum = 0;
  for (std::size_t p = 0; p < cs.size(); ++p) {
    if (p > 0 && cs[p] != cs[p - 1])
      flush(p);
    const double *u = center.row(cs[p]), *v = context.row(xs[p]);
    double s = dot(u, v, d);
    bool flows = true; // torch.clamp passes no gradient outside [-c, c]
    if (clamp > 0 && std::abs(s) > clamp) {
      s = std::copysign(clamp, s);
      flows = false;
    }
    sum += softplus(sign * s);
    if (flows && grad_center != nullptr) {
      const double g = weight * sign * sigmoid(sign * s); // d/ds
      add_scaled(run_grad.data(), g, v, d);
      add_scaled(grad_context->row(xs[p]), g, u, d);
    }
  }
  flush(cs.size());
  return sum;
}

void check_params(const SkipGramParams &p) {
  auto fail = [](const std::string &m) {
    throw NebenchError("skip-gram: " + m);
  };
  if (p.dim < 1)
    fail("dim must be >= 1");
  if (p.window < 1)
    fail("window must be >= 1");
  if (p.style == SkipGramStyle::pyg_node2vec && p.window < 2)
    fail("node2vec context size (window) must be >= 2");
  if (p.negatives < 0 || p.walks_per_node < 1 || p.epochs < 0 ||
      p.batch_walks < 1)
    fail("negatives >= 0, walks_per_node >= 1, epochs >= 0 and batch_walks "
         ">= 1 are required");
  if (!(p.learning_rate > 0) || !(p.negative_weight >= 0))
    fail("learning_rate must be > 0 and negative_weight >= 0");
}

/// Appends the distinct entries of `ids` not yet in `rows` (marks in `seen`).
void collect_rows(const std::vector<std::int32_t> &ids, std::vector<char> &seen,
                  std::vector<std::int32_t> &rows) {
  for (const std::int32_t i : ids)
    if (!seen[i]) {
      seen[i] = 1;
      rows.push_back(i);
    }
}

/// Steps the touched rows, then clears their gradient and marks.
void step_rows(SparseAdam &adam, MatrixD &table, MatrixD &grad,
               std::vector<std::int32_t> &rows, std::vector<char> &seen) {
  adam.step(table, grad, rows);
  for (const std::int32_t r : rows) {
    std::fill(grad.row(r), grad.row(r) + grad.cols, 0.0);
    seen[r] = 0;
  }
  rows.clear();
}

} // namespace

SkipGramParams SkipGramParams::deepwalk() { return SkipGramParams{}; }

SkipGramParams SkipGramParams::node2vec() {
  SkipGramParams p;
  p.style = SkipGramStyle::pyg_node2vec;
  p.window = 10;
  p.negatives = 1;
  p.walks_per_node = 10;
  return p;
}

SkipGramPairs skip_gram_pairs(const Walks &walks, std::int64_t n,
                              const SkipGramParams &params, Rng &rng) {
  const std::int64_t L = walks.walk_length, W = params.window;
  const std::int64_t m = params.negatives;
  SkipGramPairs out;
  if (params.style == SkipGramStyle::dgl_deepwalk) {
    if (L < W + 1) // DGL asserts walk_length >= window_size + 1
      throw NebenchError("DeepWalk: walk_length must be >= window + 1");
    out.negative_scale = static_cast<double>(m) * params.negative_weight;
    out.score_clamp = 6.0;
    std::vector<std::int64_t> positions; // fast_neg draws from these
    for (std::size_t k = 0; k < walks.nodes.size(); ++k)
      if (walks.nodes[k] >= 0)
        positions.push_back(static_cast<std::int64_t>(k));
    for (std::int64_t b = 0; b < walks.count(); ++b) {
      const std::int32_t *w = walks.walk(b);
      for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = std::max<std::int64_t>(0, i - W);
             j <= std::min(L - 1, i + W) && w[i] >= 0; ++j) {
          if (j == i || w[j] < 0)
            continue;
          out.pos_center.push_back(w[j]);
          out.pos_context.push_back(w[i]);
          for (std::int64_t r = 0; r < m; ++r) {
            out.neg_center.push_back(w[i]);
            out.neg_context.push_back(
                walks.nodes[positions[rng.below(positions.size())]]);
          }
        }
    }
    return out;
  }
  // PyG Node2Vec: pos_sample / neg_sample cut walks into every sub-walk of
  // context_size nodes; each sub-walk pairs its first node with the rest.
  if (L < W)
    throw NebenchError("node2vec: walk_length must be >= context size");
  out.negative_scale = params.negative_weight;
  auto add_windows = [&](const std::int32_t *w, std::vector<std::int32_t> &cs,
                         std::vector<std::int32_t> &xs) {
    for (std::int64_t j = 0; j + W <= L; ++j)
      for (std::int64_t k = 1; k < W && w[j] >= 0; ++k)
        if (w[j + k] >= 0) {
          cs.push_back(w[j]);
          xs.push_back(w[j + k]);
        }
  };
  std::vector<std::int32_t> neg_walk(static_cast<std::size_t>(L));
  for (std::int64_t b = 0; b < walks.count(); ++b) {
    add_windows(walks.walk(b), out.pos_center, out.pos_context);
    for (std::int64_t r = 0; r < m; ++r) { // [start, uniform nodes...]
      neg_walk[0] = walks.walk(b)[0];
      for (std::int64_t k = 1; k < L; ++k)
        neg_walk[k] = static_cast<std::int32_t>(rng.below(n));
      add_windows(neg_walk.data(), out.neg_center, out.neg_context);
    }
  }
  return out;
}

double skip_gram_loss(const MatrixD &center, const MatrixD &context,
                      const SkipGramPairs &pairs, MatrixD *grad_center,
                      MatrixD *grad_context) {
  if ((grad_center == nullptr) != (grad_context == nullptr))
    throw NebenchError("skip_gram_loss: give both gradients or neither");
  const double np = static_cast<double>(pairs.pos_center.size());
  const double nn = static_cast<double>(pairs.neg_center.size());
  double loss = 0;
  if (np > 0)
    loss +=
        pair_terms(center, context, pairs.pos_center, pairs.pos_context, -1.0,
                   pairs.score_clamp, 1.0 / np, grad_center, grad_context) /
        np;
  if (nn > 0)
    loss += pairs.negative_scale *
            pair_terms(center, context, pairs.neg_center, pairs.neg_context,
                       1.0, pairs.score_clamp, pairs.negative_scale / nn,
                       grad_center, grad_context) /
            nn;
  return loss;
}

SparseAdam::SparseAdam(std::int64_t rows, std::int64_t cols,
                       double learning_rate, double beta1, double beta2,
                       double eps)
    : m_(rows, cols), v_(rows, cols), lr_(learning_rate), beta1_(beta1),
      beta2_(beta2), eps_(eps) {}

void SparseAdam::step(MatrixD &param, const MatrixD &grad,
                      const std::vector<std::int32_t> &rows) {
  ++t_; // one global step per call, as torch's state['step']
  const double bc1 = 1.0 - std::pow(beta1_, static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(beta2_, static_cast<double>(t_));
  const double step_size = lr_ * std::sqrt(bc2) / bc1;
  for (const std::int32_t r : rows) {
    double *p = param.row(r), *m = m_.row(r), *v = v_.row(r);
    const double *g = grad.row(r);
    for (std::int64_t k = 0; k < param.cols; ++k) {
      m[k] = beta1_ * m[k] + (1 - beta1_) * g[k];
      v[k] = beta2_ * v[k] + (1 - beta2_) * g[k] * g[k];
      p[k] -= step_size * m[k] / (std::sqrt(v[k]) + eps_);
    }
  }
}

MatrixD train_skip_gram(const Csr &graph, const WalkGenerator &walker,
                        const SkipGramParams &params,
                        const SkipGramEpochCallback &on_epoch) {
  check_params(params);
  const std::int64_t n = graph.n, d = params.dim;
  const bool shared = params.style == SkipGramStyle::pyg_node2vec;
  MatrixD center(n, d), context(shared ? 0 : n, d);
  Rng init_rng(params.seed, 0);
  for (double &x : center.data) // DGL: U(-1/dim, 1/dim); PyG: N(0, 1)
    x = shared ? init_rng.normal()
               : (2.0 * init_rng.uniform() - 1.0) / static_cast<double>(d);
  MatrixD grad_center(n, d), grad_context(shared ? 0 : n, d);
  SparseAdam adam_center(n, d, params.learning_rate);
  SparseAdam adam_context(shared ? 0 : n, d, params.learning_rate);
  std::vector<char> seen_center(n, 0), seen_context(n, 0);
  std::vector<std::int32_t> rows_center, rows_context;

  Rng rng(params.seed, 1);
  std::vector<std::int32_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t epoch = 0; epoch < params.epochs; ++epoch) {
    rng.shuffle(order); // DataLoader(shuffle=True) over the nodes
    double total = 0;
    std::int64_t batches = 0;
    for (std::int64_t b0 = 0; b0 < n; b0 += params.batch_walks, ++batches) {
      const std::int64_t b1 = std::min(n, b0 + params.batch_walks);
      std::vector<std::int32_t> starts;
      for (std::int64_t r = 0; r < params.walks_per_node; ++r)
        starts.insert(starts.end(), order.begin() + b0, order.begin() + b1);
      const SkipGramPairs pairs =
          skip_gram_pairs(walker(starts, rng), n, params, rng);
      MatrixD &ctx = shared ? center : context;
      MatrixD &gctx = shared ? grad_center : grad_context;
      const double loss =
          skip_gram_loss(center, ctx, pairs, &grad_center, &gctx);
      if (!std::isfinite(loss))
        throw NumericalError("skip-gram: loss is not finite in epoch " +
                             std::to_string(epoch));
      total += loss;
      std::vector<std::int32_t> &rctx = shared ? rows_center : rows_context;
      std::vector<char> &sctx = shared ? seen_center : seen_context;
      collect_rows(pairs.pos_center, seen_center, rows_center);
      collect_rows(pairs.neg_center, seen_center, rows_center);
      collect_rows(pairs.pos_context, sctx, rctx);
      collect_rows(pairs.neg_context, sctx, rctx);
      step_rows(adam_center, center, grad_center, rows_center, seen_center);
      if (!shared)
        step_rows(adam_context, context, grad_context, rows_context,
                  seen_context);
    }
    if (on_epoch)
      on_epoch(epoch, batches > 0 ? total / batches : 0.0, center);
  }
  return center;
}

} // namespace nebench
