#include "engine/ne/tsne_method.h"

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/affinity/graph_affinity.h"
#include "engine/affinity/perplexity_affinity.h"
#include "engine/core/errors.h"
#include "engine/init/initialization.h"
#include "engine/ne/repulsion_factory.h"

#include <algorithm>
#include <cmath>

namespace nebench {

TsneParams TsneParams::from_spec(const SpecNode &node) {
  TsneParams p;
  node.string("type", std::string("tsne"), {"tsne"});

  if (auto a = node.optional_child("affinity")) {
    p.affinity.type = a->string("type", std::string("perplexity"),
                                {"perplexity", "binary_knn", "graph"});
    if (p.affinity.type == "perplexity") {
      p.affinity.perplexity =
          a->number("perplexity", 30.0, Range{1.0, 10000.0, true, false});
      const auto default_k =
          static_cast<std::int64_t>(std::lround(3.0 * p.affinity.perplexity));
      p.affinity.k =
          static_cast<int>(a->integer("k", default_k, Range::closed(1, 1e6)));
      if (!(p.affinity.k > p.affinity.perplexity))
        a->fail_at("k", "must be greater than the perplexity (" +
                            std::to_string(p.affinity.perplexity) +
                            "): k neighbours have perplexity at most k");
    } else if (p.affinity.type == "binary_knn") {
      p.affinity.k =
          static_cast<int>(a->integer("k", 15, Range::closed(1, 1e6)));
    } else { // graph: the input graph, no kNN search
      p.affinity.k = 0;
    }
    a->finish();
  }

  if (auto i = node.optional_child("init")) {
    p.init.type =
        i->string("type", std::string("pca"), {"pca", "random", "spectral"});
    p.init.std = i->number("std", 1e-4, Range::positive());
    i->finish();
  }

  std::vector<std::string> repulsions = {"auto"};
  for (const auto &r : repulsion_types())
    repulsions.push_back(r);
  p.repulsion = node.string("repulsion", std::string("auto"), repulsions);
  p.theta = node.number("theta", 0.5, Range::closed(0.0, 3.0));
  if (auto f = node.optional_child("fft")) {
    p.fft.n_interp =
        static_cast<int>(f->integer("n_interp", 3, Range::closed(1, 16)));
    p.fft.min_intervals = static_cast<int>(
        f->integer("min_intervals", 50, Range::closed(1, 1000)));
    p.fft.ints_in_interval =
        f->number("ints_in_interval", 1.0, Range::positive());
    f->finish();
  }
  p.dof = node.number("dof", 1.0, Range::positive());
  if (node.has("learning_rate")) {
    const json &v = node.raw().at("learning_rate");
    if (v.is_string())
      node.string("learning_rate", std::nullopt, {"auto"});
    else if (v.is_number())
      p.learning_rate =
          node.number("learning_rate", std::nullopt, Range::positive());
    else
      node.fail_at("learning_rate", "must be \"auto\" or a number > 0, got " +
                                        json_type_name(v));
  }
  p.max_step_norm = node.number("max_step_norm", 5.0, Range::positive());
  p.min_gain = node.number("min_gain", 0.01, Range::half_open(0.0, 1.0));
  p.log_every =
      static_cast<int>(node.integer("log_every", 50, Range::closed(1, 1e9)));

  if (auto ph = node.optional_child("phases")) {
    if (!ph->is_array())
      ph->fail("must be a non-empty array of phase objects, got " +
               json_type_name(ph->raw()));
    if (ph->size() == 0)
      ph->fail("must not be empty");
    p.phases.clear();
    for (std::size_t k = 0; k < ph->size(); ++k) {
      const SpecNode e = ph->at(k);
      TsnePhaseSpec s;
      s.iters = static_cast<int>(
          e.integer("iters", std::nullopt, Range::closed(0, 1e8)));
      s.exaggeration = e.number("exaggeration", 1.0, Range::positive());
      s.momentum = e.number("momentum", 0.8, Range::half_open(0.0, 1.0));
      if (e.has("learning_rate"))
        s.learning_rate =
            e.number("learning_rate", std::nullopt, Range::positive());
      e.finish();
      p.phases.push_back(s);
    }
  }
  node.finish();
  return p;
}

TsneMethod::TsneMethod(TsneParams params) : params_(std::move(params)) {
  if (params_.phases.empty())
    throw NebenchError("t-SNE: no phases");
}

std::vector<TsnePhase> TsneMethod::resolved_phases(std::int64_t n) const {
  double max_rho = 0;
  for (const auto &s : params_.phases)
    max_rho = std::max(max_rho, s.exaggeration);
  const double auto_lr = static_cast<double>(n) / max_rho;
  std::vector<TsnePhase> out;
  for (const auto &s : params_.phases) {
    TsnePhase ph;
    ph.iters = s.iters;
    ph.exaggeration = s.exaggeration;
    ph.momentum = s.momentum;
    ph.learning_rate =
        s.learning_rate.value_or(params_.learning_rate.value_or(auto_lr));
    out.push_back(ph);
  }
  return out;
}

double TsneMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  const double k = params_.affinity.k;
  // Affinities: the conditional P and its transpose (12 bytes per entry
  // each) while symmetrizing, then P with up to 2nk entries (12 bytes).
  const double affinity = 48.0 * nd * k;
  // Optimizer: Y, update, gains, attraction, repulsion (dim doubles each),
  // plus the init and the returned embedding.
  const double optimizer = 7.0 * nd * params_.dim * 8.0;
  // Barnes-Hut tree (<= 2n nodes of 40 bytes) and its point buffers; the
  // exact estimator streams and needs only n partial sums.
  const double repulsion = 2.0 * nd * 40.0 + nd * 41.0;
  return affinity + optimizer + repulsion + (1 << 20);
}

MethodOutput TsneMethod::run(const Problem &problem, const RunContext &ctx) {
  if (!problem.X || !problem.graph)
    throw NebenchError("t-SNE: the problem has no data or no kNN graph");
  const bool uses_adjacency =
      params_.affinity.type == "graph" || params_.init.type == "spectral";
  if (uses_adjacency &&
      (!problem.adjacency || problem.adjacency->n != problem.graph->n))
    throw NebenchError("t-SNE: graph affinities and spectral init need the "
                       "input graph with one node per point");
  const KnnGraph &graph = *problem.graph;
  const std::int64_t n = graph.n;
  if (problem.X->rows != n)
    throw NebenchError("t-SNE: the kNN graph has " + std::to_string(n) +
                       " points but the data has " +
                       std::to_string(problem.X->rows));
  if (params_.affinity.k > graph.k)
    throw NebenchError(
        "t-SNE: affinity needs k = " + std::to_string(params_.affinity.k) +
        " neighbours but the shared kNN graph has k = " +
        std::to_string(graph.k) + " (raise graph.knn.k)");

  MethodOutput out;
  if (params_.affinity.type == "perplexity") {
    PerplexityParams pp;
    pp.perplexity = params_.affinity.perplexity;
    pp.k = params_.affinity.k;
    out.affinities = perplexity_affinities(graph, pp);
  } else if (params_.affinity.type == "binary_knn") {
    out.affinities =
        normalize_to_sum_one(binary_knn_graph(graph, params_.affinity.k));
  } else {
    out.affinities = graph_tsne_affinity(*problem.adjacency);
  }
  ctx.check();

  MatrixD Y;
  if (params_.init.type == "pca") {
    Y = pca_init(*problem.X, params_.dim, params_.init.std);
    // openTSNE's pca initialization adds jitter of 1% of the std (seeded),
    // which separates duplicate points and lets seeds differ.
    jitter(Y, 0.01, ctx.seed);
  } else if (params_.init.type == "spectral") {
    // Graph t-SNE (papers/graph.md sec. 1): the first dim eigenvectors of
    // the input graph's Laplacian, std 1e-4. The eigenvectors do not depend
    // on the seed; the same seeded 1% jitter as the PCA init makes seeds
    // differ (the reference's LOBPCG start is random per seed).
    Y = spectral_init(*problem.adjacency, params_.dim, params_.init.std);
    jitter(Y, 0.01, ctx.seed);
  } else {
    Y = random_init(n, params_.dim, params_.init.std, ctx.seed);
  }

  const std::string rep_type =
      resolve_repulsion(params_.repulsion, n, params_.dim);
  auto repulsion = make_repulsion(rep_type, params_.dim, params_.dof,
                                  params_.theta, params_.fft);
  TsneOptimizerParams op;
  op.dof = params_.dof;
  op.max_step_norm = params_.max_step_norm;
  op.min_gain = params_.min_gain;
  op.log_every = params_.log_every;
  TsneOptimizer optimizer(*out.affinities, *repulsion, op);
  out.trace = optimizer.optimize(Y, resolved_phases(n), ctx);
  out.embedding = std::move(Y);
  return out;
}

} // namespace nebench
