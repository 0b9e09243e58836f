#include "engine/torch/tsimcne_method.h"

#include "engine/core/errors.h"
#include "engine/torch/augment/augment_pipeline.h"
#include "engine/torch/image/backbones.h"
#include "engine/torch/image/contrastive_embed.h"
#include "engine/torch/image/contrastive_model.h"
#include "engine/torch/torch_device.h"
#include "engine/torch/torch_threads.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

namespace nebench {

TsimcneParams TsimcneParams::from_spec(const SpecNode &node) {
  TsimcneParams p;
  p.backbone = node.string("backbone", p.backbone, {"resnet18", "small_cnn"});
  p.width =
      static_cast<int>(node.integer("width", p.width, Range::closed(1, 4096)));
  if (node.has("width") && p.backbone != "small_cnn")
    node.fail_at("width", "only for \"backbone\": \"small_cnn\" (resnet18 "
                          "has a fixed width)");
  p.hidden_dim = static_cast<int>(
      node.integer("hidden_dim", p.hidden_dim, Range::closed(1, 1e6)));
  p.loss = node.string("loss", p.loss, {"cauchy", "cosine"});
  p.temperature = node.number("temperature", p.temperature, Range::positive());
  if (node.has("temperature") && p.loss != "cosine")
    node.fail_at("temperature", "only for \"loss\": \"cosine\" (the Cauchy "
                                "loss has no temperature)");
  if (node.has("epochs")) {
    if (node.child("epochs").is_array()) {
      p.epochs.clear();
      for (std::int64_t e : node.integers("epochs", Range::closed(1, 1e7)))
        p.epochs.push_back(static_cast<int>(e));
      if (p.epochs.size() != 3)
        node.fail_at("epochs", "must be one integer (a single stage) or three "
                               "[pretrain, linear, finetune] (t-SimCNE's "
                               "stages), got " +
                                   std::to_string(p.epochs.size()) + " values");
    } else {
      p.epochs = {static_cast<int>(
          node.integer("epochs", std::nullopt, Range::closed(1, 1e7)))};
    }
  }
  p.dim = static_cast<int>(node.integer("dim", p.dim, Range::closed(1, 1e6)));
  p.pretrain_dim = static_cast<int>(
      node.integer("pretrain_dim", p.pretrain_dim, Range::closed(1, 1e6)));
  if (node.has("pretrain_dim") && p.epochs.size() != 3)
    node.fail_at("pretrain_dim", "only for the three-stage schedule "
                                 "(\"epochs\": [pretrain, linear, finetune])");
  p.batch_size = static_cast<int>(
      node.integer("batch_size", p.batch_size, Range::closed(2, 1e7)));
  p.learning_rate = node.number(
      "learning_rate", tsimcne_learning_rate(p.batch_size), Range::positive());
  p.finetune_learning_rate = node.number(
      "finetune_learning_rate", p.learning_rate / 1000.0, Range::positive());
  if (node.has("finetune_learning_rate") && p.epochs.size() != 3)
    node.fail_at("finetune_learning_rate",
                 "only for the three-stage schedule (\"epochs\": [pretrain, "
                 "linear, finetune])");
  p.warmup_epochs = static_cast<int>(
      node.integer("warmup_epochs", p.warmup_epochs, Range::closed(0, 1e7)));
  p.momentum = node.number("momentum", p.momentum, Range::half_open(0.0, 1.0));
  p.weight_decay =
      node.number("weight_decay", p.weight_decay, Range::at_least(0.0));
  p.output_init_std =
      node.number("output_init_std", p.output_init_std, Range::positive());
  if (const auto augment = node.optional_child("augment"))
    p.augment = AugmentConfig::from_spec(*augment);
  p.torch_threads = static_cast<int>(
      node.integer("torch_threads", p.torch_threads, Range::closed(0, 4096)));
  p.embed_batch_size = static_cast<int>(node.integer(
      "embed_batch_size", p.embed_batch_size, Range::closed(1, 1e7)));
  p.norm_images = static_cast<int>(
      node.integer("norm_images", p.norm_images, Range::closed(0, 1e9)));
  p.cut_init = node.number("cut_init", p.cut_init, Range::positive());
  p.grad_scale = node.number("grad_scale", p.grad_scale, Range::at_least(0.0));
  if (node.has("eval_epochs")) {
    int total = 0;
    for (const int e : p.epochs)
      total += e;
    for (std::int64_t e :
         node.integers("eval_epochs", Range::closed(1, total))) {
      if (!p.eval_epochs.empty() && e <= p.eval_epochs.back())
        node.fail_at("eval_epochs", "must be strictly increasing");
      p.eval_epochs.push_back(static_cast<int>(e));
    }
  }
  p.eval_k =
      static_cast<int>(node.integer("eval_k", p.eval_k, Range::closed(1, 1e6)));
  if (node.has("eval_k") && p.eval_epochs.empty())
    node.fail_at("eval_k", "only with \"eval_epochs\" (the epochs whose kNN "
                           "accuracy is logged)");
  if (node.has("train_exclude_classes"))
    for (std::int64_t c :
         node.integers("train_exclude_classes", Range::closed(0, 2147483647.0)))
      p.train_subset.exclude.push_back(static_cast<std::int32_t>(c));
  p.train_subset.decay =
      node.number("train_class_decay", 1.0, Range::at_least(1.0));
  node.finish();
  return p;
}

TrainerParams TsimcneParams::trainer_params() const {
  TrainerParams t;
  t.batch_size = batch_size;
  t.momentum = momentum;
  t.weight_decay = weight_decay;
  t.loss = loss;
  t.temperature = temperature;
  t.norm_images = norm_images;
  t.grad_scale = grad_scale;
  t.eval_epochs = eval_epochs;
  t.eval_k = eval_k;
  if (epochs.size() == 3) {
    t.stages = tsimcne_stages(batch_size, epochs[0], epochs[1], epochs[2], dim);
    // The spec's learning rate, warm-up, widths and init replace the
    // paper's defaults that tsimcne_stages fills in.
    TrainStage &pretrain = t.stages[0], &linear = t.stages[1],
               &finetune = t.stages[2];
    pretrain.learning_rate = linear.learning_rate = learning_rate;
    finetune.learning_rate = finetune_learning_rate;
    pretrain.warmup_epochs = std::min(warmup_epochs, epochs[0]);
    finetune.warmup_epochs = std::min(warmup_epochs, epochs[2]);
    pretrain.out_dim = pretrain_dim;
    linear.output_init_std = finetune.output_init_std = output_init_std;
  } else {
    TrainStage only;
    only.epochs = epochs.at(0);
    only.learning_rate = learning_rate;
    only.warmup_epochs = std::min(warmup_epochs, epochs[0]);
    only.out_dim = dim;
    only.trainable = Trainable::all;
    only.output_init_std = output_init_std;
    t.stages = {only};
  }
  return t;
}

TsimcneMethod::TsimcneMethod(TsimcneParams params)
    : params_(std::move(params)) {
  // The trainer checks the optimisation settings; the rest is checked here.
  ContrastiveTrainer check(params_.trainer_params());
  params_.augment.validate();
  if (params_.backbone != "resnet18" && params_.backbone != "small_cnn")
    throw NebenchError("tsimcne: unknown backbone " + params_.backbone);
  if (params_.width < 1 ||
      (params_.backbone == "resnet18" && params_.width != 32))
    throw NebenchError("tsimcne: width must be >= 1, and 32 for resnet18");
  if (!(params_.cut_init > 0) || !std::isfinite(params_.cut_init))
    throw NebenchError("tsimcne: cut_init must be > 0");
  if (params_.hidden_dim < 1 || params_.dim < 1 || params_.pretrain_dim < 1 ||
      params_.embed_batch_size < 1 || params_.torch_threads < 0)
    throw NebenchError("tsimcne: widths, embed_batch_size must be >= 1 and "
                       "torch_threads >= 0");
}

double TsimcneMethod::estimated_bytes(std::int64_t n) const {
  const double nd = static_cast<double>(n);
  // Per image of 3 x 32 x 32: the floats of the feature maps that autograd
  // keeps (about three tensors per conv - BN - ReLU: the conv output, the
  // BN output and the ReLU mask), summed over the layers.
  const double hw = 32.0 * 32.0;
  const bool resnet = params_.backbone == "resnet18";
  const double maps_per_image =
      resnet ? 3.0 * hw *
                   (64.0 * 5 + 128.0 / 4 * 4 + 256.0 / 16 * 4 + 512.0 / 64 * 4)
             : 3.0 * hw * params_.width * (1.0 + 2.0 / 4 + 4.0 / 16);
  const double feature_dim = resnet ? 512.0 : 4.0 * params_.width;
  const double views = 2.0 * std::min<double>(nd, params_.batch_size);
  const double batch =
      4.0 * views *
      (maps_per_image + 2.0 * (feature_dim + params_.hidden_dim + 128.0));
  // The images as float tensors (the loaded copy is the runner's), the
  // embedding and features as float and double.
  const double images = nd * 3.0 * hw * 4.0;
  const double outputs = nd * (params_.dim + feature_dim) * (4.0 + 8.0);
  return batch + images + outputs;
}

namespace {

/// A float32 N x k tensor (CPU) as an N x k MatrixD.
MatrixD to_matrix(const torch::Tensor &t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat64).contiguous();
  MatrixD m(c.size(0), c.size(1));
  std::memcpy(m.data.data(), c.data_ptr<double>(),
              m.data.size() * sizeof(double));
  return m;
}

} // namespace

std::shared_ptr<ContrastiveModel>
make_tsimcne_model(const TsimcneParams &p, int channels, std::uint64_t seed) {
  torch::manual_seed(seed);
  const TrainerParams tp = p.trainer_params();
  auto model = std::make_shared<ContrastiveModel>(
      make_backbone(p.backbone, channels, p.width), p.hidden_dim,
      tp.stages.front().out_dim);
  // Cut-initialization (Draganov et al. 2025, sec. 3.4: cut_weights with
  // cut_all divides every parameter after the init). Pre-BN convolution
  // weights are scale-free under BN, so the smaller start reaches z through
  // the BN affine parameters and the BN-free head.
  if (p.cut_init != 1.0)
    model->scale_parameters(p.cut_init);
  return model;
}

MethodOutput TsimcneMethod::run(const Problem &problem, const RunContext &ctx) {
  if (!problem.pixels || problem.image.empty())
    throw NebenchError("tsimcne: the run has no images (an image dataset is "
                       "needed)");
  const ImageShape &shape = problem.image;
  const Matrix &pixels = *problem.pixels;
  if (pixels.cols != shape.size() || pixels.rows < 2)
    throw NebenchError("tsimcne: " + std::to_string(pixels.rows) +
                       " images of " + std::to_string(pixels.cols) +
                       " values do not match the shape " + shape.describe() +
                       " (at least 2 images are needed)");
  ctx.check();
  const TorchThreadsScope threads(params_.torch_threads);
  const torch::Device device = method_torch_device("tsimcne");
  const torch::Tensor images =
      torch::from_blob(const_cast<float *>(pixels.data.data()),
                       {pixels.rows, shape.channels, shape.height, shape.width},
                       torch::kFloat32)
          .to(device, /*non_blocking=*/false, /*copy=*/true);

  const std::shared_ptr<ContrastiveModel> model_ptr =
      make_tsimcne_model(params_, static_cast<int>(shape.channels), ctx.seed);
  ContrastiveModel &model = *model_ptr;
  model.to(device);
  TrainerParams tp = params_.trainer_params();
  tp.seed = ctx.seed;
  tp.checkpoint_path = ctx.checkpoint_path;
  // Per-class norm means in the trace (and the eval_epochs kNN accuracy)
  // need the labels; a dataset without them gives neither.
  if (problem.labels && !problem.labels->empty()) {
    if (static_cast<std::int64_t>(problem.labels->size()) != pixels.rows)
      throw NebenchError("tsimcne: " + std::to_string(problem.labels->size()) +
                         " labels for " + std::to_string(pixels.rows) +
                         " images");
    tp.labels = *problem.labels;
  } else if (!tp.eval_epochs.empty() || params_.train_subset.active()) {
    throw NebenchError("tsimcne: eval_epochs, train_exclude_classes and "
                       "train_class_decay need a labelled dataset");
  }
  // A class-subset run trains on some rows and embeds them all.
  torch::Tensor train_images = images;
  std::optional<std::vector<std::int64_t>> training_rows;
  if (params_.train_subset.active()) {
    training_rows =
        class_subset_rows(tp.labels, params_.train_subset, ctx.seed);
    if (training_rows->size() < 2)
      throw NebenchError("tsimcne: the class subset leaves " +
                         std::to_string(training_rows->size()) +
                         " training image(s); at least 2 are needed");
    std::vector<std::int32_t> kept_labels;
    for (const std::int64_t r : *training_rows)
      kept_labels.push_back(tp.labels[r]);
    tp.labels = std::move(kept_labels);
    train_images = images.index_select(
        0, torch::tensor(*training_rows, torch::kInt64).to(device));
  }
  const ContrastiveTrainer trainer(std::move(tp));
  const AugmentConfig augment = params_.augment;
  const ContrastiveTrainer::Augment views = [augment](const torch::Tensor &x,
                                                      torch::Generator &gen) {
    return augment_batch(x, augment, gen);
  };

  MethodOutput out;
  out.trace = trainer.train(train_images, views, model, ctx);
  const auto [z, h] = embed(model, images, params_.embed_batch_size);
  out.embedding = to_matrix(z);
  out.features = to_matrix(h);
  out.training_rows = std::move(training_rows);
  return out;
}

} // namespace nebench
