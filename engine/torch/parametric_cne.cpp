#include "engine/torch/parametric_cne.h"
#include "engine/torch/torch_threads.h"

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/cne_batch_sampler.h"
#include "engine/ne/cne_optimizer.h"
#include "engine/ne/method_registry.h"
#include "engine/torch/cne_torch_loss.h"
#include "engine/torch/torch_device.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>

namespace nebench {

ParametricCneParams ParametricCneParams::from_spec(const SpecNode &node) {
  ParametricCneParams p;
  p.cne = CneParams::read_shared(node);
  if (!node.boolean("parametric", false))
    node.fail_at("parametric", "must be true for parametric CNE");
  if (node.has("learning_rate"))
    node.fail_at("learning_rate",
                 "not for \"parametric\": true (the MLP's Adam learning rate "
                 "is optimizer_lr)");
  if (node.has("init"))
    node.fail_at("init", "not for \"parametric\": true (the embedding is the "
                         "MLP's output; it has no initial layout)");
  if (node.has("hidden")) {
    p.hidden.clear();
    for (std::int64_t w : node.integers("hidden", Range::closed(1, 1e5), true))
      p.hidden.push_back(static_cast<int>(w));
  }
  p.optimizer_lr = node.number("optimizer_lr", 1e-3, Range::positive());
  p.torch_threads = static_cast<int>(
      node.integer("torch_threads", 1, Range::closed(0, 4096)));
  node.finish();
  return p;
}

torch::nn::Sequential make_cne_mlp(std::int64_t in_dim,
                                   const std::vector<int> &hidden,
                                   std::int64_t out_dim) {
  torch::nn::Sequential net;
  std::int64_t width = in_dim;
  for (int h : hidden) {
    net->push_back(torch::nn::Linear(width, h));
    net->push_back(torch::nn::ReLU());
    width = h;
  }
  net->push_back(torch::nn::Linear(width, out_dim));
  return net;
}

ParametricCneMethod::ParametricCneMethod(ParametricCneParams params)
    : params_(std::move(params)) {
  const CneParams &c = params_.cne;
  if (c.k < 1 || c.dim < 1)
    throw NebenchError("parametric CNE: k and dim must be >= 1");
  if (c.loss == CneLossType::nce && c.early_epochs > 0)
    throw NebenchError("parametric CNE: no early phase with loss nce");
  if (c.loss == CneLossType::neg && !c.c && !c.zbar && !c.zbar_from)
    throw NebenchError("parametric CNE: loss neg needs c or zbar");
  if (!(params_.optimizer_lr > 0) || !(params_.clip > 0))
    throw NebenchError("parametric CNE: optimizer_lr and clip must be > 0");
  for (int h : params_.hidden)
    if (h < 1)
      throw NebenchError("parametric CNE: hidden widths must be >= 1");
}

double ParametricCneMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  const CneParams &c = params_.cne;
  // As the native method: the binary graph, the edges and the sampler's
  // copies (up to 2nk directed edges); f(X) in float and the output in
  // double; the batch's activations (2b rows through the widest layer, with
  // gradients). The data copy (n x d floats) is not known here; the runner
  // accounts for the data itself.
  const double edges = 2.0 * nd * c.k * (12.0 + 8.0 + 8.0 + 16.0);
  const double layout = nd * c.dim * (4.0 + 8.0 + 8.0);
  int widest = c.dim;
  for (int h : params_.hidden)
    widest = std::max(widest, h);
  const double b = c.batch_size;
  const double batch = 2.0 * b * widest * 4.0 * 2.0 *
                           static_cast<double>(params_.hidden.size() + 1) +
                       b * (16.0 + 8.0 * c.negatives);
  return edges + layout + batch + (16 << 20);
}

namespace {

/// The target loss of the main phase (the switch of CneMethod::run).
CneLossConfig main_loss(const CneParams &p, std::int64_t n,
                        const RunContext &ctx) {
  switch (p.loss) {
  case CneLossType::neg: {
    NegLoss l;
    l.c = p.resolved_c(n, &ctx);
    l.eps = p.eps;
    l.clamp_low = p.clamp_low;
    return l;
  }
  case CneLossType::nce: {
    NceLoss l;
    l.negatives = p.negatives;
    l.log_z = p.log_z_init;
    l.eps = p.eps;
    l.clamp_low = p.clamp_low;
    return l;
  }
  case CneLossType::infonce: {
    InfoNceLoss l;
    l.rho = p.rho;
    l.scale = p.loss_scale;
    l.eps = p.eps;
    l.clamp_low = p.clamp_low;
    return l;
  }
  case CneLossType::umap:
    break;
  }
  UmapLoss l;
  l.eps = p.eps;
  l.clamp_low = p.clamp_low;
  return l;
}

/// f(X) for all points, in chunks, without autograd, as doubles.
MatrixD embed_all(torch::nn::Sequential &net, const torch::Tensor &X) {
  torch::NoGradGuard no_grad;
  const std::int64_t n = X.size(0), chunk = 65536;
  std::vector<torch::Tensor> parts;
  for (std::int64_t s = 0; s < n; s += chunk)
    parts.push_back(net->forward(X.narrow(0, s, std::min(chunk, n - s))));
  const torch::Tensor Y =
      torch::cat(parts, 0).to(torch::kCPU, torch::kFloat64).contiguous();
  MatrixD out(n, Y.size(1));
  std::copy(Y.data_ptr<double>(), Y.data_ptr<double>() + Y.numel(),
            out.data.begin());
  return out;
}

double norm_mean(const MatrixD &Y) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    double s = 0.0;
    for (std::int64_t d = 0; d < Y.cols; ++d)
      s += Y(i, d) * Y(i, d);
    sum += std::sqrt(s);
  }
  return sum / static_cast<double>(Y.rows);
}

bool all_finite(const MatrixD &Y) {
  return std::all_of(Y.data.begin(), Y.data.end(),
                     [](double v) { return std::isfinite(v); });
}

/// Trace column "c" as CneOptimizer::push_c: present once a phase has a
/// NEG c; NaN in the rows of phases without one.
void push_c(Trace &trace, double c) {
  if (std::isnan(c) && !trace.columns.count("c"))
    return;
  auto &col = trace.columns["c"];
  col.resize(trace.columns.at("epoch").size() - 1,
             std::numeric_limits<double>::quiet_NaN());
  col.push_back(c);
}

} // namespace

MethodOutput ParametricCneMethod::run(const Problem &problem,
                                      const RunContext &ctx) {
  const CneParams &p = params_.cne;
  if (!problem.graph)
    throw NebenchError("parametric CNE: the problem has no kNN graph");
  const KnnGraph &knn = *problem.graph;
  const std::int64_t n = knn.n;
  if (!problem.X || problem.X->rows != n)
    throw NebenchError("parametric CNE needs the data matrix with one row "
                       "per graph node");
  if (p.k > knn.k)
    throw NebenchError("parametric CNE: needs k = " + std::to_string(p.k) +
                       " neighbours but the shared kNN graph has k = " +
                       std::to_string(knn.k) + " (raise graph.knn.k)");
  const auto start = std::chrono::steady_clock::now();
  MethodOutput out;
  out.affinities = binary_knn_graph(knn, p.k);
  ctx.check();

  const torch::Device device = method_torch_device("parametric CNE");
  const TorchThreadsScope threads(params_.torch_threads);
  const Matrix &X = *problem.X;
  const torch::Tensor Xt =
      torch::from_blob(const_cast<float *>(X.data.data()), {n, X.cols},
                       torch::kFloat32)
          .to(device, /*non_blocking=*/false, /*copy=*/true);
  // The network's initialization is the run's only torch randomness.
  torch::manual_seed(ctx.seed);
  torch::nn::Sequential net = make_cne_mlp(X.cols, params_.hidden, p.dim);
  net->to(device);
  const auto fopt =
      torch::TensorOptions().dtype(torch::kFloat32).device(device);

  const CneEdges edges = cne_directed_edges(*out.affinities);
  CneBatchSampler sampler(edges, p.batch_size, p.negatives);
  CneBatch batch = sampler.make_batch();
  const int batch_capacity =
      static_cast<int>(std::min<std::int64_t>(p.batch_size, edges.size()));

  struct Phase {
    CneLossConfig loss;
    int epochs;
  };
  std::vector<Phase> phases;
  if (p.early_epochs > 0) {
    // The paper's early phase: Neg-t-SNE at c = 1 (CneMethod::run).
    NegLoss early;
    early.c = 1.0;
    early.eps = p.eps;
    early.clamp_low = p.clamp_low;
    phases.push_back({early, p.early_epochs});
  }
  phases.push_back({main_loss(p, n, ctx), p.epochs});
  const int phase_offset = p.early_epochs > 0 ? 0 : 1; // index 1 = target
  const int total_epochs = p.early_epochs + p.epochs;

  int done = 0;
  const std::string label = "parametric CNE " + to_string(p.loss);
  for (std::size_t ph = 0; ph < phases.size(); ++ph) {
    CneLossConfig &loss = phases[ph].loss;
    const int phase_index = static_cast<int>(ph) + phase_offset;
    const int E = phases[ph].epochs;
    auto *nce = std::get_if<NceLoss>(&loss);
    torch::Tensor log_z;
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(
        net->parameters(),
        std::make_unique<torch::optim::AdamOptions>(params_.optimizer_lr));
    if (nce) {
      log_z = torch::full({}, nce->log_z, fopt).requires_grad_(true);
      groups.emplace_back(
          std::vector<torch::Tensor>{log_z},
          std::make_unique<torch::optim::AdamOptions>(p.log_z_learning_rate));
    }
    torch::optim::Adam adam(groups,
                            torch::optim::AdamOptions(params_.optimizer_lr));
    for (int e = 0; e < E; ++e) {
      ctx.check();
      const double lr = params_.optimizer_lr *
                        (1.0 - static_cast<double>(e) / static_cast<double>(E));
      static_cast<torch::optim::AdamOptions &>(adam.param_groups()[0].options())
          .lr(lr);
      Rng rng(ctx.seed, cne_stream(phase_index, e));
      sampler.start_epoch(rng);
      torch::Tensor total = torch::zeros({}, fopt.dtype(torch::kFloat64));
      for (std::int64_t bi = 0; bi < sampler.batches(); ++bi) {
        sampler.fill(bi, batch);
        const torch::Tensor points = cne_batch_points(batch).to(device);
        const torch::Tensor negatives =
            cne_batch_negative_rows(batch).to(device);
        adam.zero_grad();
        const torch::Tensor Y_rows = net->forward(Xt.index_select(0, points));
        const torch::Tensor l =
            cne_torch_batch_loss(loss, Y_rows, negatives, log_z);
        l.backward();
        torch::nn::utils::clip_grad_value_(net->parameters(), params_.clip);
        if (nce)
          torch::nn::utils::clip_grad_value_(log_z, params_.clip);
        adam.step();
        // Accumulated on the device: one synchronisation per epoch.
        total += l.detach().to(torch::kFloat64);
      }
      if (nce)
        nce->log_z = log_z.item<double>();
      const double sum = total.item<double>();
      ++done;
      if (!std::isfinite(sum))
        throw NumericalError("parametric CNE: epoch " + std::to_string(done) +
                             ": the loss is " + std::to_string(sum));
      const bool logged = e == 0 || e + 1 == E || done % p.log_every == 0;
      if (logged) {
        const MatrixD Y = embed_all(net, Xt);
        if (!all_finite(Y))
          throw NumericalError("parametric CNE: epoch " + std::to_string(done) +
                               ": the embedding contains NaN or Inf");
        out.trace.push("epoch", done);
        out.trace.push("phase", phase_index);
        out.trace.push("loss", sum / static_cast<double>(edges.size()));
        out.trace.push("lr", lr);
        out.trace.push("norm_mean", norm_mean(Y));
        if (nce) {
          out.trace.push("log_z", nce->log_z);
          out.trace.push("zbar", cne_zbar_from_log_z(nce->log_z, n));
        }
        push_c(out.trace, cne_neg_c(loss, batch_capacity));
        out.trace.push("seconds", std::chrono::duration<double>(
                                      std::chrono::steady_clock::now() - start)
                                      .count());
      }
      ctx.report(done, total_epochs, label);
    }
  }
  out.embedding = embed_all(net, Xt);
  if (!all_finite(out.embedding))
    throw NumericalError("parametric CNE: the embedding contains NaN or Inf");
  return out;
}

} // namespace nebench
