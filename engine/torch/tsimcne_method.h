#pragma once
// t-SimCNE and SimCLR as a spec method, {"type": "tsimcne", ...} (Böhm,
// Berens, Kobak, ICLR 2023; Nwabufo et al. 2024; sec. 1-2 and protocols G/H
// of papers/tsimcne_medical_norms.md). The model (engine/torch/image/
// contrastive_model.h) is a backbone h = f(x) and a projection head z =
// g(h); it is trained on two augmented views per image (engine/torch/
// augment/) with an in-batch InfoNCE loss by the staged SGD trainer
// (engine/torch/image/contrastive_trainer.h), then embeds the un-augmented
// images: the run's embedding is z, its features (metrics with "on":
// "features") are h.
//
//   "epochs": [E1, E2, E3]  t-SimCNE's three stages: E1 epochs with a
//                           pretrain_dim-D output (all parameters, lr, warm-
//                           up), E2 epochs training only a new dim-D output
//                           layer (weights N(0, output_init_std^2), lr, no
//                           warm-up), E3 epochs of all parameters at lr /
//                           1000 (warm-up); the paper's [1000, 50, 450].
//   "epochs": E             one stage of E epochs directly at dim: SimCLR
//                           with "loss": "cosine", "dim": 128, or the
//                           paper's direct-2-D ablation.
//
// Norm manipulation and monitoring (Draganov et al., ICML 2025, sec. 3.4 of
// the notes; claims N2 and N4): "cut_init" divides every parameter by c
// after the seeded init, "grad_scale" applies their Algorithm 1 to z,
// "eval_epochs" logs the backbone features' kNN accuracy after the listed
// epochs (trace column knn_features; a metric {"type": "trace_last",
// "column": "knn_features", "epoch": 4} reads it as knn_features@e4). With
// labels in the problem, the trace also has per-class norm means
// (norm_class<k>).
//
// The images are Problem::pixels (the subsampled dataset scaled to [0, 1],
// not PCA'd), N x C x H x W. They are not normalised per channel: the
// reference's Normalize(mean, std) is an affine map that the first
// convolution and its BN absorb, and the later package drops it.
//
// Reproducible: the model's initialization is seeded with the run seed
// (torch::manual_seed), the trainer draws every permutation, view and new
// layer from the run seed; on the CPU a run is bitwise reproducible for a
// fixed torch_threads. A run that is interrupted resumes from the
// checkpoint the runner places at RunContext::checkpoint_path (written at
// every epoch boundary) and ends with the same model as an uninterrupted
// one.

#include "datasets/class_subset.h"
#include "engine/ne/method.h"
#include "engine/torch/augment/augment_config.h"
#include "engine/torch/image/contrastive_trainer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nebench {

struct TsimcneParams {
  /// "resnet18" (CIFAR ResNet18, 512-D h; the paper's) or "small_cnn" (the
  /// 3-conv CPU network of protocol G, 128-D h).
  std::string backbone = "resnet18";
  /// Base width w of small_cnn (channels w, 2w, 4w; h is 4w-D); the cost of
  /// an epoch grows as w^2. Only for small_cnn.
  int width = 32;
  /// Width of the projection head's hidden layer (paper: 1024; protocol G:
  /// 512).
  int hidden_dim = 1024;
  /// "cauchy" (t-SimCNE's InfoNCE with the Cauchy kernel) or "cosine"
  /// (SimCLR's NT-Xent at `temperature`).
  std::string loss = "cauchy";
  /// Temperature of the cosine loss (SimCLR: 0.5).
  double temperature = 0.5;
  /// Epochs per stage: three values = t-SimCNE's schedule (sec. 1.3), one =
  /// a single stage directly at `dim`.
  std::vector<int> epochs = {1000, 50, 450};
  /// Width of the final embedding z (t-SimCNE: 2; SimCLR: 128).
  int dim = 2;
  /// Width of z in the three-stage schedule's first stage (paper: 128).
  int pretrain_dim = 128;
  /// Images per batch; each gives two views (paper: 1024).
  int batch_size = 1024;
  /// Peak learning rate (paper: 0.03 batch / 256 = 0.12 at 1024); the
  /// fine-tuning stage uses learning_rate / 1000.
  double learning_rate = 0.12;
  /// Learning rate of the fine-tuning stage (paper: learning_rate / 1000,
  /// over 450 epochs). Short CPU budgets need a larger one: at lr / 1000 a
  /// few epochs leave the network as stage 2 left it.
  double finetune_learning_rate = 0.12 / 1000;
  /// Linear warm-up epochs of the first and the fine-tuning stage, cut to
  /// the stage length (paper: 10).
  int warmup_epochs = 10;
  /// SGD momentum and weight decay (paper: 0.9, 5e-4).
  double momentum = 0.9, weight_decay = 5e-4;
  /// Std of the new output layer's N(0, std^2) weights (mutate_model.py: 1).
  double output_init_std = 1.0;
  /// The views' augmentations (default: the natural-image preset).
  AugmentConfig augment = AugmentConfig::natural();
  /// LibTorch intra-op threads during the run (0 = --threads; convolutions
  /// split well over threads, unlike parametric CNE's small matrices).
  int torch_threads = 0;
  /// Images per forward pass when embedding all images after training.
  int embed_batch_size = 1024;
  /// The trace's norm statistics are over the first this many images (0 =
  /// all).
  int norm_images = 1024;
  /// Cut-initialization factor c > 0 (Draganov et al. 2025, sec. 3.4,
  /// `cut_weights` with `cut_all`; their example c = 3): after the model's
  /// seeded init every parameter is divided by c (ContrastiveModel::
  /// scale_parameters). 1 = off (default). The backbone's convolutions are
  /// followed by BN, which makes them scale-free: dividing a conv weight
  /// changes nothing downstream of its BN. The cut acts through the BN
  /// affine parameters (gamma, beta) and the BN-free projection head, so z
  /// starts about c^3 smaller (last BN, then two Linear layers) and, by
  /// the 1 / |z| factor of a cosine loss's gradient, trains faster early.
  /// Stage 2's new output layer (N(0, output_init_std^2)) is not cut.
  double cut_init = 1.0;
  /// GradScale power p >= 0 (Draganov et al. 2025, Algorithm 1,
  /// `RescaleNorm`): the gradient of z_i is multiplied by |z_i|^p; p = 1
  /// cancels the 1 / |z_i| of a cosine loss. 0 = off (default).
  double grad_scale = 0.0;
  /// Epochs (1-based over all stages, strictly increasing, within the total)
  /// after which the kNN accuracy of the backbone features h is logged in
  /// the trace column "knn_features" (Draganov et al. 2025 monitor kNN
  /// accuracy at power-of-two epochs; protocol F: [1, 2, 4, 8]); empty =
  /// none (default). Needs a labelled dataset.
  std::vector<int> eval_epochs;
  /// Neighbours of the eval_epochs kNN accuracy (default 15; a stratified
  /// 80/20 split with the run seed, metrics/knn_accuracy.h).
  int eval_k = 15;
  /// Training-set make-up for the norms paper's confidence experiments
  /// (claim N3, protocol E(c, d)): "train_exclude_classes" lists labels
  /// whose images are left out of training, "train_class_decay" r keeps
  /// r^-c of class c's images (their unbalanced CIFAR: 1.5). The model
  /// still embeds every image; MethodOutput::training_rows says which it
  /// trained on (metric class_norms). Needs a labelled dataset.
  ClassSubset train_subset;

  /// Strict parse of the method node (keys above; "learning_rate" defaults
  /// to 0.03 batch_size / 256, "finetune_learning_rate" to learning_rate /
  /// 1000). SpecError naming the JSON path.
  static TsimcneParams from_spec(const SpecNode &method_node);

  /// The trainer's stages and settings (seed, checkpoint and labels set by
  /// run()).
  TrainerParams trainer_params() const;
};

/// The run's model for images with `channels` channels: the backbone and
/// head with LibTorch's default init seeded by torch::manual_seed(seed), z
/// of the first stage's width, then the cut-initialization
/// (params.cut_init; none at 1). On the CPU.
std::shared_ptr<ContrastiveModel>
make_tsimcne_model(const TsimcneParams &p, int channels, std::uint64_t seed);

class TsimcneMethod : public Method {
public:
  explicit TsimcneMethod(TsimcneParams params);
  std::string type() const override { return "tsimcne"; }
  /// The method does not use the kNN graph.
  int neighbors_needed() const override { return 0; }
  bool needs_pixels() const override { return true; }
  /// Images and embeddings plus the training batch's activations with their
  /// gradients, estimated for 32 x 32 RGB images (the largest the loaders
  /// give) from the backbone's feature-map sizes.
  double estimated_bytes(std::int64_t n) const override;
  /// Embedding z (n x dim) and features h of every image; trace one row per
  /// epoch (engine/torch/image/contrastive_trainer.h: epoch, stage, loss,
  /// lr, norm statistics of z, per-class norm means when the problem has
  /// labels, knn_features with eval_epochs, seconds); training_rows when
  /// train_subset is active. Throws NebenchError when the problem has no
  /// images, or no labels for eval_epochs or train_subset.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const TsimcneParams &params() const { return params_; }

private:
  TsimcneParams params_;
};

} // namespace nebench
