#include "engine/torch/image/backbones.h"

#include "engine/core/errors.h"

namespace nebench {

namespace {

torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel,
                       std::int64_t stride, std::int64_t padding) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(padding)
                               .bias(false));
}

/// simclr_like.py's init loop: kaiming_normal_(mode="fan_out",
/// nonlinearity="relu") for every conv, constant 1 / 0 for BN weight / bias.
void init_conv_bn(torch::nn::Module &root) {
  torch::NoGradGuard no_grad;
  for (const auto &m : root.modules(/*include_self=*/false)) {
    if (auto *c = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut,
                                       torch::kReLU);
    } else if (auto *b = m->as<torch::nn::BatchNorm2d>()) {
      b->weight.fill_(1.0);
      b->bias.fill_(0.0);
    }
  }
}

torch::nn::Sequential make_stage(std::int64_t in_planes, std::int64_t planes,
                                 std::int64_t stride) {
  // Two blocks; only the first one changes stride and width.
  torch::nn::Sequential stage;
  stage->push_back(BasicBlock(in_planes, planes, stride));
  stage->push_back(BasicBlock(planes, planes, 1));
  return stage;
}

} // namespace

BasicBlockImpl::BasicBlockImpl(std::int64_t in_planes, std::int64_t planes,
                               std::int64_t stride) {
  conv1_ = register_module("conv1", conv(in_planes, planes, 3, stride, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(planes));
  conv2_ = register_module("conv2", conv(planes, planes, 3, 1, 1));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(planes));
  if (stride != 1 || in_planes != planes) {
    torch::nn::Sequential s;
    s->push_back(conv(in_planes, planes, 1, stride, 0));
    s->push_back(torch::nn::BatchNorm2d(planes));
    shortcut_ = register_module("shortcut", s);
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x) {
  torch::Tensor out = torch::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  out = out + (shortcut_ ? shortcut_->forward(x) : x);
  return torch::relu(out);
}

ResNet18CifarImpl::ResNet18CifarImpl(std::int64_t in_channels) {
  conv1_ = register_module("conv1", conv(in_channels, 64, 3, 1, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(64));
  layer1_ = register_module("layer1", make_stage(64, 64, 1));
  layer2_ = register_module("layer2", make_stage(64, 128, 2));
  layer3_ = register_module("layer3", make_stage(128, 256, 2));
  layer4_ = register_module("layer4", make_stage(256, 512, 2));
  init_conv_bn(*this);
}

torch::Tensor ResNet18CifarImpl::stem(const torch::Tensor &x) {
  return torch::relu(bn1_->forward(conv1_->forward(x)));
}

torch::Tensor ResNet18CifarImpl::feature_map(const torch::Tensor &x) {
  torch::Tensor out = stem(x);
  out = layer1_->forward(out);
  out = layer2_->forward(out);
  out = layer3_->forward(out);
  return layer4_->forward(out);
}

torch::Tensor ResNet18CifarImpl::forward(const torch::Tensor &x) {
  // AdaptiveAvgPool2d((1, 1)) + flatten = the mean over the spatial axes.
  return feature_map(x).mean({2, 3});
}

SmallCnnImpl::SmallCnnImpl(std::int64_t in_channels, std::int64_t width)
    : feature_dim_(static_cast<int>(4 * width)) {
  const std::int64_t w = width;
  conv1_ = register_module("conv1", conv(in_channels, w, 3, 1, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(w));
  conv2_ = register_module("conv2", conv(w, 2 * w, 3, 1, 1));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(2 * w));
  conv3_ = register_module("conv3", conv(2 * w, 4 * w, 3, 1, 1));
  bn3_ = register_module("bn3", torch::nn::BatchNorm2d(4 * w));
  init_conv_bn(*this);
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor &x) {
  torch::Tensor out =
      torch::max_pool2d(torch::relu(bn1_->forward(conv1_->forward(x))), 2);
  out = torch::max_pool2d(torch::relu(bn2_->forward(conv2_->forward(out))), 2);
  out = torch::relu(bn3_->forward(conv3_->forward(out)));
  return out.mean({2, 3});
}

Backbone make_backbone(const std::string &name, int in_channels, int width) {
  if (in_channels < 1)
    throw NebenchError("backbone \"" + name + "\": in_channels must be >= 1, " +
                       "got " + std::to_string(in_channels));
  Backbone b;
  b.name = name;
  if (name == "resnet18") {
    if (width != 32)
      throw NebenchError("backbone \"resnet18\" has a fixed width; width " +
                         std::to_string(width) + " is only for small_cnn");
    b.module = torch::nn::AnyModule(ResNet18Cifar(in_channels));
    b.feature_dim = ResNet18CifarImpl::feature_dim;
  } else if (name == "small_cnn") {
    if (width < 1)
      throw NebenchError("backbone \"small_cnn\": width must be >= 1, got " +
                         std::to_string(width));
    SmallCnn net(in_channels, width);
    b.feature_dim = net->feature_dim();
    b.module = torch::nn::AnyModule(net);
  } else {
    throw NebenchError("unknown backbone \"" + name +
                       "\" (known: resnet18, small_cnn)");
  }
  return b;
}

} // namespace nebench
