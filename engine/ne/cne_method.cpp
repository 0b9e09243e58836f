#include "engine/ne/cne_method.h"

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/init/initialization.h"
#include "engine/ne/cne_optimizer.h"

#include <cmath>
#include <string>
#include <utility>

namespace nebench {

namespace {

CneLossType parse_loss(const std::string &s) {
  if (s == "neg")
    return CneLossType::neg;
  if (s == "nce")
    return CneLossType::nce;
  if (s == "umap")
    return CneLossType::umap;
  return CneLossType::infonce;
}

} // namespace

double CneParams::resolved_c(std::int64_t n, const RunContext *ctx) const {
  if (c)
    return *c;
  if (zbar)
    return cne_c_from_zbar(*zbar, negatives, n);
  if (zbar_from) {
    if (!ctx)
      throw NebenchError("CNE: zbar comes from run " + zbar_from->run +
                         ", which needs the run context");
    const double z = ctx->earlier_run_value(zbar_from->run, zbar_from->column);
    if (!(z > 0) || !std::isfinite(z))
      throw NebenchError("CNE: zbar from run " + zbar_from->run + " (" +
                         zbar_from->column + " = " + std::to_string(z) +
                         ") must be positive and finite");
    return cne_c_from_zbar(z, negatives, n);
  }
  throw NebenchError("CNE: loss neg needs c or zbar");
}

CneParams CneParams::from_spec(const SpecNode &node) {
  CneParams p = read_shared(node);
  // make_method() sends "parametric": true to engine/torch; here it can only
  // come from a direct call.
  if (node.boolean("parametric", false))
    node.fail_at("parametric", "parametric CNE is built by make_method() "
                               "(engine/torch), not by CneParams");
  for (const char *key : {"hidden", "optimizer_lr"})
    if (node.has(key))
      node.fail_at(key, "only for \"parametric\": true");
  p.learning_rate = node.number("learning_rate", 1.0, Range::positive());
  p.batch_threads = static_cast<int>(
      node.integer("batch_threads", 1, Range::closed(0, 4096)));
  if (auto i = node.optional_child("init")) {
    p.init.type = i->string("type", std::string("pca"), {"pca", "random"});
    p.init.std = i->number("std", 1.0, Range::positive());
    i->finish();
  }
  node.finish();
  return p;
}

CneParams CneParams::read_shared(const SpecNode &node) {
  CneParams p;
  node.string("type", std::string("cne"), {"cne"});
  p.loss = parse_loss(node.string("loss", std::string("infonce"),
                                  {"neg", "nce", "infonce", "umap"}));
  const std::string loss = to_string(p.loss);
  p.k = static_cast<int>(node.integer("k", 15, Range::closed(1, 10000)));
  p.negatives =
      static_cast<int>(node.integer("negatives", 5, Range::closed(1, 1e6)));
  p.batch_size = static_cast<int>(
      node.integer("batch_size", 1024, Range::closed(1, 1 << 26)));
  p.early_epochs =
      static_cast<int>(node.integer("early_epochs", 0, Range::closed(0, 1e8)));
  if (p.loss == CneLossType::nce && p.early_epochs > 0)
    node.fail_at("early_epochs",
                 "must be 0 for loss nce (the paper disables the early "
                 "Neg-t-SNE phase for NCE: Z is learned from the start)");
  p.epochs = static_cast<int>(node.integer(
      "epochs", p.early_epochs > 0 ? 500 : 750, Range::closed(1, 1e8)));

  // Keys that belong to one loss only.
  auto only_for = [&](const char *key, CneLossType owner) {
    if (node.has(key) && p.loss != owner)
      node.fail_at(key, "only for loss " + to_string(owner) + " (loss is " +
                            loss + ")");
  };
  for (const char *key : {"c", "zbar"})
    only_for(key, CneLossType::neg);
  for (const char *key : {"rho", "loss_scale"})
    only_for(key, CneLossType::infonce);
  for (const char *key : {"log_z_learning_rate", "log_z_init"})
    only_for(key, CneLossType::nce);

  if (p.loss == CneLossType::neg) {
    const bool has_c = node.has("c"), has_zbar = node.has("zbar");
    if (has_c && has_zbar)
      node.fail_at("zbar", "give either c or zbar, not both");
    if (!has_c && !has_zbar)
      node.fail("loss neg needs c (c = 1: plain negative sampling) or zbar "
                "(the fixed normaliser, c = m zbar / n^2)");
    if (has_c)
      p.c = node.number("c", std::nullopt, Range::positive());
    else if (node.child("zbar").is_object())
      p.zbar_from = RunValueRef::from_spec(node, "zbar");
    else
      p.zbar = node.number("zbar", std::nullopt, Range::positive());
  }
  if (p.loss == CneLossType::infonce) {
    p.rho = node.number("rho", 1.0, Range::positive());
    p.loss_scale = node.number("loss_scale", 0.5, Range::positive());
  }
  if (p.loss == CneLossType::nce) {
    p.log_z_learning_rate =
        node.number("log_z_learning_rate", 1e-3, Range::at_least(0.0));
    p.log_z_init = node.number("log_z_init", 0.0, Range::closed(-700, 700));
  }
  p.eps = node.number("eps", 1.0, Range::at_least(0.0));
  p.clamp_low = node.number("clamp_low", 1e-10, Range{0.0, 1.0, true, true});
  p.dim = static_cast<int>(node.integer("dim", 2, Range::closed(1, 256)));
  p.log_every =
      static_cast<int>(node.integer("log_every", 50, Range::closed(1, 1e9)));
  return p;
}

CneMethod::CneMethod(CneParams params) : params_(std::move(params)) {
  if (params_.k < 1)
    throw NebenchError("CNE: k must be >= 1");
  if (params_.dim < 1)
    throw NebenchError("CNE: dim must be >= 1");
  if (params_.loss == CneLossType::nce && params_.early_epochs > 0)
    throw NebenchError("CNE: no early phase with loss nce");
  if (params_.loss == CneLossType::neg && !params_.c && !params_.zbar &&
      !params_.zbar_from)
    throw NebenchError("CNE: loss neg needs c or zbar");
}

double CneMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  // Up to 2nk directed edges: the binary graph (12 bytes each, plus 8 while
  // it is built), the optimizer's heads and tails (8), the sampler's copy
  // and its shuffled order (8 each).
  const double edges = 2.0 * nd * params_.k * (12.0 + 8.0 + 8.0 + 16.0);
  // Init, embedding, gradient table and output (doubles).
  const double layout = 4.0 * nd * params_.dim * 8.0;
  // Batch: points, negative rows, row gradients.
  const double b = params_.batch_size;
  const double batch = b * (8.0 + 4.0 * params_.negatives + 16.0 * params_.dim);
  return edges + layout + batch + (1 << 20);
}

MethodOutput CneMethod::run(const Problem &problem, const RunContext &ctx) {
  if (!problem.graph)
    throw NebenchError("CNE: the problem has no kNN graph");
  const KnnGraph &knn = *problem.graph;
  const std::int64_t n = knn.n;
  if (params_.k > knn.k)
    throw NebenchError("CNE: needs k = " + std::to_string(params_.k) +
                       " neighbours but the shared kNN graph has k = " +
                       std::to_string(knn.k) + " (raise graph.knn.k)");
  MethodOutput out;
  out.affinities = binary_knn_graph(knn, params_.k);
  ctx.check();

  MatrixD Y;
  if (params_.init.type == "pca") {
    if (!problem.X || problem.X->rows != n)
      throw NebenchError("CNE: PCA initialization needs the data matrix "
                         "with one row per graph node");
    if (params_.dim > problem.X->cols)
      throw NebenchError("CNE: PCA initialization needs dim <= " +
                         std::to_string(problem.X->cols) +
                         " (the data's dimension)");
    Y = pca_init(*problem.X, params_.dim, params_.init.std);
  } else {
    Y = random_init(n, params_.dim, params_.init.std, ctx.seed);
  }

  CneOptimizerParams op;
  op.batch_size = params_.batch_size;
  op.negatives = params_.negatives;
  op.learning_rate = params_.learning_rate;
  op.log_z_learning_rate = params_.log_z_learning_rate;
  op.log_every = params_.log_every;
  op.threads = params_.batch_threads;
  op.seed = ctx.seed;
  op.label = "CNE " + to_string(params_.loss);
  CneOptimizer opt(*out.affinities, op);

  const int total = params_.early_epochs + params_.epochs;
  // Phase 0: the early phase, Neg-t-SNE at c = 1 (the paper's spectra, sec.
  // 1.4: a separate run from the PCA init that the target run starts from).
  if (params_.early_epochs > 0) {
    NegLoss early;
    early.c = 1.0;
    early.eps = params_.eps;
    early.clamp_low = params_.clamp_low;
    opt.run_phase(early, CnePhaseInfo{0, params_.early_epochs, 0, total}, Y,
                  out.trace, ctx);
  }
  const CnePhaseInfo main{1, params_.epochs, params_.early_epochs, total};
  switch (params_.loss) {
  case CneLossType::neg: {
    NegLoss loss;
    loss.c = params_.resolved_c(n, &ctx);
    loss.eps = params_.eps;
    loss.clamp_low = params_.clamp_low;
    opt.run_phase(loss, main, Y, out.trace, ctx);
    break;
  }
  case CneLossType::nce: {
    NceLoss loss;
    loss.negatives = params_.negatives;
    loss.log_z = params_.log_z_init;
    loss.eps = params_.eps;
    loss.clamp_low = params_.clamp_low;
    opt.run_phase(loss, main, Y, out.trace, ctx);
    break;
  }
  case CneLossType::infonce: {
    InfoNceLoss loss;
    loss.rho = params_.rho;
    loss.scale = params_.loss_scale;
    loss.eps = params_.eps;
    loss.clamp_low = params_.clamp_low;
    opt.run_phase(loss, main, Y, out.trace, ctx);
    break;
  }
  case CneLossType::umap: {
    UmapLoss loss;
    loss.eps = params_.eps;
    loss.clamp_low = params_.clamp_low;
    opt.run_phase(loss, main, Y, out.trace, ctx);
    break;
  }
  }
  out.embedding = std::move(Y);
  return out;
}

} // namespace nebench
