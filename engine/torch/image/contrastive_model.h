#pragma once
// The model of SimCLR and t-SimCNE (sec. 1.1 of
// papers/tsimcne_medical_norms.md; iclr2023 models/simclr_like.py, ResNetFC):
//   h = backbone(x)                               (512-D for ResNet18)
//   z = Linear(hidden -> out)(ReLU(Linear(feat -> hidden)(h)))
// with hidden 1024 and out 128 in t-SimCNE's stage 1; the head has no BN.
// forward returns {z, h} like the reference.
//
// t-SimCNE's later stages mutate the model (models/mutate_model.py):
// replace_output swaps the last Linear for a new one with a 2-D output whose
// weights are N(0, init_std^2) (std 1 in the paper), and set_trainable
// freezes everything but that layer in stage 2. scale_parameters is the
// cut-initialization of Draganov et al. (ICML 2025; sec. 3.4): every
// parameter divided by c after the init.

#include "engine/torch/image/backbones.h"

#include <torch/torch.h>

#include <optional>
#include <utility>

namespace nebench {

/// Which parameters an optimizer stage trains.
enum class Trainable {
  /// Every parameter (t-SimCNE stages 1 and 3).
  all,
  /// Only the output Linear of the projection head (t-SimCNE stage 2):
  /// requires_grad is false elsewhere, and the backbone stays in eval mode
  /// while the model trains so that its BN running statistics do not move.
  output_only
};

class ContrastiveModel : public torch::nn::Module {
public:
  /// backbone: from make_backbone; hidden_dim: width of the head's hidden
  /// layer (t-SimCNE: 1024); out_dim: width of z (stage 1: 128). The head's
  /// Linear layers get LibTorch's default init (PyTorch's: Kaiming-uniform
  /// with a = sqrt(5)) from the global generator. Throws NebenchError for
  /// widths < 1.
  ContrastiveModel(Backbone backbone, int hidden_dim = 1024, int out_dim = 128);

  /// x: N x C x H x W float -> {z: N x out_dim, h: N x feature_dim}.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &x);

  /// Replaces the output Linear(hidden, out) by Linear(hidden, out_dim) with
  /// weights drawn from N(0, init_std^2) and zero bias (mutate_model.py with
  /// t-SimCNE's std-1 init). The draws come from `generator` (a CPU
  /// generator; default: LibTorch's global one) and are then moved to the
  /// model's device, so they do not depend on the device. The new layer
  /// requires grad; the trainable setting of the rest is kept.
  void replace_output(int out_dim, double init_std,
                      std::optional<torch::Generator> generator = {});

  /// Sets requires_grad of every parameter (Trainable::all) or of the
  /// output layer only, and re-applies the current train/eval mode.
  void set_trainable(Trainable trainable);
  Trainable trainable() const { return trainable_; }

  /// Divides every parameter (weights, biases, BN gamma and beta; not the
  /// BN running statistics, which are buffers) by c in place:
  /// cut-initialization (Draganov et al. 2025, sec. 3.4, cut_weights with
  /// cut_all). A convolution followed by BN is scale-free (BN divides its
  /// output by its own std), so its cut has no effect downstream; the cut
  /// works through the BN affine parameters and the BN-free head, which
  /// shrink z by about c per layer. Throws NebenchError unless c > 0.
  void scale_parameters(double c);

  /// Train mode as Module::train, except that the backbone stays in eval
  /// mode while the trainable setting is output_only.
  void train(bool on = true) override;

  int feature_dim() const { return feature_dim_; }
  int hidden_dim() const { return hidden_dim_; }
  int out_dim() const { return out_dim_; }
  const std::string &backbone_name() const { return backbone_name_; }
  /// The output layer (parameters "head_output.weight" / ".bias").
  torch::nn::Linear &output_layer() { return head_output_; }

private:
  torch::nn::AnyModule backbone_;
  std::shared_ptr<torch::nn::Module> backbone_module_;
  torch::nn::Linear head_hidden_{nullptr}, head_output_{nullptr};
  std::string backbone_name_;
  int feature_dim_ = 0, hidden_dim_ = 0, out_dim_ = 0;
  Trainable trainable_ = Trainable::all;
};

} // namespace nebench
