#include "metrics/compute_metrics.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/distance_correlation.h"
#include "metrics/embedding_knn.h"
#include "metrics/knn_accuracy.h"
#include "metrics/knn_recall.h"
#include "metrics/linear_probe.h"
#include "metrics/rank_correlation.h"
#include "metrics/silhouette.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

/// Runs of a spec: "tsne" swept over rho, "umap" and "le" unswept.
const std::map<std::string, std::set<std::string>> kRuns = {
    {"tsne", {"rho"}}, {"umap", {}}, {"le", {}}};

MetricSpec parse(const std::string &text) {
  const json j = json::parse(text);
  return MetricSpec::from_spec(SpecNode(j, "spec.json", "metrics[0]"), kRuns);
}

std::string spec_error(const std::string &text) {
  try {
    parse(text);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

TEST(MetricSpec, DefaultsPerType) {
  const MetricSpec r = parse(R"({"type": "knn_recall"})");
  EXPECT_EQ(r.k, 15);
  EXPECT_EQ(r.reference, "both");
  EXPECT_EQ(r.points, 0);
  EXPECT_EQ(parse(R"({"type": "spearman"})").points, 5000);
  EXPECT_EQ(parse(R"({"type": "distance_correlation"})").points, 5000);
  const MetricSpec a = parse(R"({"type": "knn_accuracy", "k": 10})");
  EXPECT_EQ(a.k, 10);
  EXPECT_DOUBLE_EQ(a.test_fraction, 0.2);
  EXPECT_EQ(parse(R"({"type": "norms"})").type, "norms");
  const MetricSpec c =
      parse(R"({"type": "distance_correlation_to_run", "run": "umap"})");
  EXPECT_EQ(c.run, "umap");
  EXPECT_EQ(c.points, 5000);
  EXPECT_TRUE(is_cross_run(c));
  EXPECT_FALSE(is_cross_run(parse(R"({"type": "distance_correlation"})")));
}

TEST(MetricSpec, CrossRunReferenceMustBeAnUnsweptRunOfTheSpec) {
  EXPECT_EQ(spec_error(R"({"type": "distance_correlation_to_run"})"),
            "spec.json: metrics[0].run: required key is missing");
  EXPECT_EQ(
      spec_error(R"({"type": "distance_correlation_to_run", "run": "fa2"})"),
      "spec.json: metrics[0].run: unknown run \"fa2\" (runs: le, tsne, "
      "umap)");
  const std::string swept =
      spec_error(R"({"type": "distance_correlation_to_run", "run": "tsne"})");
  EXPECT_NE(swept.find("spec.json: metrics[0].run: run \"tsne\" is swept "
                       "(over rho)"),
            std::string::npos)
      << swept;
  EXPECT_NE(spec_error(R"({"type": "distance_correlation_to_run", "run": "le",
                           "points": 9})")
                .find("metrics[0].points"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "distance_correlation_to_run", "run": "le",
                           "k": 15})")
                .find("metrics[0].k: unknown key"),
            std::string::npos);
  // "run" belongs to the cross-run type only.
  EXPECT_NE(spec_error(R"({"type": "distance_correlation", "run": "le"})")
                .find("metrics[0].run: unknown key"),
            std::string::npos);
}

TEST(MetricSpec, StrictErrorsNameThePath) {
  EXPECT_NE(spec_error(R"({"type": "knn_accuracy", "points": 10})")
                .find("spec.json: metrics[0].points: unknown key"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "recall"})").find("metrics[0].type"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "knn_recall", "reference": "pca"})")
                .find("metrics[0].reference"),
            std::string::npos);
  EXPECT_NE(
      spec_error(R"({"type": "knn_recall", "k": 0})").find("metrics[0].k"),
      std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "knn_accuracy", "test_fraction": 1})")
                .find("metrics[0].test_fraction"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "spearman", "points": 9})")
                .find("metrics[0].points"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "distance_correlation", "points": 9})")
                .find("metrics[0].points"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "norms", "k": 3})").find("metrics[0].k"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"k": 3})").find("metrics[0].type"),
            std::string::npos);
}

TEST(MetricSpec, StoredNames) {
  EXPECT_EQ(
      metric_names(parse(R"({"type": "knn_recall", "k": 10})")),
      (std::vector<std::string>{"knn_recall@10", "knn_recall_affinity@10"}));
  EXPECT_EQ(
      metric_names(parse(R"({"type": "knn_recall", "reference": "input"})")),
      (std::vector<std::string>{"knn_recall@15"}));
  EXPECT_EQ(metric_names(parse(R"({"type": "knn_accuracy"})")),
            (std::vector<std::string>{"knn_accuracy@15"}));
  EXPECT_EQ(metric_names(parse(R"({"type": "distance_correlation"})")),
            (std::vector<std::string>{"dcor_input"}));
  EXPECT_EQ(metric_names(parse(R"({"type": "norms"})")).front(), "norm_mean");
  EXPECT_EQ(metric_names(parse(
                R"({"type": "distance_correlation_to_run", "run": "le"})")),
            (std::vector<std::string>{"dcor_to_le"}));
}

TEST(MetricSpec, SilhouetteAndTraceLast) {
  const MetricSpec s = parse(R"({"type": "silhouette"})");
  EXPECT_EQ(s.points, 5000);
  EXPECT_EQ(parse(R"({"type": "silhouette", "points": 300})").points, 300);
  EXPECT_EQ(metric_names(s), (std::vector<std::string>{"silhouette"}));
  EXPECT_NE(spec_error(R"({"type": "silhouette", "points": 9})")
                .find("metrics[0].points"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "silhouette", "k": 15})")
                .find("metrics[0].k: unknown key"),
            std::string::npos);

  const MetricSpec t = parse(R"({"type": "trace_last", "column": "c"})");
  EXPECT_EQ(t.column, "c");
  EXPECT_FALSE(is_cross_run(t));
  EXPECT_EQ(metric_names(t), (std::vector<std::string>{"last_c"}));
  EXPECT_EQ(metric_names(parse(R"({"type": "trace_last", "column": "Z"})")),
            (std::vector<std::string>{"last_Z"}));
  EXPECT_EQ(spec_error(R"({"type": "trace_last"})"),
            "spec.json: metrics[0].column: required key is missing");
  for (const char *bad : {"", "1c", "log z", "a/b"})
    EXPECT_NE(spec_error(R"({"type": "trace_last", "column": ")" +
                         std::string(bad) + "\"}")
                  .find("metrics[0].column: must be a trace column name"),
              std::string::npos)
        << bad;
  EXPECT_NE(spec_error(R"({"type": "trace_last", "column": "c", "points": 5})")
                .find("metrics[0].points: unknown key"),
            std::string::npos);

  // "epoch": the value logged at that epoch, "<column>@e<epoch>".
  const MetricSpec e =
      parse(R"({"type": "trace_last", "column": "knn_features", "epoch": 4})");
  EXPECT_EQ(e.epoch, 4);
  EXPECT_EQ(t.epoch, 0);
  EXPECT_EQ(metric_names(e), (std::vector<std::string>{"knn_features@e4"}));
  EXPECT_NE(spec_error(R"({"type": "trace_last", "column": "c", "epoch": 0})")
                .find("metrics[0].epoch: must be in"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "trace_last", "column": "c", "epoch": 1.5})")
                .find("metrics[0].epoch: must be an integer"),
            std::string::npos);
}

/// Three separated 2-D blobs; X = the points (float), labels = the blob.
struct Fixture {
  Matrix x{150, 2};
  std::vector<std::int32_t> labels = std::vector<std::int32_t>(150);
  KnnGraph graph;
  Csr affinity;
  Fixture() {
    Rng rng(1);
    for (std::int64_t i = 0; i < 150; ++i) {
      labels[i] = static_cast<std::int32_t>(i % 3);
      x(i, 0) = static_cast<float>(50.0 * labels[i] + rng.normal());
      x(i, 1) = static_cast<float>(rng.normal());
    }
    graph = embedding_knn(convert<double>(x), 20);
    // Binary affinities on the 10-NN graph: its top-10 is the kNN set.
    affinity.n = 150;
    affinity.indptr.push_back(0);
    for (std::int64_t i = 0; i < 150; ++i) {
      for (int c = 0; c < 10; ++c) {
        affinity.indices.push_back(
            static_cast<std::int32_t>(graph.neighbors(i)[c]));
        affinity.values.push_back(1.0);
      }
      affinity.indptr.push_back(affinity.nnz());
    }
  }
  std::vector<MetricSpec> specs() const {
    return {parse(R"({"type": "knn_recall", "k": 10})"),
            parse(R"({"type": "knn_accuracy", "k": 5})"),
            parse(R"({"type": "spearman", "points": 100})"),
            parse(R"({"type": "distance_correlation", "points": 100})"),
            parse(R"({"type": "norms"})")};
  }
};

TEST(ComputeMetrics, IdentityEmbeddingIsPerfect) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const auto m = compute_metrics(
      f.specs(), {&f.x, &f.graph, &f.affinity, &y, &f.labels, 3});
  EXPECT_DOUBLE_EQ(m.at("knn_recall@10"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("knn_recall_affinity@10"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("knn_accuracy@5"), 1.0);
  EXPECT_NEAR(m.at("spearman"), 1.0, 1e-12);
  EXPECT_NEAR(m.at("dcor_input"), 1.0, 1e-12);
  EXPECT_EQ(m.count("norm_mean"), 1u);
  EXPECT_EQ(m.count("norm_q95"), 1u);
  EXPECT_EQ(m.size(), 5u + 9u);
}

TEST(ComputeMetrics, AgreesWithTheIndividualMetrics) {
  const Fixture f;
  Rng rng(2);
  MatrixD y(150, 2);
  for (std::int64_t i = 0; i < 150; ++i) {
    y(i, 0) = f.x(i, 0) + 20.0 * rng.normal();
    y(i, 1) = f.x(i, 1) + 20.0 * rng.normal();
  }
  auto specs = f.specs();
  specs.push_back(parse(R"({"type": "knn_recall", "k": 5, "points": 40})"));
  const auto m =
      compute_metrics(specs, {&f.x, &f.graph, &f.affinity, &y, &f.labels, 7});
  const KnnGraph emb = embedding_knn(y, 10);
  EXPECT_DOUBLE_EQ(m.at("knn_recall@10"), knn_recall(f.graph, emb, 10));
  EXPECT_DOUBLE_EQ(
      m.at("knn_recall_affinity@10"),
      knn_recall(top_k_affinity_neighbors(f.affinity, 10), emb, 10));
  EXPECT_DOUBLE_EQ(m.at("knn_recall@5"),
                   knn_recall(f.graph, emb, 5, Rng(7).sample(150, 40)));
  EXPECT_DOUBLE_EQ(m.at("knn_accuracy@5"),
                   knn_accuracy(y, f.labels, 5, 0.2, 7));
  EXPECT_DOUBLE_EQ(m.at("spearman"), distance_rank_correlation(f.x, y, 100, 7));
  EXPECT_DOUBLE_EQ(m.at("dcor_input"), distance_correlation(f.x, y, 100, 7));
  EXPECT_LT(m.at("knn_recall@10"), 0.9);
}

TEST(ComputeMetrics, LinearProbeAndFeatureVariants) {
  // The embedding mixes the classes (its only informative axis is noise);
  // the features separate them: the "_features" variants read the
  // features, the plain ones the embedding, and without features the
  // variants are skipped.
  const Fixture f;
  Rng rng(4);
  MatrixD y(150, 2), features(150, 3);
  for (std::int64_t i = 0; i < 150; ++i) {
    y(i, 0) = rng.normal();
    y(i, 1) = rng.normal();
    for (int j = 0; j < 3; ++j)
      features(i, j) = f.x(i, 0) + rng.normal();
  }
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "knn_accuracy", "k": 5})"),
      parse(R"({"type": "knn_accuracy", "k": 5, "on": "features"})"),
      parse(R"({"type": "linear_probe"})"),
      parse(R"({"type": "linear_probe", "on": "features",
                "test_fraction": 0.3})")};
  MetricInput in{&f.x, &f.graph, nullptr, &y, &f.labels, 7};
  in.features = &features;
  const auto m = compute_metrics(specs, in);
  EXPECT_EQ(m.at("knn_accuracy_features@5"), 1.0);
  EXPECT_EQ(m.at("linear_probe_features"),
            linear_probe_accuracy(features, f.labels, 0.3, 7));
  EXPECT_EQ(m.at("linear_probe"), linear_probe_accuracy(y, f.labels, 0.2, 7));
  EXPECT_LT(m.at("knn_accuracy@5"), 0.7);
  EXPECT_LT(m.at("linear_probe"), 0.7);
  in.features = nullptr;
  const auto without = compute_metrics(specs, in);
  EXPECT_EQ(without.count("knn_accuracy_features@5"), 0u);
  EXPECT_EQ(without.count("linear_probe_features"), 0u);
  EXPECT_EQ(without.count("linear_probe"), 1u);
  EXPECT_EQ(metric_names(specs[1]),
            (std::vector<std::string>{"knn_accuracy_features@5"}));
  EXPECT_NE(spec_error(R"({"type": "linear_probe", "k": 5})").find("k"),
            std::string::npos);
  EXPECT_NE(
      spec_error(R"({"type": "knn_accuracy", "on": "pixels"})").find("on"),
      std::string::npos);
}

TEST(ComputeMetrics, SkipsAffinityRecallAndAccuracyWithoutTheirInputs) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const std::vector<std::int32_t> none;
  const auto m =
      compute_metrics(f.specs(), {&f.x, &f.graph, nullptr, &y, &none, 0});
  EXPECT_EQ(m.count("knn_recall@10"), 1u);
  EXPECT_EQ(m.count("knn_recall_affinity@10"), 0u);
  EXPECT_EQ(m.count("knn_accuracy@5"), 0u);
  const auto m2 =
      compute_metrics(f.specs(), {&f.x, &f.graph, nullptr, &y, nullptr, 0});
  EXPECT_EQ(m2.count("knn_accuracy@5"), 0u);
}

TEST(ComputeMetrics, SilhouetteIsTheSampledScoreAndNeedsLabels) {
  const Fixture f;
  Rng rng(4);
  MatrixD y(150, 2);
  for (std::int64_t i = 0; i < 150; ++i) {
    y(i, 0) = f.x(i, 0) + 30.0 * rng.normal();
    y(i, 1) = f.x(i, 1) + 30.0 * rng.normal();
  }
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "silhouette", "points": 60})")};
  const auto m =
      compute_metrics(specs, {&f.x, &f.graph, nullptr, &y, &f.labels, 11});
  EXPECT_DOUBLE_EQ(m.at("silhouette"),
                   silhouette_score(y, f.labels, Rng(11).sample(150, 60)));
  // Noisy blobs: between the separated (near 1) and the mixed (near 0).
  EXPECT_GT(m.at("silhouette"), 0.1);
  EXPECT_LT(m.at("silhouette"), 0.9);
  const std::vector<std::int32_t> none, one_class(150, 4);
  EXPECT_EQ(compute_metrics(specs, {&f.x, &f.graph, nullptr, &y, &none, 0})
                .count("silhouette"),
            0u);
  EXPECT_EQ(compute_metrics(specs, {&f.x, &f.graph, nullptr, &y, nullptr, 0})
                .count("silhouette"),
            0u);
  // One class: the coefficient is undefined, so it is absent.
  EXPECT_EQ(compute_metrics(specs, {&f.x, &f.graph, nullptr, &y, &one_class, 0})
                .count("silhouette"),
            0u);
}

TEST(ComputeMetrics, TraceLastStoresTheLastLoggedValue) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "trace_last", "column": "c"})"),
      parse(R"({"type": "trace_last", "column": "Z"})"),
      parse(R"({"type": "trace_last", "column": "zbar"})")};
  Trace trace;
  for (double v : {1.0, 1.0, 0.002, 0.0025})
    trace.push("c", v);
  for (double v : {4e6, 6e6, 8e6, 8.13e6})
    trace.push("Z", v);
  MetricInput in{&f.x, &f.graph, nullptr, &y, nullptr, 0};
  in.trace = &trace;
  auto m = compute_metrics(specs, in);
  EXPECT_EQ(m.at("last_c"), 0.0025);
  EXPECT_EQ(m.at("last_Z"), 8.13e6);
  EXPECT_EQ(m.count("last_zbar"), 0u); // the trace has no such column
  EXPECT_EQ(m.size(), 2u);
  // A last row without a value (an InfoNCE phase after an early NEG phase
  // logs c = NaN) means no value, not the early phase's.
  trace.push("c", std::nan(""));
  trace.push("Z", 9e6);
  m = compute_metrics(specs, in);
  EXPECT_EQ(m.count("last_c"), 0u);
  EXPECT_EQ(m.at("last_Z"), 9e6);
  // No trace (e.g. an external embedding): absent.
  in.trace = nullptr;
  EXPECT_TRUE(compute_metrics(specs, in).empty());
  trace.columns["c"].clear();
  in.trace = &trace;
  EXPECT_EQ(compute_metrics(specs, in).count("last_c"), 0u);
}

TEST(ComputeMetrics, TraceLastAtAnEpochReadsThatRow) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "trace_last", "column": "knn", "epoch": 1})"),
      parse(R"({"type": "trace_last", "column": "knn", "epoch": 2})"),
      parse(R"({"type": "trace_last", "column": "knn", "epoch": 4})"),
      parse(R"({"type": "trace_last", "column": "knn", "epoch": 9})"),
      parse(R"({"type": "trace_last", "column": "knn"})"),
      parse(R"({"type": "trace_last", "column": "loss", "epoch": 3})")};
  // A trainer's trace: knn evaluated after epochs 1, 2 and 4 only (NaN on
  // the others).
  const double nan = std::nan("");
  Trace trace;
  for (double v : {1.0, 2.0, 3.0, 4.0, 5.0})
    trace.push("epoch", v);
  for (double v : {0.5, 0.625, nan, 0.75, nan})
    trace.push("knn", v);
  for (double v : {3.0, 2.5, 2.25, 2.0, 1.75})
    trace.push("loss", v);
  MetricInput in{&f.x, &f.graph, nullptr, &y, nullptr, 0};
  in.trace = &trace;
  const auto m = compute_metrics(specs, in);
  EXPECT_EQ(m.at("knn@e1"), 0.5);
  EXPECT_EQ(m.at("knn@e2"), 0.625);
  EXPECT_EQ(m.at("knn@e4"), 0.75);
  EXPECT_EQ(m.count("knn@e9"), 0u);   // no such epoch
  EXPECT_EQ(m.count("last_knn"), 0u); // the last row was not evaluated
  EXPECT_EQ(m.at("loss@e3"), 2.25);
  EXPECT_EQ(m.size(), 4u);
  // A trace without an epoch column has no epoch rows.
  trace.columns.erase("epoch");
  EXPECT_TRUE(compute_metrics(specs, in).empty());
}

TEST(ComputeMetrics, LeavesCrossRunMetricsToThePostPass) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const std::vector<MetricSpec> specs = {
      parse(R"({"type": "distance_correlation", "points": 100})"),
      parse(R"({"type": "distance_correlation_to_run", "run": "le"})")};
  const auto m =
      compute_metrics(specs, {&f.x, &f.graph, nullptr, &y, nullptr, 0});
  EXPECT_EQ(m.count("dcor_input"), 1u);
  EXPECT_EQ(m.count("dcor_to_le"), 0u);
  EXPECT_EQ(m.size(), 1u);
}

TEST(ComputeMetrics, ClearErrors) {
  const Fixture f;
  const MatrixD y = convert<double>(f.x);
  const std::vector<MetricSpec> k30 = {
      parse(R"({"type": "knn_recall", "k": 30})")};
  try {
    compute_metrics(k30, {&f.x, &f.graph, nullptr, &y, nullptr, 0});
    FAIL() << "expected an error";
  } catch (const NebenchError &e) {
    EXPECT_NE(std::string(e.what()).find("graph.knn.k"), std::string::npos);
  }
  const std::vector<MetricSpec> twice = {parse(R"({"type": "spearman"})"),
                                         parse(R"({"type": "spearman"})")};
  EXPECT_THROW(
      compute_metrics(twice, {&f.x, &f.graph, nullptr, &y, nullptr, 0}),
      NebenchError);
  const std::vector<MetricSpec> sp = {parse(R"({"type": "spearman"})")};
  EXPECT_THROW(
      compute_metrics(sp, {nullptr, &f.graph, nullptr, &y, nullptr, 0}),
      NebenchError);
  EXPECT_THROW(
      compute_metrics(sp, {&f.x, &f.graph, nullptr, nullptr, nullptr, 0}),
      NebenchError);
  const MatrixD short_y(10, 2);
  const std::vector<MetricSpec> k10 = {
      parse(R"({"type": "knn_recall", "k": 10})")};
  EXPECT_THROW(
      compute_metrics(k10, {&f.x, &f.graph, nullptr, &short_y, nullptr, 0}),
      NebenchError);
}

} // namespace
} // namespace nebench
