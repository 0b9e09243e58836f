// The t-SimCNE / SimCLR spec method (engine/torch/tsimcne_method.h): strict
// parsing through the registry hook, the stages it gives the trainer, an
// end-to-end run on a tiny image set (shapes of the embedding, features and
// trace), seeded reproducibility, resuming from the runner's checkpoint, the
// errors for data without images, and the norms paper's keys (Draganov et
// al. 2025): cut_init, grad_scale, eval_epochs and the per-class norm
// columns.

#include "engine/core/errors.h"
#include "engine/ne/method_registry.h"
#include "engine/torch/torch_methods.h"
#include "engine/torch/tsimcne_method.h"

#include "tests/torch/torch_method_spec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace nebench {
namespace {

std::unique_ptr<Method> make(const std::string &text) {
  return make_torch_method(text);
}

std::string spec_error(const std::string &text) {
  return torch_method_spec_error(text);
}

TsimcneParams params_of(const std::string &text) {
  return torch_method_params<TsimcneMethod>(text);
}

TEST(TsimcneParams, DefaultsAreThePapers) {
  const TsimcneParams p = params_of(R"({"type": "tsimcne"})");
  EXPECT_EQ(p.backbone, "resnet18");
  EXPECT_EQ(p.hidden_dim, 1024);
  EXPECT_EQ(p.loss, "cauchy");
  EXPECT_EQ(p.epochs, (std::vector<int>{1000, 50, 450}));
  EXPECT_EQ(p.dim, 2);
  EXPECT_EQ(p.batch_size, 1024);
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.12); // 0.03 * 1024 / 256
  EXPECT_EQ(p.augment.hflip_p, 0.5);
  const TrainerParams t = p.trainer_params();
  ASSERT_EQ(t.stages.size(), 3u);
  EXPECT_EQ(t.stages[0].epochs, 1000);
  EXPECT_EQ(t.stages[0].out_dim, 128);
  EXPECT_EQ(t.stages[0].warmup_epochs, 10);
  EXPECT_EQ(t.stages[1].trainable, Trainable::output_only);
  EXPECT_EQ(t.stages[1].out_dim, 2);
  EXPECT_EQ(t.stages[1].warmup_epochs, 0);
  EXPECT_DOUBLE_EQ(t.stages[1].learning_rate, 0.12);
  EXPECT_DOUBLE_EQ(t.stages[2].learning_rate, 0.12 / 1000);
  EXPECT_EQ(t.stages[2].trainable, Trainable::all);
  EXPECT_EQ(t.weight_decay, 5e-4);
  EXPECT_EQ(t.momentum, 0.9);
}

TEST(TsimcneParams, SpecValuesReachTheTrainer) {
  const TsimcneParams p = params_of(
      R"({"type": "tsimcne", "backbone": "small_cnn", "width": 8,
          "hidden_dim": 64,
          "epochs": [6, 2, 3], "pretrain_dim": 32, "dim": 3,
          "batch_size": 128, "warmup_epochs": 4, "output_init_std": 0.5,
          "augment": {"preset": "digits"}, "torch_threads": 1})");
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.015); // 0.03 * 128 / 256
  EXPECT_EQ(p.width, 8);
  EXPECT_EQ(p.augment.hflip_p, 0.0);
  const TrainerParams t = p.trainer_params();
  EXPECT_EQ(t.stages[0].out_dim, 32);
  EXPECT_EQ(t.stages[0].warmup_epochs, 4);
  EXPECT_EQ(t.stages[2].warmup_epochs, 3); // cut to the stage length
  EXPECT_EQ(t.stages[1].out_dim, 3);
  EXPECT_EQ(t.stages[1].output_init_std, 0.5);

  // One stage: SimCLR at 128-D with the cosine loss.
  const TsimcneParams s = params_of(
      R"({"type": "tsimcne", "loss": "cosine", "temperature": 0.2,
          "epochs": 7, "dim": 128, "learning_rate": 0.5})");
  const TrainerParams st = s.trainer_params();
  ASSERT_EQ(st.stages.size(), 1u);
  EXPECT_EQ(st.stages[0].epochs, 7);
  EXPECT_EQ(st.stages[0].out_dim, 128);
  EXPECT_EQ(st.stages[0].learning_rate, 0.5);
  EXPECT_EQ(st.stages[0].warmup_epochs, 7);
  EXPECT_EQ(st.loss, "cosine");
  EXPECT_EQ(st.temperature, 0.2);
}

TEST(TsimcneParams, BadKeysNameTheirPath) {
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "epochs": [10, 5]})")
                .find("runs[0].method.epochs"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "temperature": 0.5})")
                .find("runs[0].method.temperature"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "epochs": 5, "pretrain_dim": 8})")
                .find("runs[0].method.pretrain_dim"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "backbone": "vgg"})")
                .find("runs[0].method.backbone"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "augment": {"hflip_p": 2}})")
                .find("runs[0].method.augment.hflip_p"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "batch_size": 1})")
                .find("runs[0].method.batch_size"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "epochs": 0})")
                .find("runs[0].method.epochs"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "epochs": 9,
                            "finetune_learning_rate": 0.1})")
                .find("runs[0].method.finetune_learning_rate"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "width": 16})")
                .find("runs[0].method.width"),
            std::string::npos);
  EXPECT_NE(
      spec_error(R"({"type": "tsimcne", "lr": 0.1})").find("runs[0].method.lr"),
      std::string::npos);
}

TEST(TsimcneParams, NormKeys) {
  const TsimcneParams d = params_of(R"({"type": "tsimcne"})");
  EXPECT_EQ(d.cut_init, 1.0);
  EXPECT_EQ(d.grad_scale, 0.0);
  EXPECT_TRUE(d.eval_epochs.empty());
  EXPECT_EQ(d.eval_k, 15);
  const TsimcneParams p = params_of(
      R"({"type": "tsimcne", "loss": "cosine", "dim": 128, "epochs": 8,
          "cut_init": 3, "grad_scale": 1, "eval_epochs": [1, 2, 4, 8],
          "eval_k": 10})");
  EXPECT_EQ(p.cut_init, 3.0);
  EXPECT_EQ(p.eval_epochs, (std::vector<int>{1, 2, 4, 8}));
  const TrainerParams t = p.trainer_params();
  EXPECT_EQ(t.grad_scale, 1.0);
  EXPECT_EQ(t.eval_epochs, (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(t.eval_k, 10);
  // Within the three stages' total.
  EXPECT_EQ(params_of(R"({"type": "tsimcne", "epochs": [2, 1, 1],
                          "eval_epochs": [4]})")
                .eval_epochs,
            (std::vector<int>{4}));

  const auto error_at = [](const std::string &text, const std::string &path) {
    const std::string e = spec_error(text);
    EXPECT_NE(e.find(path), std::string::npos) << e;
  };
  error_at(R"({"type": "tsimcne", "cut_init": 0})", "runs[0].method.cut_init");
  error_at(R"({"type": "tsimcne", "grad_scale": -1})",
           "runs[0].method.grad_scale");
  error_at(R"({"type": "tsimcne", "epochs": 8, "eval_epochs": [1, 9]})",
           "runs[0].method.eval_epochs[1]");
  error_at(R"({"type": "tsimcne", "epochs": 8, "eval_epochs": [4, 2]})",
           "runs[0].method.eval_epochs: must be strictly increasing");
  error_at(R"({"type": "tsimcne", "epochs": 8, "eval_epochs": [0]})",
           "runs[0].method.eval_epochs[0]");
  error_at(R"({"type": "tsimcne", "eval_k": 5})", "runs[0].method.eval_k");
  error_at(R"({"type": "tsimcne", "cut": 3})", "runs[0].method.cut");
}

TEST(TsimcneMethod, WithoutLibTorchTheTypeIsAMissingFeature) {
  register_torch_methods();
  set_torch_method_factory("tsimcne", {});
  const json j = json::parse(R"({"type": "tsimcne"})");
  try {
    make_method(SpecNode(j, "s.json", "runs[0].method"));
    ADD_FAILURE() << "expected a MissingFeatureError";
  } catch (const MissingFeatureError &e) {
    EXPECT_NE(std::string(e.what()).find("runs[0].method.type"),
              std::string::npos);
  }
  register_torch_methods();
  EXPECT_NO_THROW(make_method(SpecNode(j, "s.json", "runs[0].method")));
}

/// 24 grey 8 x 8 images of two classes: a bright left half or a bright
/// top half, with a little seeded variation.
struct TinyImages {
  Matrix pixels{24, 64};
  std::vector<std::int32_t> labels;
  TinyImages() {
    for (int i = 0; i < 24; ++i) {
      const int cls = i % 2;
      labels.push_back(cls);
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) {
          const bool on = cls == 0 ? x < 4 : y < 4;
          pixels(i, y * 8 + x) = (on ? 0.8f : 0.1f) + 0.01f * float(i % 5);
        }
    }
  }
  Problem problem() const {
    Problem p;
    p.X = &pixels;
    p.pixels = &pixels;
    p.labels = &labels;
    p.image = ImageShape{1, 8, 8};
    return p;
  }
};

TsimcneMethod tiny_method() {
  TsimcneParams p;
  p.backbone = "small_cnn";
  p.width = 8;
  p.hidden_dim = 16;
  p.epochs = {2, 1, 1};
  p.pretrain_dim = 8;
  p.batch_size = 8;
  p.learning_rate = 0.05;
  p.warmup_epochs = 1;
  p.torch_threads = 1;
  p.embed_batch_size = 5; // several embedding batches
  return TsimcneMethod(p);
}

TEST(TsimcneMethod, RunGivesEmbeddingFeaturesAndOneTraceRowPerEpoch) {
  const TinyImages data;
  TsimcneMethod method = tiny_method();
  RunContext ctx;
  ctx.seed = 3;
  const MethodOutput out = method.run(data.problem(), ctx);
  EXPECT_EQ(out.embedding.rows, 24);
  EXPECT_EQ(out.embedding.cols, 2);
  ASSERT_TRUE(out.features.has_value());
  EXPECT_EQ(out.features->rows, 24);
  EXPECT_EQ(out.features->cols, 32); // the small CNN's h, 4 x width
  for (double v : out.embedding.data)
    EXPECT_TRUE(std::isfinite(v));
  const auto &epoch = out.trace.columns.at("epoch");
  ASSERT_EQ(epoch.size(), 4u);
  EXPECT_EQ(epoch.back(), 4.0);
  EXPECT_EQ(out.trace.columns.at("stage").back(), 3.0);
  EXPECT_TRUE(out.trace.columns.count("norm_mean"));

  // The same seed gives the same run, bitwise; another seed does not.
  const MethodOutput again = method.run(data.problem(), ctx);
  EXPECT_EQ(again.embedding.data, out.embedding.data);
  EXPECT_EQ(again.features->data, out.features->data);
  ctx.seed = 4;
  const MethodOutput other = method.run(data.problem(), ctx);
  EXPECT_NE(other.embedding.data, out.embedding.data);
}

TEST(TsimcneParams, ClassSubsetKeys) {
  const TsimcneParams d = params_of(R"({"type": "tsimcne"})");
  EXPECT_FALSE(d.train_subset.active());
  const TsimcneParams p = params_of(
      R"({"type": "tsimcne", "train_exclude_classes": [8, 9],
          "train_class_decay": 1.5})");
  EXPECT_EQ(p.train_subset.exclude, (std::vector<std::int32_t>{8, 9}));
  EXPECT_DOUBLE_EQ(p.train_subset.decay, 1.5);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "train_class_decay": 0.5})")
                .find("runs[0].method.train_class_decay"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"type": "tsimcne", "train_exclude_classes": [-1]})")
                .find("runs[0].method.train_exclude_classes[0]"),
            std::string::npos);
}

TEST(TsimcneMethod, ClassSubsetTrainsOnSomeRowsAndEmbedsAll) {
  const TinyImages data;
  TsimcneParams p = tiny_method().params();
  p.train_subset.exclude = {1};
  TsimcneMethod method(p);
  RunContext ctx;
  ctx.seed = 2;
  const MethodOutput out = method.run(data.problem(), ctx);
  EXPECT_EQ(out.embedding.rows, 24); // every image is embedded
  ASSERT_TRUE(out.training_rows.has_value());
  ASSERT_EQ(out.training_rows->size(), 12u); // class 0 only
  for (const auto r : *out.training_rows)
    EXPECT_EQ(data.labels[r], 0);
  // The trace's per-class norms are over the training images: class 1 is
  // not among them.
  EXPECT_TRUE(out.trace.columns.count("norm_class0"));
  EXPECT_FALSE(out.trace.columns.count("norm_class1"));
  // Without the keys no training rows are reported.
  EXPECT_FALSE(tiny_method().run(data.problem(), ctx).training_rows);
}

TEST(TsimcneMethod, ResumesFromTheRunnersCheckpoint) {
  const TinyImages data;
  TsimcneMethod method = tiny_method();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "nebench_tsimcne_resume";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  RunContext ctx;
  ctx.seed = 9;
  const MethodOutput plain = method.run(data.problem(), ctx);

  // Stop before the third epoch (ctx.check() runs before every batch);
  // the checkpoint then holds two finished epochs.
  ctx.checkpoint_path = (dir / "run.ckpt").string();
  std::atomic<bool> stop{false};
  ctx.stop = &stop;
  ctx.progress = [&](std::int64_t done, std::int64_t, const std::string &) {
    if (done == 2)
      stop = true;
  };
  EXPECT_THROW(method.run(data.problem(), ctx), Interrupted);
  ASSERT_TRUE(std::filesystem::exists(ctx.checkpoint_path));
  stop = false;
  ctx.progress = nullptr;
  const MethodOutput resumed = method.run(data.problem(), ctx);
  EXPECT_EQ(resumed.embedding.data, plain.embedding.data);
  EXPECT_EQ(resumed.trace.columns.at("loss"), plain.trace.columns.at("loss"));
  std::filesystem::remove_all(dir);
}

TEST(TsimcneMethod, CutInitDividesEveryParameterOfTheSeededInit) {
  TsimcneParams p;
  p.backbone = "small_cnn";
  p.width = 4;
  p.hidden_dim = 16;
  p.epochs = {3};
  p.dim = 8;
  const auto uncut = make_tsimcne_model(p, 1, 7);
  p.cut_init = 3.0;
  const auto cut = make_tsimcne_model(p, 1, 7);
  const auto a = uncut->named_parameters(), b = cut->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 6u); // convolutions, BN gamma and beta, the head
  for (const auto &item : a) {
    const torch::Tensor want = item.value().detach() / 3.0;
    EXPECT_TRUE(torch::equal(b[item.key()].detach(), want)) << item.key();
  }
  // The BN running statistics are buffers, not parameters: untouched.
  const auto ab = uncut->named_buffers(), bb = cut->named_buffers();
  for (const auto &item : ab)
    EXPECT_TRUE(torch::equal(bb[item.key()], item.value())) << item.key();
  // Another seed, another init.
  p.cut_init = 1.0;
  const auto other = make_tsimcne_model(p, 1, 8);
  EXPECT_FALSE(torch::equal(other->output_layer()->weight,
                            uncut->output_layer()->weight));
}

TEST(TsimcneMethod, NormColumnsAndEvalEpochsInTheTrace) {
  const TinyImages data;
  TsimcneParams p;
  p.backbone = "small_cnn";
  p.width = 8;
  p.hidden_dim = 16;
  p.loss = "cosine";
  p.epochs = {4};
  p.dim = 16;
  p.batch_size = 8;
  p.learning_rate = 0.05;
  p.warmup_epochs = 0;
  p.torch_threads = 1;
  p.cut_init = 3.0;
  p.grad_scale = 1.0;
  p.eval_epochs = {1, 2, 4};
  p.eval_k = 3;
  TsimcneMethod method(p);
  RunContext ctx;
  ctx.seed = 2;
  const MethodOutput out = method.run(data.problem(), ctx);
  const auto &knn = out.trace.columns.at("knn_features");
  ASSERT_EQ(knn.size(), 4u);
  EXPECT_TRUE(std::isfinite(knn[0]) && std::isfinite(knn[1]) &&
              std::isfinite(knn[3]));
  EXPECT_TRUE(std::isnan(knn[2]));
  EXPECT_EQ(out.trace.columns.at("norm_class0").size(), 4u);
  EXPECT_EQ(out.trace.columns.at("norm_class1").size(), 4u);

  // Cut-init shrinks z at the start: the first epoch's mean norm is below
  // that of the uncut run with the same seed (about c^3 at init).
  p.cut_init = 1.0;
  const MethodOutput uncut = TsimcneMethod(p).run(data.problem(), ctx);
  EXPECT_LT(out.trace.columns.at("norm_mean")[0],
            uncut.trace.columns.at("norm_mean")[0]);

  // eval_epochs without labels: an error; without eval_epochs no labels
  // are needed (and no class columns appear).
  Problem unlabelled = data.problem();
  const std::vector<std::int32_t> none;
  unlabelled.labels = &none;
  EXPECT_THROW(method.run(unlabelled, ctx), NebenchError);
  p.eval_epochs.clear();
  const MethodOutput plain = TsimcneMethod(p).run(unlabelled, ctx);
  EXPECT_FALSE(plain.trace.columns.count("norm_class0"));
  EXPECT_FALSE(plain.trace.columns.count("knn_features"));
}

TEST(TsimcneMethod, RefusesDataWithoutImages) {
  const TinyImages data;
  TsimcneMethod method = tiny_method();
  Problem p = data.problem();
  p.pixels = nullptr;
  EXPECT_THROW(method.run(p, RunContext{}), NebenchError);
  p = data.problem();
  p.image = ImageShape{1, 7, 8}; // 56 values, the rows have 64
  EXPECT_THROW(method.run(p, RunContext{}), NebenchError);
}

} // namespace
} // namespace nebench
