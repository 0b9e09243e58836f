#include "engine/torch/graph_cne_method.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/init/initialization.h"
#include "engine/torch/image/contrastive_losses.h"
#include "engine/torch/image/warmup_cosine_lr.h"
#include "engine/torch/torch_device.h"
#include "engine/torch/torch_threads.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace nebench {

GraphCneParams GraphCneParams::from_spec(const SpecNode &node) {
  GraphCneParams p;
  p.dim = static_cast<int>(node.integer("dim", p.dim, Range::closed(1, 1e5)));
  p.temperature = node.number("temperature", p.temperature, Range::positive());
  p.loss = node.string("loss", p.loss, {"cosine", "cauchy"});
  p.epochs =
      static_cast<int>(node.integer("epochs", p.epochs, Range::closed(1, 1e6)));
  p.batch_size =
      node.integer("batch_size", p.batch_size, Range::closed(0, 1e9));
  if (p.batch_size == 1)
    node.fail_at("batch_size", "must be 0 (the paper's min(nnz / 10, 8192)) "
                               "or at least 2 (in-batch negatives need a "
                               "second pair)");
  p.learning_rate =
      node.number("learning_rate", p.learning_rate, Range::positive());
  p.init_noise = node.number("init_noise", p.init_noise, Range::at_least(0.0));
  p.torch_threads = static_cast<int>(
      node.integer("torch_threads", p.torch_threads, Range::closed(0, 4096)));
  node.finish();
  return p;
}

std::int64_t graph_cne_batch_size(std::int64_t nnz, std::int64_t requested) {
  if (nnz < 2)
    throw NebenchError("graph_cne: the input graph has " + std::to_string(nnz) +
                       " stored entries; at least one edge (2 entries) is "
                       "needed");
  // sec. 2: min(nnz // 10, 8192), about 10 steps per epoch on small graphs.
  const std::int64_t b =
      requested > 0 ? requested
                    : std::min<std::int64_t>(nnz / 10, std::int64_t{8192});
  return std::min(std::max<std::int64_t>(b, 2), nnz);
}

double graph_cne_lr(double base_lr, std::int64_t total_steps,
                    std::int64_t step) {
  if (total_steps > std::numeric_limits<int>::max() - 1)
    throw NebenchError("graph_cne: too many steps (" +
                       std::to_string(total_steps) + ")");
  // The reference (tsimcne PLtSimCNE) steps lrschedule.py's cosine table
  // once per batch; warmup_cosine_lr is that table with epochs = steps.
  return warmup_cosine_lr(base_lr, static_cast<int>(total_steps), 0,
                          static_cast<int>(step));
}

torch::Tensor graph_cne_batch_loss(const torch::Tensor &table,
                                   const torch::Tensor &first,
                                   const torch::Tensor &second,
                                   const std::string &loss,
                                   double temperature) {
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw NebenchError("graph_cne: the temperature must be > 0, got " +
                       std::to_string(temperature));
  const torch::Tensor a = table.index_select(0, first);
  const torch::Tensor c = table.index_select(0, second);
  if (loss == "cosine")
    return infonce_cosine(a, c, temperature);
  if (loss == "cauchy") {
    // -log(1 + 2 tau d^2) = -log(1 + |sqrt(2 tau) u - sqrt(2 tau) v|^2):
    // t-SimCNE's Cauchy InfoNCE on the scaled rows.
    const double scale = std::sqrt(2.0 * temperature);
    return infonce_cauchy(a * scale, c * scale);
  }
  throw NebenchError("graph_cne: unknown loss \"" + loss +
                     "\" (cosine or cauchy)");
}

GraphCneMethod::GraphCneMethod(GraphCneParams params)
    : params_(std::move(params)) {
  if (params_.dim < 1 || params_.epochs < 1 || params_.batch_size < 0 ||
      params_.batch_size == 1 || params_.torch_threads < 0)
    throw NebenchError("graph_cne: dim and epochs must be >= 1, batch_size 0 "
                       "or >= 2, torch_threads >= 0");
  if (!(params_.temperature > 0) || !(params_.learning_rate > 0) ||
      !(params_.init_noise >= 0))
    throw NebenchError("graph_cne: temperature and learning_rate must be > 0, "
                       "init_noise >= 0");
  if (params_.loss != "cosine" && params_.loss != "cauchy")
    throw NebenchError("graph_cne: unknown loss \"" + params_.loss +
                       "\" (cosine or cauchy)");
}

double GraphCneMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  const double d = params_.dim;
  // Table, gradient, Adam's exp_avg, exp_avg_sq and max_exp_avg_sq (float);
  // init and output (double).
  const double table = nd * d * (5.0 * 4.0 + 2.0 * 8.0);
  // Spectra's Lanczos basis of ncv = max(2 dim + 1, 20) vectors (double).
  const double lanczos = nd * std::max(2.0 * d + 1.0, 20.0) * 8.0;
  // Pairs: about 20 stored entries per node (kNN graphs at k = 15 after
  // symmetrization; the citation graphs have fewer), as int64 pairs and the
  // permutation.
  const double nnz = 20.0 * nd;
  const double pairs = nnz * 3.0 * 8.0;
  // The batch: about six 2b x 2b float matrices (similarities, masked copy,
  // softmax for the backward, their gradients) and the 2b x dim rows.
  const double b = params_.batch_size > 0
                       ? static_cast<double>(params_.batch_size)
                       : std::min(std::floor(nnz / 10.0), 8192.0);
  const double batch = 6.0 * 4.0 * (2.0 * b) * (2.0 * b) + 8.0 * 4.0 * b * d;
  return table + lanczos + pairs + batch;
}

namespace {

/// The start of the table (sec. 2): the unscaled spectral embedding plus
/// N(0, noise^2), or N(0, 1) when the graph has fewer than dim nontrivial
/// eigenvectors (dim > n - 2).
MatrixD initial_table(const Csr &adjacency, const GraphCneParams &p,
                      std::uint64_t seed) {
  Rng rng(seed, /*stream=*/1);
  if (p.dim > adjacency.n - 2) {
    MatrixD Y(adjacency.n, p.dim);
    for (double &v : Y.data)
      v = rng.normal();
    return Y;
  }
  MatrixD Y;
  try {
    Y = spectral_init(adjacency, p.dim, 0.0);
  } catch (const NumericalError &e) {
    throw NumericalError(std::string("graph_cne: spectral init: ") + e.what() +
                         " (graph CNE expects a connected graph, as the "
                         "paper's largest connected components)");
  }
  if (p.init_noise > 0)
    for (double &v : Y.data)
      v += p.init_noise * rng.normal();
  return Y;
}

} // namespace

MethodOutput GraphCneMethod::run(const Problem &problem,
                                 const RunContext &ctx) {
  if (!problem.adjacency || problem.adjacency->n == 0)
    throw NebenchError("graph_cne: the problem has no input graph (a graph "
                       "dataset, or point data with a kNN graph)");
  const Csr &A = *problem.adjacency;
  if (A.n < 2 || static_cast<std::int64_t>(A.indptr.size()) != A.n + 1)
    throw NebenchError("graph_cne: the input graph must have at least 2 "
                       "nodes, got " +
                       std::to_string(A.n));
  const std::int64_t nnz = A.nnz();
  const std::int64_t b = graph_cne_batch_size(nnz, params_.batch_size);
  const std::int64_t steps_per_epoch = nnz / b; // drop_last
  const std::int64_t total_steps = steps_per_epoch * params_.epochs;
  ctx.check();

  const TorchThreadsScope threads(params_.torch_threads);
  const torch::Device device = method_torch_device("graph_cne");

  // Positive pairs: every stored (i, j), i.e. both directions of each edge.
  std::vector<std::int64_t> rows(static_cast<std::size_t>(nnz)),
      cols(static_cast<std::size_t>(nnz));
  for (std::int64_t i = 0; i < A.n; ++i)
    for (std::int64_t p = A.row_begin(i); p < A.row_end(i); ++p) {
      rows[p] = i;
      cols[p] = A.indices[p];
    }
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  const torch::Tensor pair_first =
      torch::from_blob(rows.data(), {nnz}, i64).to(device, false, true);
  const torch::Tensor pair_second =
      torch::from_blob(cols.data(), {nnz}, i64).to(device, false, true);

  const MatrixD init = initial_table(A, params_, ctx.seed);
  torch::Tensor table =
      torch::from_blob(const_cast<double *>(init.data.data()),
                       {init.rows, init.cols}, torch::kFloat64)
          .to(device, torch::kFloat32, false, true)
          .set_requires_grad(true);
  torch::optim::Adam adam({table},
                          torch::optim::AdamOptions(params_.learning_rate)
                              .amsgrad(true)
                              .weight_decay(0.0));

  Rng shuffle_rng(ctx.seed, /*stream=*/2);
  std::vector<std::int64_t> order(static_cast<std::size_t>(nnz));
  std::iota(order.begin(), order.end(), std::int64_t{0});

  MethodOutput out;
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t step = 0;
  for (int epoch = 0; epoch < params_.epochs; ++epoch) {
    shuffle_rng.shuffle(order);
    const torch::Tensor perm =
        torch::from_blob(order.data(), {nnz}, i64).to(device, false, true);
    double loss_sum = 0.0, lr = 0.0;
    for (std::int64_t s = 0; s < steps_per_epoch; ++s, ++step) {
      ctx.check();
      const torch::Tensor idx = perm.narrow(0, s * b, b);
      const torch::Tensor loss = graph_cne_batch_loss(
          table, pair_first.index_select(0, idx),
          pair_second.index_select(0, idx), params_.loss, params_.temperature);
      const double value = loss.item<double>();
      if (!std::isfinite(value))
        throw NumericalError("graph_cne: non-finite loss at epoch " +
                             std::to_string(epoch + 1) + ", step " +
                             std::to_string(s + 1));
      loss_sum += value;
      adam.zero_grad();
      loss.backward();
      // Cosine annealing per step (sec. 2), set by hand on the one group.
      lr = graph_cne_lr(params_.learning_rate, total_steps, step);
      static_cast<torch::optim::AdamOptions &>(adam.param_groups()[0].options())
          .lr(lr);
      adam.step();
    }
    double norm_mean;
    {
      const torch::NoGradGuard no_grad;
      norm_mean = table.norm(2, 1).mean().item<double>();
    }
    out.trace.push("epoch", epoch + 1);
    out.trace.push("loss", loss_sum / static_cast<double>(steps_per_epoch));
    out.trace.push("lr", lr);
    out.trace.push("norm_mean", norm_mean);
    out.trace.push("seconds", std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count());
    ctx.report(epoch + 1, params_.epochs, "epochs");
  }

  const torch::Tensor result =
      table.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  out.embedding = MatrixD(result.size(0), result.size(1));
  std::memcpy(out.embedding.data.data(), result.data_ptr<double>(),
              out.embedding.data.size() * sizeof(double));
  return out;
}

} // namespace nebench
