// The image backbones (engine/torch/image/backbones.h): output shapes of
// ResNet18Cifar and SmallCnn for 1- and 3-channel inputs, the CIFAR stem
// without max-pool (full resolution after the stem, /8 after layer4), the
// exact parameter counts (ResNet18 without its fc and with a 3x3 stem:
// torchvision's 11,689,512 - 513,000 (fc) - 9,408 (7x7 conv1) + 1,728),
// the Kaiming-normal fan_out init and the factory's errors.

#include "engine/core/errors.h"
#include "engine/torch/image/backbones.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace nebench {
namespace {

std::int64_t parameter_count(const torch::nn::Module &m) {
  std::int64_t count = 0;
  for (const auto &p : m.parameters())
    count += p.numel();
  return count;
}

TEST(ImageBackbones, ResNet18CifarShapesAndNoMaxPool) {
  torch::manual_seed(0);
  ResNet18Cifar net(3);
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({2, 3, 32, 32});
  // Stride-1 stem without max-pool: the spatial size is the input's.
  EXPECT_EQ(net->stem(x).sizes(), (std::vector<std::int64_t>{2, 64, 32, 32}));
  // Three stride-2 stages: 32 -> 16 -> 8 -> 4.
  EXPECT_EQ(net->feature_map(x).sizes(),
            (std::vector<std::int64_t>{2, 512, 4, 4}));
  EXPECT_EQ(net->forward(x).sizes(), (std::vector<std::int64_t>{2, 512}));
  EXPECT_EQ(parameter_count(*net), 11168832);

  Backbone gray = make_backbone("resnet18", 1);
  EXPECT_EQ(gray.feature_dim, 512);
  EXPECT_EQ(gray.name, "resnet18");
  gray.module.ptr()->eval();
  EXPECT_EQ(gray.module.forward(torch::rand({2, 1, 28, 28})).sizes(),
            (std::vector<std::int64_t>{2, 512}));
  // One input channel: conv1 has 64 x 1 x 3 x 3 instead of 64 x 3 x 3 x 3.
  EXPECT_EQ(parameter_count(*gray.module.ptr()), 11168832 - 64 * 2 * 9);
}

TEST(ImageBackbones, ResNet18CifarInit) {
  torch::manual_seed(1);
  ResNet18Cifar net(3);
  for (const auto &item : net->named_parameters()) {
    const std::string &name = item.key();
    const torch::Tensor &w = item.value();
    if (w.dim() == 4) {
      // kaiming_normal_(fan_out, relu): std = sqrt(2 / (out_channels k k)).
      const double expected = std::sqrt(
          2.0 / static_cast<double>(w.size(0) * w.size(2) * w.size(3)));
      if (w.numel() >= 100000) {
        EXPECT_NEAR(w.std().item<double>() / expected, 1.0, 0.01) << name;
        EXPECT_NEAR(w.mean().item<double>() / expected, 0.0, 0.01) << name;
      }
    } else if (name.find("bn") != std::string::npos ||
               name.find("shortcut.1") != std::string::npos) {
      const double value = name.ends_with("weight") ? 1.0 : 0.0;
      EXPECT_TRUE(torch::all(w == value).item<bool>()) << name;
    }
  }
}

TEST(ImageBackbones, SmallCnnShapesAndSize) {
  torch::manual_seed(2);
  SmallCnn net(1);
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->forward(torch::rand({5, 1, 28, 28})).sizes(),
            (std::vector<std::int64_t>{5, 128}));
  EXPECT_EQ(net->forward(torch::rand({3, 1, 12, 12})).sizes(),
            (std::vector<std::int64_t>{3, 128}));
  // conv 1*32*9 + 32*64*9 + 64*128*9, BN gamma and beta 2*(32 + 64 + 128).
  EXPECT_EQ(parameter_count(*net), 288 + 18432 + 73728 + 448);

  Backbone color = make_backbone("small_cnn", 3);
  EXPECT_EQ(color.feature_dim, 128);
  EXPECT_EQ(color.module.forward(torch::rand({2, 3, 32, 32})).sizes(),
            (std::vector<std::int64_t>{2, 128}));

  // Width 16: channels 16, 32, 64; conv 1*16*9 + 16*32*9 + 32*64*9, BN
  // 2*(16 + 32 + 64).
  SmallCnn narrow(1, 16);
  EXPECT_EQ(narrow->feature_dim(), 64);
  EXPECT_EQ(parameter_count(*narrow), 144 + 4608 + 18432 + 224);
  Backbone b16 = make_backbone("small_cnn", 1, 16);
  EXPECT_EQ(b16.feature_dim, 64);
  EXPECT_EQ(b16.module.forward(torch::rand({2, 1, 28, 28})).sizes(),
            (std::vector<std::int64_t>{2, 64}));
}

TEST(ImageBackbones, FactoryRejectsUnknownNamesAndChannels) {
  try {
    make_backbone("resnet50", 3);
    FAIL() << "no error";
  } catch (const NebenchError &e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown backbone \"resnet50\" (known: resnet18, small_cnn)");
  }
  EXPECT_THROW(make_backbone("small_cnn", 0), NebenchError);
  EXPECT_THROW(make_backbone("small_cnn", 1, 0), NebenchError);
  EXPECT_THROW(make_backbone("resnet18", 3, 16), NebenchError);
}

} // namespace
} // namespace nebench
