// The contrastive model (engine/torch/image/contrastive_model.h): shapes of
// {z, h} and of the head, the N(0, std^2) output layer of t-SimCNE's stage 2,
// output_only training (every other parameter and the BN running statistics
// unchanged by an SGD step), cut-initialization, and embed() in eval mode.

#include "engine/core/errors.h"
#include "engine/torch/image/contrastive_embed.h"
#include "engine/torch/image/contrastive_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

namespace nebench {
namespace {

using Shape = std::vector<std::int64_t>;

std::map<std::string, torch::Tensor> snapshot(const torch::nn::Module &m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto &p : m.named_parameters())
    out["param " + p.key()] = p.value().detach().clone();
  for (const auto &b : m.named_buffers())
    out["buffer " + b.key()] = b.value().detach().clone();
  return out;
}

TEST(ImageContrastiveModel, ShapesOfZAndH) {
  torch::manual_seed(0);
  ContrastiveModel model(make_backbone("resnet18", 3));
  EXPECT_EQ(model.feature_dim(), 512);
  EXPECT_EQ(model.hidden_dim(), 1024);
  EXPECT_EQ(model.out_dim(), 128);
  const auto params = model.named_parameters();
  EXPECT_EQ(params["head_hidden.weight"].sizes(), (Shape{1024, 512}));
  EXPECT_EQ(params["head_output.weight"].sizes(), (Shape{128, 1024}));
  torch::NoGradGuard no_grad;
  const auto [z, h] = model.forward(torch::rand({2, 3, 32, 32}));
  EXPECT_EQ(z.sizes(), (Shape{2, 128}));
  EXPECT_EQ(h.sizes(), (Shape{2, 512}));

  ContrastiveModel small(make_backbone("small_cnn", 1), 32, 8);
  const auto [zs, hs] = small.forward(torch::rand({4, 1, 12, 12}));
  EXPECT_EQ(zs.sizes(), (Shape{4, 8}));
  EXPECT_EQ(hs.sizes(), (Shape{4, 128}));
  EXPECT_THROW(ContrastiveModel(make_backbone("small_cnn", 1), 0, 8),
               NebenchError);
}

TEST(ImageContrastiveModel, ReplaceOutputDrawsNormalWeights) {
  torch::manual_seed(1);
  ContrastiveModel model(make_backbone("small_cnn", 1), 1024, 128);
  model.replace_output(2, 1.0, at::detail::createCPUGenerator(7));
  EXPECT_EQ(model.out_dim(), 2);
  const torch::Tensor w = model.output_layer()->weight.detach();
  ASSERT_EQ(w.sizes(), (Shape{2, 1024}));
  // 2048 draws of N(0, 1): the sample std has sd ~ 1/sqrt(4096) = 0.016 and
  // the mean sd ~ 0.022; 5 sd margins.
  EXPECT_NEAR(w.std().item<double>(), 1.0, 0.08);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.11);
  EXPECT_TRUE(torch::all(model.output_layer()->bias == 0).item<bool>());
  EXPECT_TRUE(model.output_layer()->weight.requires_grad());
  // The same generator seed gives the same layer; the std scales the draws.
  ContrastiveModel other(make_backbone("small_cnn", 1), 1024, 128);
  other.replace_output(2, 0.5, at::detail::createCPUGenerator(7));
  EXPECT_TRUE(torch::equal(other.output_layer()->weight.detach() * 2.0, w));
  const auto [z, h] = model.forward(torch::rand({3, 1, 12, 12}));
  EXPECT_EQ(z.sizes(), (Shape{3, 2}));
  EXPECT_THROW(model.replace_output(0, 1.0), NebenchError);
}

TEST(ImageContrastiveModel, OutputOnlyTrainsOnlyTheNewLayer) {
  torch::manual_seed(2);
  ContrastiveModel model(make_backbone("small_cnn", 1), 32, 8);
  model.replace_output(2, 1.0, at::detail::createCPUGenerator(3));
  model.set_trainable(Trainable::output_only);
  model.train();
  EXPECT_TRUE(model.is_training());
  for (const auto &child : model.named_children())
    EXPECT_EQ(child.value()->is_training(), child.key() != "backbone")
        << child.key();
  std::vector<torch::Tensor> trainable;
  for (const auto &p : model.named_parameters()) {
    EXPECT_EQ(p.value().requires_grad(), p.key().starts_with("head_output."))
        << p.key();
    if (p.value().requires_grad())
      trainable.push_back(p.value());
  }
  ASSERT_EQ(trainable.size(), 2u);

  const auto before = snapshot(model);
  torch::optim::SGD sgd(
      trainable,
      torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
  for (int step = 0; step < 2; ++step) {
    const auto [z, h] = model.forward(torch::rand({8, 1, 12, 12}));
    sgd.zero_grad();
    z.pow(2).sum().backward();
    sgd.step();
  }
  const auto after = snapshot(model);
  for (const auto &[name, value] : before) {
    const bool output = name.find("head_output.") != std::string::npos;
    EXPECT_EQ(torch::equal(value, after.at(name)), !output) << name;
  }

  // Back to all: every parameter trainable, the backbone in train mode.
  model.set_trainable(Trainable::all);
  for (const auto &p : model.parameters())
    EXPECT_TRUE(p.requires_grad());
  for (const auto &child : model.children())
    EXPECT_TRUE(child->is_training());
}

TEST(ImageContrastiveModel, ScaleParametersDividesEveryParameter) {
  torch::manual_seed(3);
  ContrastiveModel model(make_backbone("small_cnn", 1), 16, 4);
  model.train();
  model.forward(torch::rand({4, 1, 12, 12})); // moves the BN running stats
  const auto before = snapshot(model);
  model.scale_parameters(3.0);
  const auto after = snapshot(model);
  for (const auto &[name, value] : before) {
    if (name.starts_with("param "))
      EXPECT_TRUE(torch::equal(after.at(name), value / 3.0)) << name;
    else
      EXPECT_TRUE(torch::equal(after.at(name), value)) << name;
  }
  EXPECT_THROW(model.scale_parameters(0.0), NebenchError);
}

TEST(ImageContrastiveModel, EmbedRunsInEvalModeAndRestoresTheMode) {
  torch::manual_seed(4);
  ContrastiveModel model(make_backbone("small_cnn", 1), 16, 3);
  model.train();
  model.forward(torch::rand({6, 1, 12, 12}));
  const torch::Tensor images = torch::rand({7, 1, 12, 12});
  const auto before = snapshot(model);
  const auto [Z, H] = embed(model, images, 3);
  EXPECT_EQ(Z.sizes(), (Shape{7, 3}));
  EXPECT_EQ(H.sizes(), (Shape{7, 128}));
  EXPECT_TRUE(model.is_training());
  // Eval mode: BN uses (and keeps) its running statistics, so batches of 3
  // give the rows of one full pass.
  for (const auto &[name, value] : before)
    EXPECT_TRUE(torch::equal(value, snapshot(model).at(name))) << name;
  model.eval();
  torch::NoGradGuard no_grad;
  const auto [z_all, h_all] = model.forward(images);
  EXPECT_TRUE(torch::allclose(Z, z_all, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(H, h_all, 1e-5, 1e-6));
  EXPECT_THROW(embed(model, images, 0), NebenchError);
}

} // namespace
} // namespace nebench
