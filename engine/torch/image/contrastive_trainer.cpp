#include "engine/torch/image/contrastive_trainer.h"

#include "engine/core/errors.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/torch/image/contrastive_checkpoint.h"
#include "engine/torch/image/contrastive_embed.h"
#include "engine/torch/image/contrastive_losses.h"
#include "engine/torch/image/grad_scale.h"
#include "engine/torch/image/warmup_cosine_lr.h"
#include "metrics/knn_accuracy.h"
#include "metrics/norm_stats.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

namespace nebench {

namespace {

/// What a random stream of the trainer is for.
enum class Draw : std::uint64_t { permutation = 0, augment = 1, output = 2 };

/// Rng stream of (stage, epoch, purpose): disjoint for all stages and
/// epochs below 2^30.
std::uint64_t stream(int stage, int epoch, Draw what) {
  return (static_cast<std::uint64_t>(stage + 1) << 32) |
         (static_cast<std::uint64_t>(epoch) << 2) |
         static_cast<std::uint64_t>(what);
}

torch::Generator generator(std::uint64_t seed, int stage, int epoch,
                           Draw what) {
  Rng rng(seed, stream(stage, epoch, what));
  return at::detail::createCPUGenerator(rng.next());
}

std::string stage_name(std::size_t s, std::size_t count) {
  return "stage " + std::to_string(s + 1) + "/" + std::to_string(count);
}

/// A floating N x k tensor as an N x k MatrixD (on the CPU).
MatrixD to_matrix(const torch::Tensor &t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat64).contiguous();
  MatrixD m(c.size(0), c.size(1));
  std::copy(c.data_ptr<double>(), c.data_ptr<double>() + c.numel(),
            m.data.begin());
  return m;
}

/// Norms of z over the fixed subset (eval mode, no augmentation): their
/// statistics and, per class of `labels` (the subset's first entries; one
/// column per label >= 0), the mean norm.
struct SubsetNorms {
  NormStats stats;
  std::map<std::int32_t, double> class_means;
};

SubsetNorms z_norms(ContrastiveModel &model, const torch::Tensor &subset,
                    int batch_size, const std::vector<std::int32_t> &labels) {
  const MatrixD y = to_matrix(embed(model, subset, batch_size).first);
  SubsetNorms out;
  out.stats = norm_stats(y);
  if (labels.empty())
    return out;
  std::map<std::int32_t, std::pair<double, std::int64_t>> sums;
  for (std::int64_t i = 0; i < y.rows; ++i) {
    const std::int32_t k = labels[static_cast<std::size_t>(i)];
    if (k < 0)
      continue;
    double sq = 0.0;
    for (std::int64_t j = 0; j < y.cols; ++j)
      sq += y(i, j) * y(i, j);
    auto &[sum, count] = sums[k];
    sum += std::sqrt(sq);
    ++count;
  }
  for (const auto &[k, sc] : sums)
    out.class_means[k] = sc.first / static_cast<double>(sc.second);
  return out;
}

/// kNN accuracy of the backbone features h of all images (eval mode, no
/// augmentation): the early-training monitor of Draganov et al. (2025,
/// sec. 3.4), with metrics/knn_accuracy.h's stratified split.
double features_knn_accuracy(ContrastiveModel &model,
                             const torch::Tensor &images,
                             const TrainerParams &p) {
  const MatrixD h = to_matrix(embed(model, images, p.batch_size).second);
  return knn_accuracy(h, p.labels, p.eval_k, p.eval_test_fraction, p.seed);
}

/// FNV-1a of the labels, for the fingerprint.
std::uint64_t labels_hash(const std::vector<std::int32_t> &labels) {
  std::uint64_t h = 1469598103934665603ull;
  for (const std::int32_t v : labels) {
    auto u = static_cast<std::uint32_t>(v);
    for (int b = 0; b < 4; ++b, u >>= 8) {
      h ^= u & 0xffu;
      h *= 1099511628211ull;
    }
  }
  return h;
}

} // namespace

double tsimcne_learning_rate(int batch_size) {
  return 0.03 * static_cast<double>(batch_size) / 256.0;
}

std::vector<TrainStage> tsimcne_stages(int batch_size, int pretrain_epochs,
                                       int linear_epochs, int finetune_epochs,
                                       int out_dim) {
  const double lr = tsimcne_learning_rate(batch_size);
  TrainStage pretrain;
  pretrain.epochs = pretrain_epochs;
  pretrain.learning_rate = lr;
  pretrain.warmup_epochs = std::min(10, pretrain_epochs);
  pretrain.out_dim = 128;
  pretrain.trainable = Trainable::all;
  TrainStage linear;
  linear.epochs = linear_epochs;
  linear.learning_rate = lr;
  linear.warmup_epochs = 0;
  linear.out_dim = out_dim;
  linear.trainable = Trainable::output_only;
  linear.output_init_std = 1.0;
  TrainStage finetune;
  finetune.epochs = finetune_epochs;
  finetune.learning_rate = lr / 1000.0;
  finetune.warmup_epochs = std::min(10, finetune_epochs);
  finetune.out_dim = out_dim;
  finetune.trainable = Trainable::all;
  return {pretrain, linear, finetune};
}

ContrastiveTrainer::ContrastiveTrainer(TrainerParams params)
    : params_(std::move(params)) {
  const TrainerParams &p = params_;
  const auto fail = [](const std::string &what) {
    throw NebenchError("contrastive trainer: " + what);
  };
  if (p.stages.empty())
    fail("no stages");
  for (std::size_t s = 0; s < p.stages.size(); ++s) {
    const TrainStage &st = p.stages[s];
    const std::string at = "stage " + std::to_string(s + 1) + ": ";
    if (st.epochs < 1)
      fail(at + "epochs must be >= 1");
    if (st.warmup_epochs < 0 || st.warmup_epochs > st.epochs)
      fail(at + "warmup_epochs must be in [0, epochs]");
    if (!(st.learning_rate >= 0) || !std::isfinite(st.learning_rate))
      fail(at + "learning_rate must be >= 0");
    if (st.out_dim < 1)
      fail(at + "out_dim must be >= 1");
    if (!(st.output_init_std >= 0))
      fail(at + "output_init_std must be >= 0");
  }
  if (p.batch_size < 1)
    fail("batch_size must be >= 1");
  if (!(p.momentum >= 0 && p.momentum < 1))
    fail("momentum must be in [0, 1)");
  if (!(p.weight_decay >= 0))
    fail("weight_decay must be >= 0");
  if (p.loss != "cauchy" && p.loss != "cosine")
    fail("unknown loss \"" + p.loss + "\" (known: cauchy, cosine)");
  if (!(p.temperature > 0))
    fail("temperature must be > 0");
  if (p.norm_images < 0)
    fail("norm_images must be >= 0");
  if (!(p.grad_scale >= 0) || !std::isfinite(p.grad_scale))
    fail("grad_scale must be >= 0");
  const int total = total_epochs();
  for (std::size_t i = 0; i < p.eval_epochs.size(); ++i) {
    const int e = p.eval_epochs[i];
    if (e < 1 || e > total)
      fail("eval_epochs: " + std::to_string(e) + " is outside [1, " +
           std::to_string(total) + "] (the total epochs)");
    if (i > 0 && e <= p.eval_epochs[i - 1])
      fail("eval_epochs must be strictly increasing");
  }
  if (p.eval_k < 1)
    fail("eval_k must be >= 1");
  if (!(p.eval_test_fraction > 0 && p.eval_test_fraction < 1))
    fail("eval_test_fraction must be in (0, 1)");
}

int ContrastiveTrainer::total_epochs() const {
  int total = 0;
  for (const TrainStage &st : params_.stages)
    total += st.epochs;
  return total;
}

std::string
ContrastiveTrainer::fingerprint(const torch::Tensor &images,
                                const ContrastiveModel &model) const {
  const TrainerParams &p = params_;
  std::ostringstream o;
  o.precision(17);
  o << "batch_size " << p.batch_size << " momentum " << p.momentum
    << " weight_decay " << p.weight_decay << " loss " << p.loss
    << " temperature " << p.temperature << " seed " << p.seed << " norm_images "
    << p.norm_images << " images";
  for (std::int64_t d = 0; d < images.dim(); ++d)
    o << ' ' << images.size(d);
  o << " backbone " << model.backbone_name() << ' ' << model.feature_dim()
    << " hidden " << model.hidden_dim();
  // Keys added after the first checkpoints appear only when set, so that
  // the fingerprints of runs without them stay as they were.
  if (p.grad_scale != 0)
    o << " grad_scale " << p.grad_scale;
  if (!p.labels.empty())
    o << " labels " << p.labels.size() << ' ' << labels_hash(p.labels);
  if (!p.eval_epochs.empty()) {
    o << " eval_epochs";
    for (const int e : p.eval_epochs)
      o << ' ' << e;
    o << " eval_k " << p.eval_k << " eval_test_fraction "
      << p.eval_test_fraction;
  }
  for (const TrainStage &st : p.stages)
    o << " | stage " << st.epochs << ' ' << st.learning_rate << ' '
      << st.warmup_epochs << ' ' << st.out_dim << ' '
      << (st.trainable == Trainable::all ? "all" : "output_only") << ' '
      << st.output_init_std;
  return o.str();
}

Trace ContrastiveTrainer::train(const torch::Tensor &images,
                                const Augment &augment, ContrastiveModel &model,
                                const RunContext &ctx) const {
  const TrainerParams &p = params_;
  if (!images.defined() || images.dim() != 4 || images.size(0) < 2 ||
      images.scalar_type() != torch::kFloat32)
    throw NebenchError("contrastive trainer: the images must be a float32 "
                       "N x C x H x W tensor with N >= 2");
  if (!augment)
    throw NebenchError("contrastive trainer: no augmentation given");
  if (!p.labels.empty() &&
      static_cast<std::int64_t>(p.labels.size()) != images.size(0))
    throw NebenchError(
        "contrastive trainer: " + std::to_string(p.labels.size()) +
        " labels for " + std::to_string(images.size(0)) + " images");
  if (!p.eval_epochs.empty() && p.labels.empty())
    throw NebenchError("contrastive trainer: eval_epochs needs the images' "
                       "labels (the kNN accuracy is over classes)");
  const auto start = std::chrono::steady_clock::now();
  const torch::Device device = model.output_layer()->weight.device();
  const std::int64_t n = images.size(0);
  const std::string fp = fingerprint(images, model);

  Trace trace;
  std::size_t first_stage = 0;
  int first_epoch = 0;
  double seconds_before = 0.0;
  std::optional<torch::serialize::InputArchive> optimizer_state;
  if (!p.checkpoint_path.empty() &&
      std::filesystem::exists(p.checkpoint_path)) {
    ContrastiveCheckpoint ck =
        read_contrastive_checkpoint(p.checkpoint_path, device);
    if (ck.fingerprint != fp)
      throw NebenchError(p.checkpoint_path +
                         ": the checkpoint was written by a different "
                         "configuration (checkpoint: " +
                         ck.fingerprint + "; this run: " + fp +
                         "); delete it to start over");
    if (ck.stage < 0 || ck.stage > static_cast<int>(p.stages.size()) ||
        ck.epoch < 0 ||
        (ck.stage < static_cast<int>(p.stages.size()) &&
         ck.epoch >= p.stages[ck.stage].epochs))
      throw DataError(p.checkpoint_path, "the checkpoint's position (stage " +
                                             std::to_string(ck.stage) +
                                             ", epoch " +
                                             std::to_string(ck.epoch) +
                                             ") is outside the schedule");
    load_model_state(ck, model, p.checkpoint_path);
    trace = std::move(ck.trace);
    first_stage = static_cast<std::size_t>(ck.stage);
    first_epoch = ck.epoch;
    // The trainable setting of the stage the checkpoint is in (of the last
    // stage when it is complete), as the uninterrupted run has it here.
    model.set_trainable(
        p.stages[std::min(first_stage, p.stages.size() - 1)].trainable);
    if (first_epoch > 0)
      optimizer_state = std::move(ck.optimizer);
    const auto it = trace.columns.find("seconds");
    if (it != trace.columns.end() && !it->second.empty())
      seconds_before = it->second.back();
  }

  const std::int64_t norm_count =
      p.norm_images == 0 ? n : std::min<std::int64_t>(n, p.norm_images);
  const torch::Tensor norm_subset = images.narrow(0, 0, norm_count);
  const std::vector<std::int32_t> norm_labels =
      p.labels.empty() ? std::vector<std::int32_t>{}
                       : std::vector<std::int32_t>(
                             p.labels.begin(), p.labels.begin() + norm_count);
  // drop_last = True; a set smaller than one batch is one batch.
  const std::int64_t batch = std::min<std::int64_t>(p.batch_size, n);
  const std::int64_t batches = n / batch;
  const int total = total_epochs();
  int done = 0;
  for (std::size_t s = 0; s < first_stage; ++s)
    done += p.stages[s].epochs;
  done += first_epoch;

  for (std::size_t s = first_stage; s < p.stages.size(); ++s) {
    const TrainStage &st = p.stages[s];
    const int stage = static_cast<int>(s);
    const int e0 = s == first_stage ? first_epoch : 0;
    if (e0 == 0 && model.out_dim() != st.out_dim)
      model.replace_output(st.out_dim, st.output_init_std,
                           generator(p.seed, stage, 0, Draw::output));
    model.set_trainable(st.trainable);
    std::vector<torch::Tensor> trainable;
    for (const torch::Tensor &t : model.parameters())
      if (t.requires_grad())
        trainable.push_back(t);
    torch::optim::SGD sgd(trainable, torch::optim::SGDOptions(st.learning_rate)
                                         .momentum(p.momentum)
                                         .weight_decay(p.weight_decay));
    if (e0 > 0 && optimizer_state) {
      sgd.load(*optimizer_state);
      optimizer_state.reset();
    }
    const std::string label = "contrastive " + stage_name(s, p.stages.size());

    for (int e = e0; e < st.epochs; ++e) {
      ctx.check();
      const double lr =
          warmup_cosine_lr(st.learning_rate, st.epochs, st.warmup_epochs, e);
      for (auto &group : sgd.param_groups())
        static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
      model.train();

      Rng rng(p.seed, stream(stage, e, Draw::permutation));
      std::vector<std::int64_t> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), std::int64_t{0});
      rng.shuffle(order);
      torch::Generator gen = generator(p.seed, stage, e, Draw::augment);

      torch::Tensor loss_sum = torch::zeros(
          {}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
      for (std::int64_t b = 0; b < batches; ++b) {
        ctx.check();
        const torch::Tensor idx =
            torch::from_blob(order.data() + b * batch, {batch}, torch::kInt64)
                .to(images.device(), /*non_blocking=*/false, /*copy=*/true);
        const torch::Tensor x = images.index_select(0, idx).to(device);
        const torch::Tensor v1 = augment(x, gen);
        const torch::Tensor v2 = augment(x, gen);
        if (!v1.defined() || !v2.defined() || v1.dim() != 4 ||
            v1.size(0) != batch || v1.sizes() != v2.sizes())
          throw NebenchError("contrastive trainer: the augmentation must "
                             "return B x C x H x W views of one shape");
        // GradScale (Algorithm 1 of Draganov et al. 2025) sits between the
        // projector and the loss; p = 0 leaves z untouched.
        const torch::Tensor z = grad_scale(
            model.forward(torch::cat({v1, v2}, 0)).first, p.grad_scale);
        const torch::Tensor z1 = z.narrow(0, 0, batch);
        const torch::Tensor z2 = z.narrow(0, batch, batch);
        const torch::Tensor loss = p.loss == "cauchy"
                                       ? infonce_cauchy(z1, z2)
                                       : infonce_cosine(z1, z2, p.temperature);
        sgd.zero_grad();
        loss.backward();
        sgd.step();
        // Summed on the device: one synchronisation per epoch.
        loss_sum += loss.detach().to(torch::kFloat64);
      }
      const double mean_loss =
          loss_sum.item<double>() / static_cast<double>(batches);
      ++done;
      if (!std::isfinite(mean_loss))
        throw NumericalError("contrastive trainer: " + label + ", epoch " +
                             std::to_string(e + 1) + ": the loss is " +
                             std::to_string(mean_loss));
      const SubsetNorms norms =
          z_norms(model, norm_subset, p.batch_size, norm_labels);
      trace.push("epoch", done);
      trace.push("stage", stage + 1);
      trace.push("loss", mean_loss);
      trace.push("lr", lr);
      trace.push("norm_mean", norms.stats.mean);
      trace.push("norm_q05", norms.stats.q05);
      trace.push("norm_q50", norms.stats.median);
      trace.push("norm_q95", norms.stats.q95);
      for (const auto &[k, mean] : norms.class_means)
        trace.push("norm_class" + std::to_string(k), mean);
      if (!p.eval_epochs.empty()) {
        const bool eval = std::binary_search(p.eval_epochs.begin(),
                                             p.eval_epochs.end(), done);
        trace.push("knn_features",
                   eval ? features_knn_accuracy(model, images, p)
                        : std::numeric_limits<double>::quiet_NaN());
      }
      trace.push("seconds",
                 seconds_before + std::chrono::duration<double>(
                                      std::chrono::steady_clock::now() - start)
                                      .count());
      if (!p.checkpoint_path.empty()) {
        ContrastiveCheckpoint ck;
        const bool last = e + 1 == st.epochs;
        ck.stage = last ? stage + 1 : stage;
        ck.epoch = last ? 0 : e + 1;
        ck.out_dim = model.out_dim();
        ck.fingerprint = fp;
        ck.trace = trace;
        write_contrastive_checkpoint(p.checkpoint_path, ck, model, sgd);
      }
      ctx.report(done, total, label);
    }
  }
  model.train();
  return trace;
}

} // namespace nebench
