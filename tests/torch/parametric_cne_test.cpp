// Parametric CNE (engine/torch/parametric_cne.h): spec parsing through the
// registry hook, the MLP's shape, an end-to-end run on separated clusters
// (kNN accuracy of the 2-D embedding), seeded reproducibility, the trace,
// and the device selection.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/ne/method_registry.h"
#include "engine/torch/parametric_cne.h"
#include "engine/torch/torch_methods.h"
#include "metrics/knn_accuracy.h"
#include "tests/affinity/test_graphs.h"

#include "tests/torch/torch_method_spec.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace nebench {
namespace {

std::unique_ptr<Method> make(const std::string &text) {
  return make_torch_method(text);
}

std::string spec_error(const std::string &text) {
  return torch_method_spec_error(text);
}

ParametricCneParams params_of(const std::string &text) {
  return torch_method_params<ParametricCneMethod>(text);
}

TEST(ParametricCneParams, ParsedThroughTheRegistry) {
  const ParametricCneParams d =
      params_of(R"({"type": "cne", "parametric": true})");
  EXPECT_EQ(d.hidden, (std::vector<int>{100, 100, 100}));
  EXPECT_EQ(d.optimizer_lr, 1e-3);
  EXPECT_EQ(d.cne.loss, CneLossType::infonce);
  EXPECT_EQ(d.cne.batch_size, 1024);
  EXPECT_EQ(d.cne.epochs, 750);
  EXPECT_EQ(d.torch_threads, 1);
  const ParametricCneParams p = params_of(
      R"({"type": "cne", "parametric": true, "loss": "neg", "c": 0.5,
          "hidden": [64, 32], "optimizer_lr": 0.01, "k": 10, "dim": 3,
          "torch_threads": 0})");
  EXPECT_EQ(p.torch_threads, 0);
  EXPECT_EQ(p.hidden, (std::vector<int>{64, 32}));
  EXPECT_EQ(p.optimizer_lr, 0.01);
  EXPECT_EQ(p.cne.resolved_c(100), 0.5);
  EXPECT_EQ(p.cne.dim, 3);
  EXPECT_EQ(make(R"({"type": "cne", "parametric": true, "k": 12})")
                ->neighbors_needed(),
            12);
  // The native method is still the default.
  EXPECT_EQ(dynamic_cast<ParametricCneMethod *>(
                make(R"({"type": "cne", "parametric": false})").get()),
            nullptr);
}

TEST(ParametricCneParams, ErrorsNameTheJsonPath) {
  EXPECT_EQ(spec_error(R"({"type": "cne", "parametric": true,
                           "learning_rate": 1})"),
            "s.json: runs[0].method.learning_rate: not for \"parametric\": "
            "true (the MLP's Adam learning rate is optimizer_lr)");
  EXPECT_NE(spec_error(R"({"type": "cne", "parametric": true,
                           "init": {"type": "pca"}})")
                .find("runs[0].method.init: not for"),
            std::string::npos);
  EXPECT_EQ(spec_error(R"({"type": "cne", "hidden": [10]})"),
            "s.json: runs[0].method.hidden: only for \"parametric\": true");
  EXPECT_NE(spec_error(R"({"type": "cne", "parametric": true,
                           "hidden": [10, 0]})")
                .find("runs[0].method.hidden"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "parametric": true,
                           "optimizer_lr": 0})")
                .find("runs[0].method.optimizer_lr"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "cne", "parametric": true, "hiden": [1]})")
                .find("runs[0].method.hiden"),
            std::string::npos);
  // Without the hook (a build without LibTorch) the spec is refused as
  // needing a missing feature (`nebench validate` skips it).
  set_parametric_cne_factory({});
  const json j = json::parse(R"({"type": "cne", "parametric": true})");
  try {
    make_method(SpecNode(j, "s.json", "runs[0].method"));
    ADD_FAILURE() << "expected a MissingFeatureError";
  } catch (const MissingFeatureError &e) {
    EXPECT_EQ(e.json_path(), "runs[0].method.parametric");
    EXPECT_NE(std::string(e.what()).find("this build has no LibTorch"),
              std::string::npos)
        << e.what();
  }
  register_torch_methods();
}

TEST(ParametricCne, MlpShape) {
  torch::manual_seed(0);
  torch::nn::Sequential net = make_cne_mlp(10, {100, 100, 100}, 2);
  // 4 Linear layers + 3 ReLU.
  EXPECT_EQ(net->size(), 7u);
  std::int64_t weights = 0;
  for (const auto &p : net->parameters())
    weights += p.numel();
  EXPECT_EQ(weights, 10 * 100 + 100 + 2 * (100 * 100 + 100) + 100 * 2 + 2);
  const torch::Tensor y = net->forward(torch::randn({7, 10}));
  EXPECT_EQ(y.size(0), 7);
  EXPECT_EQ(y.size(1), 2);
}

/// 5 Gaussian clusters x 100 points in 10-D, centres N(0, 2^2) per
/// coordinate, unit noise: separated in 10-D (kNN accuracy 1 on the data),
/// but not by the untrained network's 2-D map (~0.6).
struct Clusters {
  Matrix X;
  std::vector<std::int32_t> labels;
  KnnGraph graph;
  Problem problem() const { return Problem{&X, &graph, &labels}; }
};

const Clusters &clusters() {
  static const Clusters c = [] {
    Clusters out;
    const int k = 5, per = 100, d = 10;
    Rng rng(21);
    std::vector<double> centres(k * d);
    for (double &v : centres)
      v = 2.0 * rng.normal();
    out.X = Matrix(k * per, d);
    for (int i = 0; i < k * per; ++i) {
      out.labels.push_back(i % k);
      for (int j = 0; j < d; ++j)
        out.X(i, j) =
            static_cast<float>(centres[(i % k) * d + j] + rng.normal());
    }
    out.graph = testing::brute_force_graph(out.X, 15);
    return out;
  }();
  return c;
}

MethodOutput run(const std::string &spec, std::uint64_t seed) {
  const auto m = make(spec);
  RunContext ctx;
  ctx.seed = seed;
  return m->run(clusters().problem(), ctx);
}

// k = 5 keeps the test cheap (~3.5k directed edges; an epoch of the
// 100-100-100 MLP is ~1 GFLOP).
const char *kInfoNce = R"({"type": "cne", "parametric": true,
    "loss": "infonce", "k": 5, "batch_size": 256, "epochs": 30,
    "log_every": 10})";
const char *kShort = R"({"type": "cne", "parametric": true,
    "loss": "infonce", "k": 5, "batch_size": 256, "epochs": 2})";

/// kNN accuracy (k = 10, 30% test split) of a 2-D embedding.
double accuracy(const MatrixD &Y) {
  return knn_accuracy(Y, clusters().labels, 10, 0.3, 0);
}

TEST(ParametricCne, SeparatesClusters) {
  // The network the run starts from (same seed, same initialization) does
  // not separate the clusters: the training does.
  torch::manual_seed(3);
  torch::nn::Sequential untrained = make_cne_mlp(10, {100, 100, 100}, 2);
  const Matrix &X = clusters().X;
  const torch::Tensor y0 =
      untrained
          ->forward(torch::from_blob(const_cast<float *>(X.data.data()),
                                     {X.rows, X.cols}, torch::kFloat32))
          .to(torch::kFloat64)
          .contiguous();
  MatrixD Y0(X.rows, 2);
  std::copy(y0.data_ptr<double>(), y0.data_ptr<double>() + y0.numel(),
            Y0.data.begin());
  EXPECT_LT(accuracy(Y0), 0.8);

  const MethodOutput a = run(kInfoNce, 3);
  ASSERT_EQ(a.embedding.rows, 500);
  ASSERT_EQ(a.embedding.cols, 2);
  EXPECT_GT(accuracy(a.embedding), 0.9);
  ASSERT_TRUE(a.affinities.has_value());
  // Trace: epochs 1, 10, 20, 30 of phase 1; the loss falls.
  const auto &t = a.trace.columns;
  EXPECT_EQ(t.at("epoch"), (std::vector<double>{1, 10, 20, 30}));
  EXPECT_EQ(t.at("phase"), (std::vector<double>{1, 1, 1, 1}));
  EXPECT_LT(t.at("loss").back(), t.at("loss").front());
  EXPECT_EQ(t.count("c"), 0u) << "infonce has no NEG c";
  for (const char *col : {"lr", "norm_mean", "seconds"})
    EXPECT_EQ(t.at(col).size(), 4u) << col;
}

TEST(ParametricCne, SeededRunsAreIdentical) {
  const MethodOutput a = run(kShort, 3);
  const MethodOutput b = run(kShort, 3);
  EXPECT_EQ(a.embedding.data, b.embedding.data) << "same seed, same result";
  const MethodOutput c = run(kShort, 4);
  EXPECT_NE(a.embedding.data, c.embedding.data);
}

TEST(ParametricCne, NceAndEarlyPhaseTrace) {
  const MethodOutput nce =
      run(R"({"type": "cne", "parametric": true, "loss": "nce", "k": 5,
              "batch_size": 512, "epochs": 3, "log_every": 1})",
          1);
  const auto &t = nce.trace.columns;
  ASSERT_EQ(t.at("log_z").size(), 3u);
  EXPECT_NE(t.at("log_z").back(), 0.0) << "log Z is learned";
  EXPECT_DOUBLE_EQ(t.at("zbar").back(),
                   std::exp(t.at("log_z").back()) * 500.0 * 500.0);
  EXPECT_DOUBLE_EQ(t.at("c").back(), 5 * std::exp(t.at("log_z").back()));

  const MethodOutput early =
      run(R"({"type": "cne", "parametric": true, "loss": "infonce", "k": 5,
              "batch_size": 512, "early_epochs": 2, "epochs": 2,
              "log_every": 1})",
          1);
  const auto &e = early.trace.columns;
  EXPECT_EQ(e.at("epoch"), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(e.at("phase"), (std::vector<double>{0, 0, 1, 1}));
  ASSERT_EQ(e.at("c").size(), 4u);
  EXPECT_EQ(e.at("c")[0], 1.0);
  EXPECT_TRUE(std::isnan(e.at("c")[3]));
  // lr restarts per phase: optimizer_lr (1 - e / E).
  EXPECT_EQ(e.at("lr"), (std::vector<double>{1e-3, 5e-4, 1e-3, 5e-4}));
}

TEST(ParametricCne, DeviceSelection) {
  register_torch_methods();
  EXPECT_NO_THROW(select_method_device("cpu"));
  EXPECT_THROW(select_method_device("tpu"), UsageError);
  if (!torch::cuda::is_available()) {
    EXPECT_THROW(select_method_device("cuda"), UsageError);
    EXPECT_EQ(method_device(), "cpu");
    return;
  }
  // With a GPU: the same run on CUDA separates the clusters too.
  select_method_device("cuda");
  const MethodOutput g = run(kInfoNce, 3);
  select_method_device("cpu");
  EXPECT_GT(accuracy(g.embedding), 0.9);
}

} // namespace
} // namespace nebench
