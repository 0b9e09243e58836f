// Colour transforms (engine/torch/augment/color_transforms.h) against
// hand-computed values: ITU-R 601-2 luma, brightness on mid-grey, contrast
// around the mean luma, saturation around the luma, hue rotations (0 and a
// full turn are the identity, red + 1/3 turn = green), the HSV round trip,
// and the no-ops for 1-channel images.

#include "engine/core/errors.h"
#include "engine/torch/augment/color_transforms.h"

#include "tests/torch/augment_test_images.h"
#include <ATen/CPUGeneratorImpl.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace nebench {
namespace {

/// 1 x 3 x 1 x P image from P RGB triples.
torch::Tensor pixels(const std::vector<std::vector<double>> &rgb) {
  const auto p = static_cast<std::int64_t>(rgb.size());
  torch::Tensor t = torch::empty({1, 3, 1, p}, torch::kFloat64);
  for (std::int64_t i = 0; i < p; ++i)
    for (std::int64_t c = 0; c < 3; ++c)
      t[0][c][0][i] = rgb[i][c];
  return t;
}

TEST(AugmentColor, LumaIsItu601AndGrayscaleKeepsChannels) {
  const torch::Tensor x = pixels({{1, 0, 0}, {0.2, 0.4, 0.6}, {0, 1, 1}});
  const torch::Tensor y = luma(x);
  ASSERT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 1, 1, 3}));
  EXPECT_NEAR(y[0][0][0][0].item<double>(), 0.299, 1e-12);
  EXPECT_NEAR(y[0][0][0][1].item<double>(), 0.0598 + 0.2348 + 0.0684, 1e-12);
  EXPECT_NEAR(y[0][0][0][2].item<double>(), 0.701, 1e-12);

  const torch::Tensor g = rgb_to_grayscale(x);
  ASSERT_EQ(g.sizes(), x.sizes());
  for (int c = 0; c < 3; ++c)
    EXPECT_LT(max_abs_diff(g.select(1, c), y.select(1, 0)), 1e-15);

  const torch::Tensor one = random_images(2, 1, 4, 4, 1);
  EXPECT_TRUE(torch::equal(rgb_to_grayscale(one), one));
}

TEST(AugmentColor, BrightnessScalesMidGreyAndClamps) {
  const torch::Tensor grey = torch::full({3, 3, 4, 4}, 0.5, torch::kFloat32);
  const torch::Tensor f = torch::tensor({1.3, 0.6, 2.5});
  const torch::Tensor y = adjust_brightness(grey, f);
  EXPECT_LT(max_abs_diff(y[0], torch::full({3, 4, 4}, 0.65)), 1e-6);
  EXPECT_LT(max_abs_diff(y[1], torch::full({3, 4, 4}, 0.30)), 1e-6);
  EXPECT_LT(max_abs_diff(y[2], torch::full({3, 4, 4}, 1.0)), 1e-6);
  EXPECT_THROW(adjust_brightness(grey, torch::tensor({1.0, 1.0})),
               NebenchError);
}

TEST(AugmentColor, ContrastBlendsWithMeanLuma) {
  // Gray channel: values 0.2, 0.6, mean 0.4; f x + (1 - f) 0.4.
  torch::Tensor g = torch::tensor({0.2, 0.6}, torch::kFloat64)
                        .reshape({1, 1, 1, 2})
                        .repeat({2, 1, 1, 1});
  const torch::Tensor y =
      adjust_contrast(g, torch::tensor({0.5, 2.0}, torch::kFloat64));
  EXPECT_NEAR(y[0][0][0][0].item<double>(), 0.3, 1e-12);
  EXPECT_NEAR(y[0][0][0][1].item<double>(), 0.5, 1e-12);
  EXPECT_NEAR(y[1][0][0][0].item<double>(), 0.0, 1e-12); // 0.4 - 0.4
  EXPECT_NEAR(y[1][0][0][1].item<double>(), 0.8, 1e-12);

  // RGB: red and blue pixels, mean luma (0.299 + 0.114) / 2 = 0.2065.
  const torch::Tensor x = pixels({{1, 0, 0}, {0, 0, 1}});
  const torch::Tensor z = adjust_contrast(x, torch::tensor({0.5}));
  EXPECT_NEAR(z[0][0][0][0].item<double>(), 0.5 + 0.5 * 0.2065, 1e-7);
  EXPECT_NEAR(z[0][1][0][0].item<double>(), 0.5 * 0.2065, 1e-7);
  EXPECT_NEAR(z[0][2][0][1].item<double>(), 0.5 + 0.5 * 0.2065, 1e-7);
}

TEST(AugmentColor, SaturationBlendsWithLuma) {
  const torch::Tensor x = pixels({{0.5, 0.4, 0.3}});
  const double l = 0.299 * 0.5 + 0.587 * 0.4 + 0.114 * 0.3; // 0.4185
  const torch::Tensor twice = adjust_saturation(x, torch::tensor({2.0}));
  EXPECT_NEAR(twice[0][0][0][0].item<double>(), 1.0 - l, 1e-12);
  EXPECT_NEAR(twice[0][1][0][0].item<double>(), 0.8 - l, 1e-12);
  EXPECT_NEAR(twice[0][2][0][0].item<double>(), 0.6 - l, 1e-12);

  const torch::Tensor imgs = random_images(3, 3, 5, 5, 2);
  const torch::Tensor y =
      adjust_saturation(imgs, torch::tensor({0.0, 1.0, 0.0}));
  EXPECT_LT(max_abs_diff(y[0], rgb_to_grayscale(imgs)[0]), 1e-6);
  EXPECT_LT(max_abs_diff(y[1], imgs[1]), 1e-6);

  const torch::Tensor one = random_images(2, 1, 4, 4, 3);
  EXPECT_TRUE(
      torch::equal(adjust_saturation(one, torch::tensor({0.0, 2.0})), one));
}

TEST(AugmentColor, HsvOfPrimariesAndRoundTrip) {
  const torch::Tensor hsv = rgb_to_hsv(
      pixels({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.5, 0.5, 0.5}, {1, 1, 0}}));
  const std::vector<std::vector<double>> expected = {{0, 1, 1},
                                                     {1.0 / 3, 1, 1},
                                                     {2.0 / 3, 1, 1},
                                                     {0, 0, 0.5},
                                                     {1.0 / 6, 1, 1}};
  for (std::size_t i = 0; i < expected.size(); ++i)
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(hsv[0][c][0][static_cast<std::int64_t>(i)].item<double>(),
                  expected[i][c], 1e-12)
          << "pixel " << i << " channel " << c;

  const torch::Tensor x = random_images(4, 3, 8, 8, 4);
  EXPECT_LT(max_abs_diff(hsv_to_rgb(rgb_to_hsv(x)), x), 1e-5);
}

TEST(AugmentColor, HueTurnsAreRotations) {
  const torch::Tensor x = random_images(4, 3, 8, 8, 5);
  EXPECT_LT(max_abs_diff(adjust_hue(x, torch::zeros({4})), x), 1e-5);
  EXPECT_LT(max_abs_diff(adjust_hue(x, torch::ones({4})), x), 1e-5);
  EXPECT_LT(max_abs_diff(adjust_hue(x, -torch::ones({4})), x), 1e-5);
  // A third of a turn and back.
  const torch::Tensor third = torch::full({4}, 1.0 / 3.0);
  EXPECT_LT(max_abs_diff(adjust_hue(adjust_hue(x, third), -third), x), 1e-5);

  // red -> green -> blue by thirds; red + 1/6 = yellow; gray stays gray.
  const torch::Tensor p =
      pixels({{1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {0.3, 0.3, 0.3}});
  const torch::Tensor shifted =
      adjust_hue(p.to(torch::kFloat32), torch::full({1}, 1.0 / 3.0));
  EXPECT_LT(
      max_abs_diff(shifted.select(3, 0), pixels({{0, 1, 0}}).select(3, 0)),
      1e-6);
  EXPECT_LT(
      max_abs_diff(shifted.select(3, 1), pixels({{0, 0, 1}}).select(3, 0)),
      1e-6);
  EXPECT_LT(max_abs_diff(shifted.select(3, 3), p.select(3, 3)), 1e-7);
  const torch::Tensor yellow = adjust_hue(
      pixels({{1, 0, 0}}), torch::full({1}, 1.0 / 6.0, torch::kFloat64));
  EXPECT_LT(max_abs_diff(yellow, pixels({{1, 1, 0}})), 1e-12);

  // A hue rotation keeps each pixel's max and min channel (v and s fixed).
  const torch::Tensor y = adjust_hue(x, torch::tensor({0.37, -0.2, 0.1, 0.5}));
  EXPECT_LT(max_abs_diff(std::get<0>(y.max(1)), std::get<0>(x.max(1))), 1e-5);
  EXPECT_LT(max_abs_diff(std::get<0>(y.min(1)), std::get<0>(x.min(1))), 1e-5);
  EXPECT_GT(max_abs_diff(y, x), 0.05); // it did change the colours

  const torch::Tensor one = random_images(2, 1, 4, 4, 6);
  EXPECT_TRUE(torch::equal(adjust_hue(one, torch::full({2}, 0.3)), one));
}

} // namespace
} // namespace nebench
