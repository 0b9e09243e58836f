// The staged contrastive trainer (engine/torch/image/contrastive_trainer.h)
// on tiny problems (64 random 1 x 12 x 12 images, SmallCnn with a 32-wide
// head, batch 16): the warm-up + cosine schedule against hand-computed
// values and in the trace, t-SimCNE's stage table, bitwise reproducibility
// with one thread, resume from a checkpoint equal to an uninterrupted run
// (interrupted at a stage boundary, inside a stage and inside an epoch),
// an output_only stage that changes nothing but the new output layer, the
// loss decreasing on two easy classes, parameter errors, and the norm
// columns of Draganov et al. (2025): per-class norm means with labels, the
// kNN accuracy of the features after eval_epochs (also across a resume,
// with GradScale on).

#include "engine/core/errors.h"
#include "engine/core/run_context.h"
#include "engine/torch/image/contrastive_embed.h"
#include "engine/torch/image/contrastive_model.h"
#include "engine/torch/image/contrastive_trainer.h"
#include "engine/torch/image/warmup_cosine_lr.h"
#include "engine/torch/torch_threads.h"
#include "metrics/knn_accuracy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace nebench {
namespace {

namespace fs = std::filesystem;

TEST(ImageWarmupCosineLr, HandComputedValues) {
  // E = 20, W = 5: warm-up linspace(0, 0.1, 5), then 0.05 (1 + cos(pi j/16)).
  EXPECT_EQ(warmup_cosine_lr(0.1, 20, 5, 0), 0.0);
  EXPECT_NEAR(warmup_cosine_lr(0.1, 20, 5, 2), 0.05, 1e-15);
  EXPECT_NEAR(warmup_cosine_lr(0.1, 20, 5, 4), 0.1, 1e-15);
  EXPECT_NEAR(warmup_cosine_lr(0.1, 20, 5, 5), 0.1, 1e-15);
  // j = 5: cos(5 pi / 16) = 0.5555702330196022.
  EXPECT_NEAR(warmup_cosine_lr(0.1, 20, 5, 10), 0.05 * 1.5555702330196022,
              1e-15);
  // j = 14: cos(14 pi / 16) = -0.9238795325112867.
  EXPECT_NEAR(warmup_cosine_lr(0.1, 20, 5, 19), 0.05 * 0.0761204674887133,
              1e-15);
  // No warm-up, E = 3: 0.1, 0.05 (1 + cos(pi / 4)), 0.05 (1 + cos(pi / 2)).
  EXPECT_EQ(warmup_cosine_lr(0.1, 3, 0, 0), 0.1);
  EXPECT_NEAR(warmup_cosine_lr(0.1, 3, 0, 1), 0.05 * 1.7071067811865475, 1e-15);
  EXPECT_NEAR(warmup_cosine_lr(0.1, 3, 0, 2), 0.05, 1e-15);
  // W = 1: linspace(0, base, 1) = [0].
  EXPECT_EQ(warmup_cosine_lr(0.1, 3, 1, 0), 0.0);
  EXPECT_THROW(warmup_cosine_lr(0.1, 3, 0, 3), NebenchError);
  EXPECT_THROW(warmup_cosine_lr(0.1, 3, 4, 0), NebenchError);
}

TEST(ImageContrastiveTrainer, TsimcneStages) {
  EXPECT_DOUBLE_EQ(tsimcne_learning_rate(1024), 0.12);
  const auto stages = tsimcne_stages(1024);
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].epochs, 1000);
  EXPECT_EQ(stages[1].epochs, 50);
  EXPECT_EQ(stages[2].epochs, 450);
  EXPECT_DOUBLE_EQ(stages[0].learning_rate, 0.12);
  EXPECT_DOUBLE_EQ(stages[1].learning_rate, 0.12);
  EXPECT_DOUBLE_EQ(stages[2].learning_rate, 0.12e-3);
  EXPECT_EQ(stages[0].warmup_epochs, 10);
  EXPECT_EQ(stages[1].warmup_epochs, 0);
  EXPECT_EQ(stages[2].warmup_epochs, 10);
  EXPECT_EQ(stages[0].out_dim, 128);
  EXPECT_EQ(stages[1].out_dim, 2);
  EXPECT_EQ(stages[2].out_dim, 2);
  EXPECT_EQ(stages[1].trainable, Trainable::output_only);
  EXPECT_EQ(stages[1].output_init_std, 1.0);
  EXPECT_EQ(stages[2].trainable, Trainable::all);
}

/// 64 images 1 x 12 x 12 in [0, 1] (fixed by torch's seed).
torch::Tensor tiny_images(std::uint64_t seed = 11) {
  torch::manual_seed(seed);
  return torch::rand({64, 1, 12, 12});
}

/// Mild noise plus a random brightness, from the trainer's generator.
ContrastiveTrainer::Augment noise_augment(double sd = 0.05) {
  return [sd](const torch::Tensor &x, torch::Generator &gen) {
    const torch::Tensor noise =
        torch::empty(x.sizes(), x.options()).normal_(0.0, sd, gen);
    const torch::Tensor gain =
        torch::empty({x.size(0), 1, 1, 1}, x.options()).uniform_(0.8, 1.2, gen);
    return (x * gain + noise).clamp(0.0, 1.0);
  };
}

std::unique_ptr<ContrastiveModel> tiny_model(std::uint64_t seed = 5,
                                             int out_dim = 8) {
  torch::manual_seed(seed);
  return std::make_unique<ContrastiveModel>(make_backbone("small_cnn", 1), 32,
                                            out_dim);
}

/// t-SimCNE's three stages in miniature: 2 + 1 + 2 epochs, 8-D then 2-D.
TrainerParams three_stages() {
  TrainerParams p;
  p.batch_size = 16;
  p.seed = 3;
  p.norm_images = 32;
  TrainStage pre;
  pre.epochs = 2;
  pre.learning_rate = 0.05;
  pre.warmup_epochs = 1;
  pre.out_dim = 8;
  TrainStage linear;
  linear.epochs = 1;
  linear.learning_rate = 0.05;
  linear.out_dim = 2;
  linear.trainable = Trainable::output_only;
  TrainStage fine;
  fine.epochs = 2;
  fine.learning_rate = 0.05 / 1000;
  fine.warmup_epochs = 1;
  fine.out_dim = 2;
  p.stages = {pre, linear, fine};
  return p;
}

std::map<std::string, torch::Tensor> state(const ContrastiveModel &m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto &p : m.named_parameters())
    out["param " + p.key()] = p.value().detach().clone();
  for (const auto &b : m.named_buffers())
    out["buffer " + b.key()] = b.value().detach().clone();
  return out;
}

void expect_equal_states(const std::map<std::string, torch::Tensor> &a,
                         const std::map<std::string, torch::Tensor> &b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto &[name, value] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(value.sizes() == b.at(name).sizes() &&
                torch::equal(value, b.at(name)))
        << name;
  }
}

/// The trace columns except the wall time, bitwise (so that the NaN of an
/// epoch without a kNN evaluation equals itself).
void expect_equal_traces(const Trace &a, const Trace &b) {
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (const auto &[name, column] : a.columns) {
    if (name == "seconds")
      continue;
    ASSERT_TRUE(b.columns.count(name)) << name;
    const auto &other = b.columns.at(name);
    ASSERT_EQ(column.size(), other.size()) << name;
    EXPECT_EQ(std::memcmp(column.data(), other.data(),
                          column.size() * sizeof(double)),
              0)
        << name;
  }
}

/// Three classes 0, 1, 2 over the 64 tiny images (i mod 3).
std::vector<std::int32_t> tiny_labels() {
  std::vector<std::int32_t> labels(64);
  for (int i = 0; i < 64; ++i)
    labels[i] = i % 3;
  return labels;
}

class TempDir {
public:
  explicit TempDir(const std::string &name)
      : path_(fs::temp_directory_path() /
              ("nebench_image_trainer_" + std::to_string(::getpid()) + "_" +
               name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string &name) const { return path_ / name; }

private:
  fs::path path_;
};

TEST(ImageContrastiveTrainer, TraceFollowsTheSchedule) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  auto model = tiny_model();
  const TrainerParams p = three_stages();
  std::vector<std::int64_t> progress;
  RunContext ctx;
  ctx.progress = [&](std::int64_t done, std::int64_t total,
                     const std::string &) {
    EXPECT_EQ(total, 5);
    progress.push_back(done);
  };
  const Trace t =
      ContrastiveTrainer(p).train(images, noise_augment(), *model, ctx);
  EXPECT_EQ(progress, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  ASSERT_EQ(t.length(), 5u);
  EXPECT_EQ(t.columns.at("epoch"), (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(t.columns.at("stage"), (std::vector<double>{1, 1, 2, 3, 3}));
  // Stage 1 (E 2, W 1): 0, then 0.05 (1 + cos(0)) / 2; stage 2 (E 1): lr;
  // stage 3 like stage 1 at lr / 1000.
  EXPECT_EQ(t.columns.at("lr"),
            (std::vector<double>{0.0, 0.05, 0.05, 0.0, 0.05 / 1000}));
  for (const char *col :
       {"loss", "norm_mean", "norm_q05", "norm_q50", "norm_q95", "seconds"})
    for (double v : t.columns.at(col))
      EXPECT_TRUE(std::isfinite(v)) << col;
  for (std::size_t i = 0; i < t.length(); ++i) {
    EXPECT_LE(t.columns.at("norm_q05")[i], t.columns.at("norm_q50")[i]);
    EXPECT_LE(t.columns.at("norm_q50")[i], t.columns.at("norm_q95")[i]);
    EXPECT_GT(t.columns.at("norm_mean")[i], 0.0);
  }
  EXPECT_EQ(model->out_dim(), 2);
  EXPECT_EQ(model->trainable(), Trainable::all);
}

TEST(ImageContrastiveTrainer, SeededRunsAreBitwiseReproducible) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  TrainerParams p = three_stages();
  p.loss = "cosine"; // the other loss, for coverage
  const ContrastiveTrainer trainer(p);
  auto a = tiny_model(), b = tiny_model();
  const Trace ta = trainer.train(images, noise_augment(), *a, RunContext{});
  const Trace tb = trainer.train(images, noise_augment(), *b, RunContext{});
  expect_equal_states(state(*a), state(*b));
  expect_equal_traces(ta, tb);

  // Another trainer seed: other permutations, views and output layer.
  p.seed = 4;
  auto c = tiny_model();
  ContrastiveTrainer(p).train(images, noise_augment(), *c, RunContext{});
  EXPECT_FALSE(torch::equal(state(*a).at("param head_output.weight"),
                            state(*c).at("param head_output.weight")));
}

/// Interrupts the run after `epochs` completed epochs (from the progress
/// callback) or after `augment_calls` augmentation calls (mid-epoch).
struct Interrupter {
  std::atomic<bool> stop{false};
  RunContext ctx;
  explicit Interrupter(std::int64_t epochs) {
    ctx.stop = &stop;
    ctx.progress = [this, epochs](std::int64_t done, std::int64_t,
                                  const std::string &) {
      if (done == epochs)
        stop = true;
    };
  }
};

TEST(ImageContrastiveTrainer, ResumeEqualsUninterrupted) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  // With the norm columns of the norms paper: per-class norm means, the
  // features' kNN accuracy after epochs 2, 3 and 5 (NaN after 1 and 4),
  // and GradScale.
  TrainerParams plain = three_stages();
  plain.labels = tiny_labels();
  plain.eval_epochs = {2, 3, 5};
  plain.eval_k = 5;
  plain.grad_scale = 1.0;
  auto reference = tiny_model();
  const Trace full = ContrastiveTrainer(plain).train(images, noise_augment(),
                                                     *reference, RunContext{});
  const auto expected = state(*reference);

  // After epoch 2 (the end of stage 1: the next stage replaces the output),
  // after epoch 4 (inside stage 3), and inside epoch 2 (the augmentation
  // raises the flag on its 6th call, in the 3rd of 4 batches).
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    TempDir dir("resume" + std::to_string(variant));
    TrainerParams p = plain;
    p.checkpoint_path = dir.file("ck.pt");
    Interrupter stopper(variant == 0 ? 2 : variant == 1 ? 4 : -1);
    int calls = 0;
    ContrastiveTrainer::Augment augment = noise_augment();
    if (variant == 2) {
      const ContrastiveTrainer::Augment inner = augment;
      augment = [&, inner](const torch::Tensor &x, torch::Generator &gen) {
        if (++calls == 8 + 6) // 8 calls per epoch
          stopper.stop = true;
        return inner(x, gen);
      };
    }
    auto first = tiny_model();
    EXPECT_THROW(
        ContrastiveTrainer(p).train(images, augment, *first, stopper.ctx),
        Interrupted);
    ASSERT_TRUE(fs::exists(p.checkpoint_path));
    EXPECT_FALSE(fs::exists(p.checkpoint_path + ".tmp"));

    // A new process: a fresh model with another init, no stop flag.
    auto resumed = tiny_model(99);
    std::vector<std::int64_t> progress;
    RunContext ctx;
    ctx.progress = [&](std::int64_t done, std::int64_t, const std::string &) {
      progress.push_back(done);
    };
    const Trace t =
        ContrastiveTrainer(p).train(images, noise_augment(), *resumed, ctx);
    const std::int64_t resumed_at = variant == 0 ? 2 : variant == 1 ? 4 : 1;
    ASSERT_FALSE(progress.empty());
    EXPECT_EQ(progress.front(), resumed_at + 1);
    expect_equal_states(expected, state(*resumed));
    expect_equal_traces(full, t);

    // A complete checkpoint: nothing left to run, the final state loaded.
    auto again = tiny_model(7);
    progress.clear();
    const Trace t2 =
        ContrastiveTrainer(p).train(images, noise_augment(), *again, ctx);
    EXPECT_TRUE(progress.empty());
    expect_equal_states(expected, state(*again));
    expect_equal_traces(full, t2);
  }
  ASSERT_TRUE(full.columns.count("knn_features"));
  ASSERT_TRUE(full.columns.count("norm_class2"));
  EXPECT_TRUE(std::isnan(full.columns.at("knn_features")[3]));
  EXPECT_TRUE(std::isfinite(full.columns.at("knn_features")[4]));
}

TEST(ImageContrastiveTrainer, PerClassNormMeansWithLabels) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  TrainerParams p = three_stages();
  p.stages.resize(1);
  p.stages[0].epochs = 2;
  p.norm_images = 30; // classes 0, 1, 2 ten times each
  p.labels = tiny_labels();
  auto model = tiny_model();
  const Trace t = ContrastiveTrainer(p).train(images, noise_augment(), *model,
                                              RunContext{});
  ASSERT_EQ(t.length(), 2u);
  // The class means over the subset's ten images each average to the mean.
  for (std::size_t r = 0; r < 2; ++r) {
    double mean = 0.0;
    for (int k = 0; k < 3; ++k)
      mean += t.columns.at("norm_class" + std::to_string(k))[r] / 3.0;
    EXPECT_NEAR(mean, t.columns.at("norm_mean")[r], 1e-12);
  }
  EXPECT_FALSE(t.columns.count("norm_class3"));
  EXPECT_FALSE(t.columns.count("knn_features")); // no eval_epochs
  // The last row is the final model's: recompute class 1's mean norm.
  const torch::Tensor z =
      embed(*model, images.narrow(0, 0, 30), 16).first.to(torch::kFloat64);
  const torch::Tensor norms = z.norm(2, 1);
  double sum = 0.0;
  for (int i = 1; i < 30; i += 3)
    sum += norms[i].item<double>();
  EXPECT_NEAR(t.columns.at("norm_class1").back(), sum / 10.0, 1e-6);

  // Negative labels are unlabelled: no column; a class only outside the
  // subset: no column either.
  p.labels.assign(64, -1);
  p.labels[0] = 4;
  p.labels[40] = 7;
  auto other = tiny_model();
  const Trace u = ContrastiveTrainer(p).train(images, noise_augment(), *other,
                                              RunContext{});
  std::vector<std::string> class_columns;
  for (const auto &[name, column] : u.columns)
    if (name.rfind("norm_class", 0) == 0)
      class_columns.push_back(name);
  EXPECT_EQ(class_columns, (std::vector<std::string>{"norm_class4"}));
  // Without labels: none.
  p.labels.clear();
  auto third = tiny_model();
  const Trace v = ContrastiveTrainer(p).train(images, noise_augment(), *third,
                                              RunContext{});
  for (const auto &[name, column] : v.columns)
    EXPECT_NE(name.rfind("norm_class", 0), 0u) << name;
}

TEST(ImageContrastiveTrainer, EvalEpochsLogTheFeaturesKnnAccuracy) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  TrainerParams p = three_stages();
  p.labels = tiny_labels();
  p.eval_epochs = {1, 2, 5};
  p.eval_k = 3;
  auto model = tiny_model();
  const Trace t = ContrastiveTrainer(p).train(images, noise_augment(), *model,
                                              RunContext{});
  const auto &knn = t.columns.at("knn_features");
  ASSERT_EQ(knn.size(), 5u);
  for (const std::size_t r : {0u, 1u, 4u}) {
    EXPECT_TRUE(std::isfinite(knn[r])) << r;
    EXPECT_GE(knn[r], 0.0);
    EXPECT_LE(knn[r], 1.0);
  }
  EXPECT_TRUE(std::isnan(knn[2]));
  EXPECT_TRUE(std::isnan(knn[3]));
  // Epoch 5 is the end: metrics/knn_accuracy.h on the final features with
  // the trainer's seed, k and the 80/20 split.
  const torch::Tensor h =
      embed(*model, images, 16).second.to(torch::kFloat64).contiguous();
  MatrixD hm(h.size(0), h.size(1));
  std::memcpy(hm.data.data(), h.data_ptr<double>(),
              hm.data.size() * sizeof(double));
  EXPECT_EQ(knn[4], knn_accuracy(hm, p.labels, 3, 0.2, p.seed));
}

TEST(ImageContrastiveTrainer, GradScaleChangesTheTraining) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  TrainerParams p = three_stages();
  p.loss = "cosine";
  p.stages.resize(1);
  auto a = tiny_model(), b = tiny_model();
  ContrastiveTrainer(p).train(images, noise_augment(), *a, RunContext{});
  p.grad_scale = 1.0;
  ContrastiveTrainer(p).train(images, noise_augment(), *b, RunContext{});
  EXPECT_FALSE(torch::equal(state(*a).at("param head_output.weight"),
                            state(*b).at("param head_output.weight")));
}

TEST(ImageContrastiveTrainer, CheckpointOfAnotherConfigurationIsRefused) {
  const TorchThreadsScope threads(1);
  TempDir dir("fingerprint");
  const torch::Tensor images = tiny_images();
  TrainerParams p = three_stages();
  p.stages.resize(1);
  p.stages[0].epochs = 1;
  p.checkpoint_path = dir.file("ck.pt");
  auto model = tiny_model();
  ContrastiveTrainer(p).train(images, noise_augment(), *model, RunContext{});
  p.seed = 17;
  auto other = tiny_model();
  try {
    ContrastiveTrainer(p).train(images, noise_augment(), *other, RunContext{});
    FAIL() << "no error";
  } catch (const NebenchError &e) {
    EXPECT_NE(std::string(e.what()).find("different configuration"),
              std::string::npos)
        << e.what();
  }
}

TEST(ImageContrastiveTrainer, OutputOnlyStageChangesOnlyTheNewLayer) {
  const TorchThreadsScope threads(1);
  const torch::Tensor images = tiny_images();
  auto model = tiny_model(5, 8);
  const auto before = state(*model);
  TrainerParams p;
  p.batch_size = 16;
  p.seed = 1;
  TrainStage linear;
  linear.epochs = 2;
  linear.learning_rate = 0.1;
  linear.out_dim = 2;
  linear.trainable = Trainable::output_only;
  p.stages = {linear};
  const Trace t = ContrastiveTrainer(p).train(images, noise_augment(), *model,
                                              RunContext{});
  const auto after = state(*model);
  for (const auto &[name, value] : before) {
    if (name.find("head_output.") != std::string::npos) {
      EXPECT_EQ(after.at(name).size(0), 2) << name; // replaced: 2-D
      continue;
    }
    // Frozen weights and BN running statistics (num_batches_tracked too).
    EXPECT_TRUE(torch::equal(value, after.at(name))) << name;
  }
  // The new layer started at N(0, 1) and was trained: it has moved off its
  // seeded init, which a second model with the same seed reproduces.
  auto fresh = tiny_model(5, 8);
  p.stages[0].learning_rate = 0.0;
  p.momentum = 0.0;
  ContrastiveTrainer(p).train(images, noise_augment(), *fresh, RunContext{});
  const torch::Tensor w0 = fresh->output_layer()->weight.detach();
  EXPECT_NEAR(w0.std().item<double>(), 1.0, 0.3); // 64 draws of N(0, 1)
  EXPECT_FALSE(torch::equal(w0, after.at("param head_output.weight")));
}

TEST(ImageContrastiveTrainer, LossDecreasesOnTwoEasyClasses) {
  const TorchThreadsScope threads(1);
  // Class 0: bright top half, class 1: bright bottom half.
  torch::Tensor images = torch::full({64, 1, 12, 12}, 0.1);
  images.narrow(0, 0, 32).narrow(2, 0, 6).fill_(0.9);
  images.narrow(0, 32, 32).narrow(2, 6, 6).fill_(0.9);
  auto model = tiny_model(8);
  TrainerParams p;
  p.batch_size = 16;
  p.seed = 2;
  TrainStage stage;
  stage.epochs = 6;
  stage.learning_rate = 0.05;
  stage.out_dim = 8;
  p.stages = {stage};
  const Trace t = ContrastiveTrainer(p).train(images, noise_augment(0.05),
                                              *model, RunContext{});
  const auto &loss = t.columns.at("loss");
  ASSERT_EQ(loss.size(), 6u);
  EXPECT_LT(loss.back(), loss.front() - 0.1)
      << "first " << loss.front() << " last " << loss.back();
}

TEST(ImageContrastiveTrainer, RejectsInvalidParameters) {
  const auto error = [](const std::function<void(TrainerParams &)> &edit) {
    TrainerParams p = three_stages();
    edit(p);
    try {
      ContrastiveTrainer t(p);
    } catch (const NebenchError &e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error([](TrainerParams &p) { p.stages.clear(); }),
            "contrastive trainer: no stages");
  EXPECT_EQ(error([](TrainerParams &p) { p.stages[1].warmup_epochs = 2; }),
            "contrastive trainer: stage 2: warmup_epochs must be in [0, "
            "epochs]");
  EXPECT_EQ(error([](TrainerParams &p) { p.loss = "euclid"; }),
            "contrastive trainer: unknown loss \"euclid\" (known: cauchy, "
            "cosine)");
  EXPECT_EQ(error([](TrainerParams &p) { p.momentum = 1.0; }),
            "contrastive trainer: momentum must be in [0, 1)");
  EXPECT_EQ(error([](TrainerParams &p) { p.stages[0].epochs = 0; }),
            "contrastive trainer: stage 1: epochs must be >= 1");
  EXPECT_EQ(error([](TrainerParams &p) { p.grad_scale = -1; }),
            "contrastive trainer: grad_scale must be >= 0");
  EXPECT_EQ(error([](TrainerParams &p) {
              p.eval_epochs = {1, 6};
            }),
            "contrastive trainer: eval_epochs: 6 is outside [1, 5] (the "
            "total epochs)");
  EXPECT_EQ(error([](TrainerParams &p) {
              p.eval_epochs = {2, 2};
            }),
            "contrastive trainer: eval_epochs must be strictly increasing");
  EXPECT_EQ(error([](TrainerParams &p) {
              p.eval_epochs = {1};
              p.eval_k = 0;
            }),
            "contrastive trainer: eval_k must be >= 1");
  EXPECT_EQ(error([](TrainerParams &p) { p.eval_test_fraction = 1.0; }),
            "contrastive trainer: eval_test_fraction must be in (0, 1)");
  EXPECT_EQ(error([](TrainerParams &) {}), "(no error)");

  // Inputs: N >= 2, 4-D float32.
  auto model = tiny_model();
  const ContrastiveTrainer trainer(three_stages());
  EXPECT_THROW(trainer.train(torch::rand({1, 1, 12, 12}), noise_augment(),
                             *model, RunContext{}),
               NebenchError);
  EXPECT_THROW(trainer.train(torch::rand({8, 12, 12}), noise_augment(), *model,
                             RunContext{}),
               NebenchError);
  // Labels: one per image; eval_epochs need them.
  TrainerParams p = three_stages();
  p.labels = {0, 1, 0};
  EXPECT_THROW(ContrastiveTrainer(p).train(tiny_images(), noise_augment(),
                                           *model, RunContext{}),
               NebenchError);
  p.labels.clear();
  p.eval_epochs = {1};
  EXPECT_THROW(ContrastiveTrainer(p).train(tiny_images(), noise_augment(),
                                           *model, RunContext{}),
               NebenchError);
  // The labels and norm settings are part of the checkpoint's fingerprint.
  const TrainerParams base = three_stages();
  TrainerParams labelled = base;
  labelled.labels = tiny_labels();
  TrainerParams scaled = base;
  scaled.grad_scale = 1.0;
  const torch::Tensor images = tiny_images();
  const std::string fp = ContrastiveTrainer(base).fingerprint(images, *model);
  EXPECT_NE(ContrastiveTrainer(labelled).fingerprint(images, *model), fp);
  EXPECT_NE(ContrastiveTrainer(scaled).fingerprint(images, *model), fp);
}

} // namespace
} // namespace nebench
