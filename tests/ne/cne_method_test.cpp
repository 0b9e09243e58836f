// CNE as a Method (engine/ne/cne_method.h): strict spec parsing, the early
// phase, reproducibility, and an end-to-end check on separated clusters.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/init/initialization.h"
#include "engine/ne/cne_method.h"
#include "engine/ne/cne_optimizer.h"
#include "engine/ne/method_registry.h"
#include "metrics/knn_accuracy.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace nebench {
namespace {

CneParams parse(const std::string &text) {
  const json j = json::parse(text);
  return CneParams::from_spec(SpecNode(j, "s.json", "runs[0].method"));
}

std::string spec_error(const std::string &text) {
  try {
    parse(text);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CneParams, DefaultsFollowThePaper) {
  const CneParams p = parse(R"({"type": "cne"})");
  EXPECT_EQ(p.loss, CneLossType::infonce);
  EXPECT_EQ(p.k, 15);
  EXPECT_EQ(p.negatives, 5);
  EXPECT_EQ(p.batch_size, 1024);
  EXPECT_EQ(p.batch_threads, 1);
  EXPECT_EQ(p.epochs, 750);
  EXPECT_EQ(p.early_epochs, 0);
  EXPECT_EQ(p.learning_rate, 1.0);
  EXPECT_EQ(p.clamp_low, 1e-10);
  EXPECT_EQ(p.eps, 1.0);
  EXPECT_EQ(p.rho, 1.0);
  EXPECT_EQ(p.loss_scale, 0.5);
  EXPECT_EQ(p.init.type, "pca");
  EXPECT_EQ(p.init.std, 1.0);
  const CneParams e =
      parse(R"({"type": "cne", "loss": "neg", "c": 0.5, "early_epochs": 250})");
  EXPECT_EQ(e.epochs, 500);
  EXPECT_EQ(e.resolved_c(1000), 0.5);
  const CneParams z = parse(R"({"type": "cne", "loss": "neg", "zbar": 2e5,
                                 "negatives": 5})");
  EXPECT_DOUBLE_EQ(z.resolved_c(1000), 1.0); // n^2 / m
  const CneParams n = parse(R"({"type": "cne", "loss": "nce",
      "log_z_learning_rate": 0.01, "log_z_init": -2})");
  EXPECT_EQ(n.log_z_learning_rate, 0.01);
  EXPECT_EQ(n.log_z_init, -2.0);
}

TEST(CneParams, ErrorsNameTheJsonPath) {
  EXPECT_EQ(spec_error(R"({"type": "cne", "loss": "neg"})"),
            "s.json: runs[0].method: loss neg needs c (c = 1: plain negative "
            "sampling) or zbar (the fixed normaliser, c = m zbar / n^2)");
  EXPECT_EQ(spec_error(R"({"type": "cne", "loss": "neg", "c": 1, "zbar": 5})"),
            "s.json: runs[0].method.zbar: give either c or zbar, not both");
  EXPECT_EQ(spec_error(R"({"type": "cne", "c": 1})"),
            "s.json: runs[0].method.c: only for loss neg (loss is infonce)");
  EXPECT_EQ(spec_error(R"({"type": "cne", "loss": "neg", "c": 1, "rho": 2})"),
            "s.json: runs[0].method.rho: only for loss infonce (loss is neg)");
  EXPECT_EQ(spec_error(R"({"type": "cne", "log_z_init": 1})"),
            "s.json: runs[0].method.log_z_init: only for loss nce (loss is "
            "infonce)");
  EXPECT_EQ(spec_error(R"({"type": "cne", "loss": "nce", "early_epochs": 250})")
                .rfind("s.json: runs[0].method.early_epochs: must be 0 for "
                       "loss nce",
                       0),
            0u);
  EXPECT_EQ(spec_error(R"({"type": "cne", "parametric": true})"),
            "s.json: runs[0].method.parametric: parametric CNE is built by "
            "make_method() (engine/torch), not by CneParams");
  EXPECT_NE(spec_error(R"({"type": "cne", "loss": "simclr"})")
                .find("runs[0].method.loss: must be one of"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "negatives": 0})")
                .find("runs[0].method.negatives"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "clamp_low": 0})")
                .find("runs[0].method.clamp_low"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "init": {"type": "spectral"}})")
                .find("runs[0].method.init.type"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "batchsize": 10})")
                .find("runs[0].method.batchsize"),
            std::string::npos);
}

TEST(CneParams, RegisteredAsMethodCne) {
  const json j = json::parse(R"({"type": "cne", "k": 20, "loss": "umap"})");
  const auto m = make_method(SpecNode(j, "s.json", "runs[0].method"));
  EXPECT_EQ(m->type(), "cne");
  EXPECT_EQ(m->neighbors_needed(), 20);
  EXPECT_GT(m->estimated_bytes(70000), 70000.0 * 2 * 20 * 12);
}

struct Clusters {
  Matrix X;
  std::vector<std::int32_t> labels;
  KnnGraph graph;
};

/// 5 Gaussian clusters x 100 points in 10-D (unit variance, centres 10 e_c,
/// 14 apart) with their exact 15-NN graph.
const Clusters &clusters() {
  static const Clusters c = [] {
    Clusters out;
    out.X = Matrix(500, 10);
    Rng rng(5);
    for (std::int64_t i = 0; i < 500; ++i) {
      const int c = static_cast<int>(i % 5);
      out.labels.push_back(c);
      for (int d = 0; d < 10; ++d)
        out.X(i, d) = static_cast<float>(rng.normal() + (d == c ? 10.0 : 0.0));
    }
    out.graph = testing::brute_force_graph(out.X, 15);
    return out;
  }();
  return c;
}

MethodOutput run_cne(const std::string &spec, std::uint64_t seed) {
  const Clusters &c = clusters();
  Problem problem{&c.X, &c.graph, &c.labels};
  RunContext ctx;
  ctx.seed = seed;
  CneMethod m(parse(spec));
  return m.run(problem, ctx);
}

double accuracy(const MatrixD &Y) {
  return knn_accuracy(Y, clusters().labels, 15, 0.2, 0);
}

TEST(CneMethod, SeparatesClustersFromARandomInit) {
  // From a random layout (clusters mixed: low accuracy) both InfoNC-t-SNE
  // and Neg-t-SNE at c = 1 pull the five clusters apart.
  EXPECT_LT(accuracy(random_init(500, 2, 1.0, 0)), 0.5);
  for (const std::string loss :
       {R"("loss": "infonce")", R"("loss": "neg", "c": 1)"}) {
    const MethodOutput out = run_cne(R"({"type": "cne", )" + loss +
                                         R"(, "epochs": 100, "batch_size": 256,
                                         "init": {"type": "random"}})",
                                     0);
    ASSERT_EQ(out.embedding.rows, 500);
    ASSERT_EQ(out.embedding.cols, 2);
    EXPECT_GT(accuracy(out.embedding), 0.9) << loss;
    ASSERT_TRUE(out.affinities.has_value());
    const Csr A = binary_knn_graph(clusters().graph, 15);
    EXPECT_EQ(out.affinities->indices, A.indices);
    EXPECT_EQ(out.trace.columns.at("epoch").back(), 100);
  }
}

TEST(CneMethod, EarlyPhaseIsNegAtUnitCThenTheTargetLoss) {
  // The method equals running the optimizer by hand: PCA init (std 1),
  // 3 epochs of NEG at c = 1, then 4 of InfoNCE, each from lr0.
  const std::string spec = R"({"type": "cne", "early_epochs": 3, "epochs": 4,
                                "batch_size": 512, "log_every": 1})";
  const MethodOutput out = run_cne(spec, 9);
  const Clusters &c = clusters();
  CneOptimizerParams p;
  p.batch_size = 512;
  p.log_every = 1;
  p.seed = 9;
  CneOptimizer opt(binary_knn_graph(c.graph, 15), p);
  MatrixD Y = pca_init(c.X, 2, 1.0);
  Trace trace;
  NegLoss early; // c = 1, eps = 1, clamp 1e-10
  opt.run_phase(early, CnePhaseInfo{0, 3, 0, 7}, Y, trace, RunContext{});
  InfoNceLoss info;
  opt.run_phase(info, CnePhaseInfo{1, 4, 3, 7}, Y, trace, RunContext{});
  EXPECT_EQ(out.embedding.data, Y.data);
  const auto &col = out.trace.columns;
  EXPECT_EQ(col.at("phase"), (std::vector<double>{0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(col.at("lr"), (std::vector<double>{1, 1 - 1.0 / 3, 1 - 2.0 / 3, 1,
                                               0.75, 0.5, 0.25}));
  EXPECT_EQ(col.at("loss"), trace.columns.at("loss"));
  // c: 1 in the early NEG phase, none (NaN) in the InfoNCE phase.
  ASSERT_EQ(col.at("c").size(), 7u);
  EXPECT_EQ(col.at("c")[2], 1.0);
  EXPECT_TRUE(std::isnan(col.at("c")[3]));
}

TEST(CneMethod, NegTracesItsC) {
  // zbar = 2e4 on n = 500 points, m = 5: c = 5 * 2e4 / 500^2 = 0.4 in the
  // target phase after the early phase at c = 1.
  const MethodOutput out =
      run_cne(R"({"type": "cne", "loss": "neg", "zbar": 2e4,
                  "early_epochs": 2, "epochs": 2, "log_every": 1})",
              0);
  EXPECT_EQ(out.trace.columns.at("c"), (std::vector<double>{1, 1, 0.4, 0.4}));
}

TEST(CneMethod, SameSeedSameEmbedding) {
  const std::string spec =
      R"({"type": "cne", "loss": "neg", "zbar": 1e4, "epochs": 5})";
  const MethodOutput a = run_cne(spec, 1), b = run_cne(spec, 1),
                     c = run_cne(spec, 2);
  EXPECT_EQ(a.embedding.data, b.embedding.data);
  EXPECT_NE(a.embedding.data, c.embedding.data);
}

TEST(CneMethod, NceTracesLogZ) {
  const MethodOutput out =
      run_cne(R"({"type": "cne", "loss": "nce", "epochs": 3})", 0);
  const auto &col = out.trace.columns;
  ASSERT_EQ(col.at("log_z").size(), col.at("epoch").size());
  ASSERT_EQ(col.at("zbar").size(), col.at("epoch").size());
  EXPECT_NE(col.at("log_z").back(), 0.0);
  ASSERT_EQ(col.at("c").size(), col.at("epoch").size());
  EXPECT_DOUBLE_EQ(col.at("c").back(), 5.0 * std::exp(col.at("log_z").back()));
}

TEST(CneMethod, NeedsEnoughNeighbours) {
  const Clusters &c = clusters();
  Problem problem{&c.X, &c.graph, &c.labels};
  CneMethod m(parse(R"({"type": "cne", "k": 30})"));
  EXPECT_THROW(m.run(problem, RunContext{}), NebenchError);
}

} // namespace
} // namespace nebench
