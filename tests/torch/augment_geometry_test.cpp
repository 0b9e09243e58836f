// Geometric transforms (engine/torch/augment/geometric_transforms.h): the
// crop sampler (bounds, the exact one-size and fallback cases), border
// means, rotate_and_crop against exact references (identity, interpolate of
// the crop as torchvision's resized_crop, torch::rot90 / flips at multiples
// of 90 degrees), the mass centre of rotated Gaussian blobs and the border
// fill of the corners.

#include "engine/core/errors.h"
#include "engine/torch/augment/geometric_transforms.h"

#include "tests/torch/augment_test_images.h"
#include <ATen/CPUGeneratorImpl.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <utility>

namespace nebench {
namespace {

constexpr double pi = 3.14159265358979323846;

/// n x 4 boxes covering the whole h x w image.
torch::Tensor full_boxes(std::int64_t n, std::int64_t h, std::int64_t w) {
  return torch::tensor({std::int64_t{0}, std::int64_t{0}, h, w})
      .reshape({1, 4})
      .repeat({n, 1});
}

/// 1 x 1 x size x size Gaussian blob (sd in pixels) centred at (dx, dy)
/// pixels right of / below the image centre.
torch::Tensor blob(std::int64_t size, double dx, double dy, double sd) {
  const double c = (size - 1) / 2.0;
  const torch::Tensor t = torch::arange(size, torch::kFloat64);
  const torch::Tensor gx = torch::exp(-(t - c - dx).pow(2) / (2 * sd * sd));
  const torch::Tensor gy = torch::exp(-(t - c - dy).pow(2) / (2 * sd * sd));
  return torch::outer(gy, gx).reshape({1, 1, size, size}).to(torch::kFloat32);
}

/// Mass centre (x, y) relative to the image centre of image 0, channel 0.
std::pair<double, double> mass_centre(const torch::Tensor &img) {
  const torch::Tensor m = img[0][0].to(torch::kFloat64);
  const std::int64_t h = m.size(0), w = m.size(1);
  const torch::Tensor xs = torch::arange(w, torch::kFloat64) - (w - 1) / 2.0;
  const torch::Tensor ys = torch::arange(h, torch::kFloat64) - (h - 1) / 2.0;
  const double total = m.sum().item<double>();
  return {(m * xs.reshape({1, w})).sum().item<double>() / total,
          (m * ys.reshape({h, 1})).sum().item<double>() / total};
}

TEST(AugmentGeometry, CropBoxesLieInsideAndFollowScaleAndRatio) {
  torch::Generator gen = at::detail::createCPUGenerator(7);
  const AugmentConfig c; // scale (0.2, 1), ratio (3/4, 4/3)
  const torch::Tensor b = sample_crop_boxes(2000, 16, 20, c, gen);
  ASSERT_EQ(b.sizes(), (std::vector<std::int64_t>{2000, 4}));
  ASSERT_EQ(b.scalar_type(), torch::kLong);
  const torch::Tensor top = b.select(1, 0), left = b.select(1, 1),
                      h = b.select(1, 2), w = b.select(1, 3);
  EXPECT_TRUE((top >= 0).all().item<bool>());
  EXPECT_TRUE((left >= 0).all().item<bool>());
  EXPECT_TRUE((h >= 1).all().item<bool>());
  EXPECT_TRUE((w >= 1).all().item<bool>());
  EXPECT_TRUE((top + h <= 16).all().item<bool>());
  EXPECT_TRUE((left + w <= 20).all().item<bool>());
  // sqrt(A r) and sqrt(A / r) are rounded to integers: the area fraction
  // and ratio stay within rounding of their ranges (0.2 * 320 = 64 px).
  const torch::Tensor area = (h * w).to(torch::kFloat64) / 320.0;
  const torch::Tensor ratio = w.to(torch::kFloat64) / h.to(torch::kFloat64);
  EXPECT_GE(area.min().item<double>(), 56.0 / 320.0);
  EXPECT_LE(area.max().item<double>(), 1.0);
  EXPECT_GE(ratio.min().item<double>(), 0.75 * 7.0 / 9.0);
  EXPECT_LE(ratio.max().item<double>(), 4.0 / 3.0 * 9.0 / 7.0);
  // The draws cover the ranges (2000 draws; not a tight bound).
  EXPECT_LT(area.min().item<double>(), 0.3);
  EXPECT_GT(area.max().item<double>(), 0.9);
  EXPECT_GT(left.max().item<std::int64_t>(), 5);
  EXPECT_GT(top.max().item<std::int64_t>(), 5);
}

TEST(AugmentGeometry, CropBoxesExactSizeAndFallback) {
  // Area 1/4 of 16 x 16 at ratio 1: always 8 x 8, top/left in [0, 8].
  AugmentConfig c;
  c.crop_scale_min = c.crop_scale_max = 0.25;
  c.crop_ratio_min = c.crop_ratio_max = 1.0;
  torch::Generator gen = at::detail::createCPUGenerator(3);
  const torch::Tensor b = sample_crop_boxes(500, 16, 16, c, gen);
  EXPECT_TRUE((b.select(1, 2) == 8).all().item<bool>());
  EXPECT_TRUE((b.select(1, 3) == 8).all().item<bool>());
  std::set<std::int64_t> tops;
  for (std::int64_t i = 0; i < 500; ++i)
    tops.insert(b[i][0].item<std::int64_t>());
  EXPECT_EQ(tops.size(), 9u); // all of 0 .. 8
  EXPECT_EQ(*tops.begin(), 0);
  EXPECT_EQ(*tops.rbegin(), 8);

  // Ratio 4 at area 1/2 never fits a 16 (high) x 8 image (w = 16 > 8):
  // torchvision's fallback is the central crop of width 8 and height
  // round(8 / 4) = 2, top (16 - 2) / 2 = 7.
  c.crop_scale_min = c.crop_scale_max = 0.5;
  c.crop_ratio_min = c.crop_ratio_max = 4.0;
  const torch::Tensor f = sample_crop_boxes(4, 16, 8, c, gen);
  for (std::int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(f[i][0].item<std::int64_t>(), 7);
    EXPECT_EQ(f[i][1].item<std::int64_t>(), 0);
    EXPECT_EQ(f[i][2].item<std::int64_t>(), 2);
    EXPECT_EQ(f[i][3].item<std::int64_t>(), 8);
  }
}

TEST(AugmentGeometry, BorderMeanIsTheOuterRing) {
  // 3 x 3 with values 1..9: the ring is all but the centre 5: 40 / 8 = 5.
  const torch::Tensor a =
      torch::arange(1, 10, torch::kFloat64).reshape({1, 1, 3, 3});
  EXPECT_DOUBLE_EQ(border_mean(a).item<double>(), 5.0);
  // 4 x 5, ring of 2 (row 0) and 1 (elsewhere on the ring), interior 10:
  // ring of 14 pixels, 5 of them 2: (10 + 9) / 14.
  torch::Tensor b = torch::full({1, 2, 4, 5}, 10.0, torch::kFloat64);
  b.select(2, 3).fill_(1.0);
  b.select(3, 0).fill_(1.0);
  b.select(3, 4).fill_(1.0);
  b.select(2, 0).fill_(2.0);
  b[0][1].fill_(3.0);
  const torch::Tensor m = border_mean(b);
  ASSERT_EQ(m.sizes(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_NEAR(m[0][0].item<double>(), 19.0 / 14.0, 1e-15);
  EXPECT_NEAR(m[0][1].item<double>(), 3.0, 1e-15);
}

TEST(AugmentGeometry, FullBoxWithoutRotationIsIdentity) {
  const torch::Tensor x = random_images(4, 3, 12, 16, 11);
  const torch::Tensor y = rotate_and_crop(
      x, full_boxes(4, 12, 16), torch::zeros({4}), torch::zeros({4, 3}));
  EXPECT_LT(max_abs_diff(y, x), 1e-5);
}

TEST(AugmentGeometry, CropEqualsInterpolateOfTheCrop) {
  // torchvision's resized_crop: interpolate(bilinear, align_corners=false)
  // of the cropped tensor.
  const std::int64_t n = 12, H = 12, W = 16;
  const torch::Tensor x = random_images(n, 3, H, W, 12);
  torch::Generator gen = at::detail::createCPUGenerator(13);
  const torch::Tensor boxes = sample_crop_boxes(n, H, W, AugmentConfig{}, gen);
  const torch::Tensor y =
      rotate_and_crop(x, boxes, torch::zeros({n}), torch::zeros({n, 3}));
  namespace F = torch::nn::functional;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t t = boxes[i][0].item<std::int64_t>(),
                       l = boxes[i][1].item<std::int64_t>(),
                       h = boxes[i][2].item<std::int64_t>(),
                       w = boxes[i][3].item<std::int64_t>();
    const torch::Tensor crop =
        x.narrow(0, i, 1).narrow(2, t, h).narrow(3, l, w);
    const torch::Tensor ref =
        F::interpolate(crop, F::InterpolateFuncOptions()
                                 .size(std::vector<std::int64_t>{H, W})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
    EXPECT_LT(max_abs_diff(y.narrow(0, i, 1), ref), 2e-5)
        << "box " << t << " " << l << " " << h << " " << w;
  }
}

TEST(AugmentGeometry, QuarterTurnsMatchRot90AndFlips) {
  const torch::Tensor x = random_images(3, 3, 16, 16, 14);
  const torch::Tensor boxes = full_boxes(3, 16, 16);
  const torch::Tensor fill = torch::zeros({3, 3});
  const auto turn = [&](double deg) {
    return rotate_and_crop(x, boxes, torch::full({3}, deg), fill);
  };
  // +90 is counter-clockwise, as torchvision rotate and torch::rot90(k=1).
  EXPECT_LT(max_abs_diff(turn(90), torch::rot90(x, 1, {2, 3})), 1e-5);
  EXPECT_LT(max_abs_diff(turn(-90), torch::rot90(x, -1, {2, 3})), 1e-5);
  EXPECT_LT(max_abs_diff(turn(180), torch::flip(x, {2, 3})), 1e-5);
}

TEST(AugmentGeometry, RotationTurnsMassCentreAboutImageCentre) {
  const std::int64_t size = 24;
  for (double deg : {30.0, 90.0, -135.0}) {
    // A centred blob stays; one 5 px right of the centre goes to
    // (5 cos a, -5 sin a): counter-clockwise on screen, y down.
    const torch::Tensor centred = blob(size, 0, 0, 1.5);
    const torch::Tensor off = blob(size, 5, 0, 1.5);
    const auto rot = [&](const torch::Tensor &img) {
      return rotate_and_crop(img, full_boxes(1, size, size),
                             torch::full({1}, deg), torch::zeros({1, 1}));
    };
    const auto [cx, cy] = mass_centre(rot(centred));
    EXPECT_NEAR(cx, 0.0, 0.05) << deg;
    EXPECT_NEAR(cy, 0.0, 0.05) << deg;
    const auto [ox, oy] = mass_centre(rot(off));
    const double a = deg * pi / 180.0;
    EXPECT_NEAR(ox, 5 * std::cos(a), 0.1) << deg;
    EXPECT_NEAR(oy, -5 * std::sin(a), 0.1) << deg;
  }
}

TEST(AugmentGeometry, RotationFillsCornersWithBorderColour) {
  // Border ring of colour (0.3, 0.6, 0.9), random interior: rotated by 45
  // degrees, the corners come from outside the image and show the fill.
  torch::Tensor x = random_images(2, 3, 16, 16, 15);
  const torch::Tensor colour =
      torch::tensor({0.3, 0.6, 0.9}, torch::kFloat32).reshape({1, 3, 1});
  for (std::int64_t d : {2, 3})
    for (std::int64_t at : {std::int64_t{0}, std::int64_t{15}})
      x.select(d, at).copy_(colour.expand({2, 3, 16}));
  const torch::Tensor fill = border_mean(x);
  EXPECT_LT(max_abs_diff(fill, colour.reshape({1, 3}).expand({2, 3})), 1e-6);
  const torch::Tensor y = rotate_and_crop(x, full_boxes(2, 16, 16),
                                          torch::tensor({45.0, -45.0}), fill);
  for (std::int64_t r : {std::int64_t{0}, std::int64_t{15}})
    for (std::int64_t c : {std::int64_t{0}, std::int64_t{15}})
      EXPECT_LT(max_abs_diff(y.select(3, c).select(2, r),
                             colour.reshape({1, 3}).expand({2, 3})),
                1e-6)
          << "corner " << r << ", " << c;
  // Without the fill the corners are 0 (grid_sample's zero padding).
  const torch::Tensor z =
      rotate_and_crop(x, full_boxes(2, 16, 16), torch::tensor({45.0, -45.0}),
                      torch::zeros({2, 3}));
  EXPECT_LT(z.select(3, 0).select(2, 0).abs().max().item<double>(), 1e-6);
}

TEST(AugmentGeometry, RejectsBadBoxesAndShapes) {
  const torch::Tensor x = random_images(2, 3, 8, 8, 16);
  torch::Tensor boxes = full_boxes(2, 8, 8);
  boxes[1][0] = 1; // top 1 + h 8 > 8
  EXPECT_THROW(
      rotate_and_crop(x, boxes, torch::zeros({2}), torch::zeros({2, 3})),
      NebenchError);
  EXPECT_THROW(rotate_and_crop(x, full_boxes(3, 8, 8), torch::zeros({2}),
                               torch::zeros({2, 3})),
               NebenchError);
  EXPECT_THROW(rotate_and_crop(x, full_boxes(2, 8, 8), torch::zeros({2}),
                               torch::zeros({2, 1})),
               NebenchError);
}

} // namespace
} // namespace nebench
