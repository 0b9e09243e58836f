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

#include "engine/ne/method.h"
#include "engine/torch/augment/augment_config.h"
#include "engine/torch/image/contrastive_trainer.h"

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

  /// Strict parse of the method node (keys above; "learning_rate" defaults
  /// to 0.03 batch_size / 256, "finetune_learning_rate" to learning_rate /
  /// 1000). SpecError naming the JSON path.
  static TsimcneParams from_spec(const SpecNode &method_node);

  /// The trainer's stages and settings (seed and checkpoint set by run()).
  TrainerParams trainer_params() const;
};

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
  /// lr, norm statistics of z, seconds). Throws NebenchError when the
  /// problem has no images.
  MethodOutput run(const Problem &problem, const RunContext &ctx) override;

  const TsimcneParams &params() const { return params_; }

private:
  TsimcneParams params_;
};

} // namespace nebench
