#include "engine/torch/image/contrastive_model.h"

#include "engine/core/errors.h"

#include <string>

namespace nebench {

ContrastiveModel::ContrastiveModel(Backbone backbone, int hidden_dim,
                                   int out_dim)
    : backbone_(std::move(backbone.module)),
      backbone_name_(std::move(backbone.name)),
      feature_dim_(backbone.feature_dim), hidden_dim_(hidden_dim),
      out_dim_(out_dim) {
  if (backbone_.is_empty() || feature_dim_ < 1)
    throw NebenchError("contrastive model: the backbone is empty");
  if (hidden_dim < 1 || out_dim < 1)
    throw NebenchError("contrastive model: hidden_dim and out_dim must be "
                       ">= 1, got " +
                       std::to_string(hidden_dim) + " and " +
                       std::to_string(out_dim));
  backbone_module_ = register_module("backbone", backbone_.ptr());
  head_hidden_ = register_module("head_hidden",
                                 torch::nn::Linear(feature_dim_, hidden_dim));
  head_output_ =
      register_module("head_output", torch::nn::Linear(hidden_dim, out_dim));
}

std::pair<torch::Tensor, torch::Tensor>
ContrastiveModel::forward(const torch::Tensor &x) {
  torch::Tensor h = backbone_.forward(x);
  torch::Tensor z =
      head_output_->forward(torch::relu(head_hidden_->forward(h)));
  return {z, h};
}

void ContrastiveModel::replace_output(int out_dim, double init_std,
                                      std::optional<torch::Generator> gen) {
  if (out_dim < 1)
    throw NebenchError("contrastive model: out_dim must be >= 1, got " +
                       std::to_string(out_dim));
  if (!(init_std >= 0))
    throw NebenchError("contrastive model: init_std must be >= 0");
  const torch::Device device = head_hidden_->weight.device();
  torch::nn::Linear layer(hidden_dim_, out_dim);
  {
    torch::NoGradGuard no_grad;
    torch::Tensor w = torch::empty({out_dim, hidden_dim_}, torch::kFloat32);
    if (gen)
      w.normal_(0.0, init_std, *gen);
    else
      w.normal_(0.0, init_std);
    layer->weight.copy_(w);
    layer->bias.zero_();
  }
  layer->to(device);
  head_output_ = replace_module("head_output", layer);
  out_dim_ = out_dim;
  head_output_->weight.set_requires_grad(true);
  head_output_->bias.set_requires_grad(true);
}

void ContrastiveModel::set_trainable(Trainable trainable) {
  trainable_ = trainable;
  const bool all = trainable == Trainable::all;
  for (auto &p : parameters())
    p.set_requires_grad(all);
  head_output_->weight.set_requires_grad(true);
  head_output_->bias.set_requires_grad(true);
  train(is_training());
}

void ContrastiveModel::train(bool on) {
  torch::nn::Module::train(on);
  // A frozen backbone in train mode would still update its BN running
  // statistics (and normalise with batch statistics); eval mode keeps it a
  // fixed function in stage 2.
  if (on && trainable_ == Trainable::output_only)
    backbone_module_->eval();
}

void ContrastiveModel::scale_parameters(double c) {
  if (!(c > 0))
    throw NebenchError("contrastive model: the cut factor must be > 0");
  torch::NoGradGuard no_grad;
  for (auto &p : parameters())
    p.div_(c);
}

} // namespace nebench
