#pragma once
// The staged trainer of t-SimCNE (Böhm, Berens, Kobak, ICLR 2023) and
// SimCLR (sec. 1.3 of papers/tsimcne_medical_norms.md; iclr2023 train.py,
// optimizers.py, lrschedule.py, mutate_model.py). t-SimCNE's schedule is
// three stages over one model:
//   1  pretrain      1000 epochs, z 128-D, all parameters, lr, warm-up 10
//   2  last linear     50 epochs, z 2-D (new layer N(0, 1)), only it, lr
//   3  fine-tune      450 epochs, z 2-D, all parameters, lr / 1000, warm-up 10
// with lr = 0.03 batch / 256 (0.12 at batch 1024); SimCLR is one stage.
//
// Per stage: if its out_dim differs from the model's, replace_output (the
// draws from a generator seeded by (seed, stage)); set_trainable; a fresh
// SGD (momentum, weight decay, on the trainable parameters only) whose lr
// follows warmup_cosine_lr (engine/torch/image/warmup_cosine_lr.h) per
// epoch. Per epoch:
//   - a permutation of the N images from Rng(seed, stream(stage, epoch, 0));
//     batches of batch_size consecutive entries, the last incomplete one
//     dropped (DataLoader drop_last=True), except that N < batch_size gives
//     one batch of all N;
//   - per batch, two views augment(x, gen), augment(x, gen) in that order,
//     gen one CPU torch::Generator per epoch seeded from Rng(seed,
//     stream(stage, epoch, 1)); both views go through the model as one
//     2B batch (as the reference, so BN sees both), then the loss
//     (infonce_cauchy or infonce_cosine), backward, SGD step;
//   - a trace row, a checkpoint (when checkpoint_path is set), then
//     ctx.report(). ctx.check() runs before every batch.
// Norm logging and manipulation (Draganov et al., ICML 2025; sec. 3 of
// papers/tsimcne_medical_norms.md): every trace row has norm statistics of
// z over a fixed subset, per class when labels are given (claims N2, N3);
// grad_scale applies GradScale (their Algorithm 1, image/grad_scale.h) to z
// before the loss; eval_epochs adds the kNN accuracy of the backbone
// features after chosen epochs, their early-training monitor (claim N4).
// Cut-initialization (sec. 3.4) is the caller's: ContrastiveModel::
// scale_parameters after the seeded init.
// The model's initial weights are the caller's: seed torch::manual_seed
// before building it. On the CPU a seeded run is bitwise reproducible for a
// fixed thread count; a run resumed from its checkpoint ends with the same
// parameters as an uninterrupted one (each epoch depends only on the seed
// and the state at its start, which the checkpoint holds).

#include "engine/core/run_context.h"
#include "engine/core/trace.h"
#include "engine/torch/image/contrastive_model.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nebench {

/// One optimizer stage (a row of t-SimCNE's schedule table).
struct TrainStage {
  /// Epochs of the stage, >= 1 (t-SimCNE: 1000, 50, 450; budgets
  /// [400,25,75], [775,25,200]; CPU protocol G: [40, 5, 15]).
  int epochs = 1;
  /// Peak learning rate of the stage's schedule (t-SimCNE: lr, lr, lr/1000
  /// with lr = 0.03 batch / 256, sec. 1.3).
  double learning_rate = 0.12;
  /// Linear warm-up epochs from lr 0, 0 <= W <= epochs (t-SimCNE: 10, 0,
  /// 10).
  int warmup_epochs = 0;
  /// Width of z during the stage (t-SimCNE: 128, 2, 2). A change replaces
  /// the head's output layer at the stage start.
  int out_dim = 128;
  /// What the stage trains (t-SimCNE: all, output_only, all).
  Trainable trainable = Trainable::all;
  /// Std of the N(0, std^2) weights of a replaced output layer, used when
  /// out_dim changes (t-SimCNE mutate_model.py: 1.0).
  double output_init_std = 1.0;
};

struct TrainerParams {
  /// Images per batch B; each gives two views, so 2B rows per loss
  /// (t-SimCNE: 1024; the package default 512).
  int batch_size = 1024;
  /// SGD momentum (t-SimCNE optimizers.py: 0.9).
  double momentum = 0.9;
  /// SGD weight decay, on every trainable parameter incl. BN and biases as
  /// torch.optim.SGD(model.parameters()) (t-SimCNE: 5e-4).
  double weight_decay = 5e-4;
  /// "cauchy" (t-SimCNE, infonce_cauchy) or "cosine" (SimCLR,
  /// infonce_cosine).
  std::string loss = "cauchy";
  /// Temperature of the cosine loss (SimCLR / t-SimCNE baseline: 0.5);
  /// unused by "cauchy".
  double temperature = 0.5;
  /// The stages in order (tsimcne_stages for the paper's schedule).
  std::vector<TrainStage> stages;
  /// Seed of every random choice of the trainer (permutations,
  /// augmentations, replaced output layers); the runner passes the run
  /// seed. The model's init is seeded by the caller.
  std::uint64_t seed = 0;
  /// Checkpoint file written at every epoch boundary and resumed from when
  /// it exists; "" = no checkpoint.
  std::string checkpoint_path;
  /// The trace's norm columns are over z of the first min(N, norm_images)
  /// images (dataset order, un-augmented, eval mode) after each epoch; 0 =
  /// all N. A fixed subset keeps the columns comparable between epochs.
  int norm_images = 1024;
  /// Class label of every image (N values), or empty. With labels the trace
  /// gains "norm_class<k>": the mean |z| over the images of class k in the
  /// norm subset, one column per class k >= 0 that occurs there (negative
  /// labels mark unlabelled images and get none); Draganov et al. (2025,
  /// sec. 3.2 S3 and sec. 3.3) read class means of the norm (rare and
  /// unseen classes get smaller norms). eval_epochs needs them.
  std::vector<std::int32_t> labels;
  /// GradScale power p (Draganov et al. 2025, Algorithm 1, `RescaleNorm`):
  /// the gradient of row i of z is multiplied by |z_i|^p in the backward
  /// pass (engine/torch/image/grad_scale.h); p = 1 cancels the 1 / |z|
  /// factor of a cosine loss. 0 = off (default); >= 0.
  double grad_scale = 0.0;
  /// Epochs (1-based over all stages, strictly increasing, each in [1,
  /// total epochs]) after which the kNN accuracy of the backbone features h
  /// of all N un-augmented images is measured (knn_accuracy of
  /// metrics/knn_accuracy.h: eval_k neighbours, a stratified split with
  /// eval_test_fraction held out and the trainer's seed) and logged in the
  /// trace column "knn_features" (NaN on the other epochs; the column is
  /// absent when this is empty). Draganov et al. (2025, sec. 3.4) monitor
  /// kNN accuracy of the backbone at power-of-two epochs to show that
  /// cut-initialization and GradScale speed up early training (claim N4).
  /// Needs labels.
  std::vector<int> eval_epochs;
  /// Neighbours of the eval_epochs kNN classifier (t-SimCNE's k = 15).
  int eval_k = 15;
  /// Held-out share of every class in the eval_epochs kNN split, in (0, 1).
  double eval_test_fraction = 0.2;
};

/// t-SimCNE's base learning rate 0.03 batch / 256 (sec. 1.3; 0.12 at 1024).
double tsimcne_learning_rate(int batch_size);

/// t-SimCNE's three stages (sec. 1.3) for a batch size and epoch budget:
/// {pretrain, lr, warm-up 10, 128-D, all}, {linear, lr, 0, 2-D, output_only,
/// init std 1}, {finetune, lr / 1000, warm-up 10, 2-D, all}, with lr =
/// tsimcne_learning_rate(batch_size); warm-ups are cut to the stage length.
/// out_dim: the final width (2; 3 also works).
std::vector<TrainStage> tsimcne_stages(int batch_size,
                                       int pretrain_epochs = 1000,
                                       int linear_epochs = 50,
                                       int finetune_epochs = 450,
                                       int out_dim = 2);

class ContrastiveTrainer {
public:
  /// Two views of a batch: images B x C x H x W float (on the model's
  /// device) -> B x C x H' x W'; every random draw from the generator (a CPU
  /// generator) so that the trainer's seed fixes the views.
  using Augment =
      std::function<torch::Tensor(const torch::Tensor &, torch::Generator &)>;

  /// Throws NebenchError for invalid parameters (no stages, a stage with
  /// epochs < 1 or warm-up outside [0, epochs], learning rates < 0,
  /// batch_size < 1, momentum outside [0, 1), weight_decay < 0, an unknown
  /// loss, temperature <= 0, norm_images < 0, grad_scale < 0, eval_epochs
  /// not strictly increasing inside [1, total epochs], eval_k < 1,
  /// eval_test_fraction outside (0, 1)).
  explicit ContrastiveTrainer(TrainerParams params);

  /// Trains `model` in place through all stages on `images` (N x C x H x W
  /// float32 in [0, 1], N >= 2, on the CPU or the model's device). Returns
  /// one trace row per epoch: epoch (1-based over all stages), stage
  /// (1-based), loss (the mean of the batch losses), lr, norm_mean /
  /// norm_q05 / norm_q50 / norm_q95 of |z| (see norm_images), with labels
  /// norm_class<k> (see labels), with eval_epochs knn_features (NaN on the
  /// epochs not listed), seconds (wall time since the run's start, carried
  /// over a resume). Every column has one value per row. With a checkpoint
  /// it resumes where the checkpoint left off (the returned trace includes
  /// the earlier rows; a finished checkpoint returns at once with its
  /// state loaded). Throws Interrupted from ctx.check(), NumericalError for
  /// a non-finite loss, NebenchError for bad inputs (also: labels that are
  /// neither empty nor N values, eval_epochs without labels) or a
  /// checkpoint of a different configuration, DataError for an unreadable
  /// checkpoint.
  Trace train(const torch::Tensor &images, const Augment &augment,
              ContrastiveModel &model, const RunContext &ctx) const;

  /// The configuration that a checkpoint must match to be resumed: the
  /// parameters (except checkpoint_path; the labels by count and hash), the
  /// images' shape and the model's backbone and widths.
  std::string fingerprint(const torch::Tensor &images,
                          const ContrastiveModel &model) const;

  int total_epochs() const;
  const TrainerParams &params() const { return params_; }

private:
  TrainerParams params_;
};

} // namespace nebench
