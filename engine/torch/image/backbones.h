#pragma once
// Image backbones of the contrastive models (t-SimCNE, SimCLR; sec. 1.1 of
// papers/tsimcne_medical_norms.md). A backbone maps N x C x H x W images
// (float32) to N x feature_dim features h; the projection head
// (engine/torch/image/contrastive_model.h) maps h to the embedding z.
//
//   resnet18   ResNet18Cifar: the CIFAR variant of ResNet18 (SimCLR, Chen et
//              al. 2020, App. B.9; t-SimCNE iclr2023 models/simclr_like.py):
//              a 3x3 stride-1 stem and no max-pool, so 32 x 32 inputs keep
//              their resolution through the first stage; h is 512-D.
//   small_cnn  SmallCnn: three conv layers for the 2-core CPU "quick"
//              profile (sec. 4, protocols E and G); h is 128-D.
//
// Initialization draws from LibTorch's global generator: seed it with
// torch::manual_seed before building a backbone (as the runner does with the
// run seed), then the weights are reproducible.

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace nebench {

/// The residual block of ResNet18/34 (He et al. 2016, "BasicBlock"):
///   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// conv 3x3 without bias; the shortcut is the identity, or a 1x1 conv (no
/// bias) + BN where the stride or the channel count changes.
class BasicBlockImpl : public torch::nn::Module {
public:
  BasicBlockImpl(std::int64_t in_planes, std::int64_t planes,
                 std::int64_t stride);
  torch::Tensor forward(const torch::Tensor &x);

private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  /// Empty (not registered) for the identity shortcut.
  torch::nn::Sequential shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

/// ResNet18, CIFAR variant: conv1 3x3 stride 1 pad 1 (in_channels -> 64, no
/// bias), BN, ReLU, no max-pool; layer1..layer4 of two BasicBlocks each with
/// 64/128/256/512 channels and strides 1/2/2/2; global average pool ->
/// 512-D. Init as simclr_like.py: Kaiming-normal (fan_out, ReLU gain) for
/// every conv, BN gamma 1 and beta 0, no zero-init of the residual BN.
class ResNet18CifarImpl : public torch::nn::Module {
public:
  static constexpr int feature_dim = 512;

  explicit ResNet18CifarImpl(std::int64_t in_channels);
  /// N x C x H x W -> N x 512.
  torch::Tensor forward(const torch::Tensor &x);
  /// relu(bn1(conv1(x))): N x 64 x H x W (stride 1 and no max-pool keep the
  /// input's spatial size).
  torch::Tensor stem(const torch::Tensor &x);
  /// The output of layer4 before pooling: N x 512 x H/8 x W/8 (rounded up).
  torch::Tensor feature_map(const torch::Tensor &x);

private:
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr},
      layer4_{nullptr};
};
TORCH_MODULE(ResNet18Cifar);

/// The CPU backbone of the quick profile, with base width w (93 k
/// parameters at C = 1 and the default w = 32):
///   conv3x3(C -> w, pad 1, no bias) - BN - ReLU - maxpool 2x2
///   conv3x3(w -> 2w, pad 1, no bias) - BN - ReLU - maxpool 2x2
///   conv3x3(2w -> 4w, pad 1, no bias) - BN - ReLU
///   global average pool -> 4w-D.
/// On 28 x 28 inputs the three convs see 28x28, 14x14 and 7x7 maps. The cost
/// grows as w^2: on 2 cores the convolutions are compute-bound, so w = 16
/// (protocol E's "16-64 channels") trains about 4x more steps per minute.
/// Init as ResNet18Cifar (Kaiming-normal fan_out, BN gamma 1 beta 0).
class SmallCnnImpl : public torch::nn::Module {
public:
  explicit SmallCnnImpl(std::int64_t in_channels, std::int64_t width = 32);
  /// N x C x H x W (H, W >= 4) -> N x 4w.
  torch::Tensor forward(const torch::Tensor &x);
  /// Width of the features, 4w.
  int feature_dim() const { return feature_dim_; }

private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  int feature_dim_ = 0;
};
TORCH_MODULE(SmallCnn);

/// A backbone behind a type-erased module, with its output width.
struct Backbone {
  /// forward(Tensor N x C x H x W) -> Tensor N x feature_dim.
  torch::nn::AnyModule module;
  /// Width of the features h (512 for resnet18, 4 width for small_cnn).
  int feature_dim = 0;
  /// "resnet18" or "small_cnn".
  std::string name;
};

/// name: "resnet18" (ResNet18Cifar) or "small_cnn" (SmallCnn of base
/// `width`; resnet18 has a fixed width and accepts only the default);
/// in_channels: 1 for Fashion-MNIST/MNIST, 3 for CIFAR and the medical sets.
/// Throws NebenchError for an unknown name, in_channels < 1, width < 1 or a
/// width other than 32 for resnet18.
Backbone make_backbone(const std::string &name, int in_channels,
                       int width = 32);

} // namespace nebench
