// augment_batch (engine/torch/augment/augment_pipeline.h): each step's
// defining property with its probability at 1 (flips and rot90 against
// torch::flip / torch::rot90, rotation keeps the centre and fills the
// corners, crops of constants stay constant, brightness on mid-grey,
// grayscale = luma, jitter stays in [0, 1]), p = 0 changes nothing, the
// documented draw order (jitter order per image against a reference built
// from the same uniforms), seeds, a binomial count of h-flips, and errors.

#include "engine/core/errors.h"
#include "engine/torch/augment/augment_pipeline.h"
#include "engine/torch/augment/color_transforms.h"

#include "tests/torch/augment_test_images.h"
#include <ATen/CPUGeneratorImpl.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace nebench {
namespace {

torch::Tensor augment(const torch::Tensor &x, const AugmentConfig &c,
                      std::uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return augment_batch(x, c, gen);
}

/// Per image: does a equal b exactly? (N bools)
torch::Tensor same_image(const torch::Tensor &a, const torch::Tensor &b) {
  return (a == b).flatten(1).all(1);
}

TEST(AugmentBatch, ProbabilityZeroChangesNothing) {
  const torch::Tensor x = random_images(8, 3, 16, 16, 1);
  const torch::Tensor y = augment(x, AugmentConfig::none(), 2);
  EXPECT_TRUE(torch::equal(y, x));
  EXPECT_NE(y.data_ptr(), x.data_ptr()); // a new tensor

  AugmentConfig c = AugmentConfig::medical();
  c.crop_scale_min = c.crop_scale_max = 1.0;
  c.rot90_p = c.hflip_p = c.vflip_p = c.jitter_p = c.grayscale_p = 0.0;
  c.rotate_degrees = 0.0;
  EXPECT_TRUE(torch::equal(augment(x, c, 3), x));
}

TEST(AugmentBatch, FlipsWithProbabilityOne) {
  const torch::Tensor x = random_images(8, 3, 16, 12, 4);
  AugmentConfig h = AugmentConfig::none();
  h.hflip_p = 1.0;
  const torch::Tensor once = augment(x, h, 5);
  EXPECT_TRUE(torch::equal(once, torch::flip(x, {3})));
  EXPECT_TRUE(torch::equal(augment(once, h, 6), x));

  AugmentConfig v = AugmentConfig::none();
  v.vflip_p = 1.0;
  const torch::Tensor vonce = augment(x, v, 7);
  EXPECT_TRUE(torch::equal(vonce, torch::flip(x, {2})));
  EXPECT_TRUE(torch::equal(augment(vonce, v, 8), x));
}

TEST(AugmentBatch, Rot90WithProbabilityOne) {
  const torch::Tensor x = random_images(8, 3, 16, 16, 9);
  AugmentConfig r = AugmentConfig::none();
  r.rot90_p = 1.0;
  torch::Tensor y = augment(x, r, 10);
  EXPECT_TRUE(torch::equal(y, torch::rot90(x, 1, {2, 3})));
  for (int k = 1; k < 4; ++k) {
    EXPECT_FALSE(torch::equal(y, x)) << k;
    y = augment(y, r, 10 + k);
  }
  EXPECT_TRUE(torch::equal(y, x));
  // Not for non-square images.
  EXPECT_THROW(augment(random_images(2, 3, 8, 10, 1), r, 1), NebenchError);
}

TEST(AugmentBatch, RotationKeepsCentreAndFillsCorners) {
  AugmentConfig c = AugmentConfig::none();
  c.rotate_degrees = 45.0;
  // A centred Gaussian blob (sd 2 px) stays centred in every image.
  const std::int64_t n = 8, size = 16;
  const torch::Tensor t = torch::arange(size, torch::kFloat32) - 7.5f;
  const torch::Tensor g = torch::exp(-t.pow(2) / 8.0f);
  const torch::Tensor blob =
      torch::outer(g, g).reshape({1, 1, size, size}).repeat({n, 1, 1, 1});
  const torch::Tensor y = augment(blob, c, 20);
  EXPECT_GT(max_abs_diff(y, blob), 1e-3); // the images were rotated
  for (std::int64_t i = 0; i < n; ++i) {
    const torch::Tensor m =
        y[i][0].to(torch::kFloat64) - y[i][0].to(torch::kFloat64).min();
    const double total = m.sum().item<double>();
    const torch::Tensor pos = t.to(torch::kFloat64);
    const double cx = (m * pos.reshape({1, size})).sum().item<double>() / total;
    const double cy = (m * pos.reshape({size, 1})).sum().item<double>() / total;
    EXPECT_LT(std::hypot(cx, cy), 0.5) << "image " << i;
  }

  // A ring of one colour around random pixels: whatever the angle, the
  // corners show the ring's (= the fill's) colour.
  torch::Tensor x = random_images(n, 3, size, size, 21);
  const torch::Tensor colour =
      torch::tensor({0.2, 0.5, 0.7}, torch::kFloat32).reshape({1, 3, 1});
  for (std::int64_t d : {2, 3})
    for (std::int64_t at : {std::int64_t{0}, size - 1})
      x.select(d, at).copy_(colour.expand({n, 3, size}));
  const torch::Tensor r = augment(x, c, 22);
  EXPECT_GT(max_abs_diff(r, x), 0.05);
  for (std::int64_t row : {std::int64_t{0}, size - 1})
    for (std::int64_t col : {std::int64_t{0}, size - 1})
      EXPECT_LT(max_abs_diff(r.select(3, col).select(2, row),
                             colour.reshape({1, 3}).expand({n, 3})),
                1e-5);
}

TEST(AugmentBatch, CropProperties) {
  const torch::Tensor x = random_images(8, 3, 16, 16, 30);
  // Scale 1 and ratio 1 are the whole image; scale just below 1 goes
  // through the resampling and still gives w = h = 16.
  AugmentConfig whole = AugmentConfig::none();
  whole.crop_ratio_min = whole.crop_ratio_max = 1.0;
  EXPECT_TRUE(torch::equal(augment(x, whole, 31), x));
  whole.crop_scale_min = 0.9999;
  EXPECT_LT(max_abs_diff(augment(x, whole, 32), x), 1e-5);

  // The default crop changes images but keeps a constant image constant,
  // also with the medical rotations (the fill is that constant).
  AugmentConfig crop = AugmentConfig::none();
  crop.crop_scale_min = 0.2;
  EXPECT_GT(max_abs_diff(augment(x, crop, 33), x), 0.1);
  const torch::Tensor flat = torch::full({8, 3, 16, 16}, 0.37f);
  EXPECT_LT(max_abs_diff(augment(flat, crop, 34), flat), 1e-6);
  AugmentConfig geo = AugmentConfig::medical();
  geo.jitter_p = geo.grayscale_p = 0.0;
  EXPECT_LT(max_abs_diff(augment(flat, geo, 35), flat), 1e-6);
}

TEST(AugmentBatch, BrightnessOnMidGreyAndJitterRange) {
  // Brightness only, always: image i becomes the constant 0.5 f_i with f_i
  // in [0.6, 1.4], different per image.
  AugmentConfig b = AugmentConfig::none();
  b.jitter_p = 1.0;
  b.contrast = b.saturation = b.hue = 0.0;
  const torch::Tensor grey = torch::full({16, 3, 8, 8}, 0.5f);
  const torch::Tensor y = augment(grey, b, 40);
  const torch::Tensor lo = std::get<0>(y.flatten(1).min(1));
  const torch::Tensor hi = std::get<0>(y.flatten(1).max(1));
  EXPECT_TRUE(torch::equal(lo, hi));
  EXPECT_GE(lo.min().item<float>(), 0.3f - 1e-6f);
  EXPECT_LE(hi.max().item<float>(), 0.7f + 1e-6f);
  EXPECT_GT((hi.max() - lo.min()).item<float>(), 0.1f);

  // Strong jitter of random colour images stays in [0, 1].
  AugmentConfig s = AugmentConfig::none();
  s.jitter_p = 1.0;
  s.brightness = s.contrast = s.saturation = 0.9;
  s.hue = 0.5;
  const torch::Tensor x = random_images(16, 3, 8, 8, 41);
  const torch::Tensor z = augment(x, s, 42);
  EXPECT_GE(z.min().item<float>(), 0.0f);
  EXPECT_LE(z.max().item<float>(), 1.0f);
  EXPECT_GT(max_abs_diff(z, x), 0.1);

  // On 1-channel images saturation and hue do nothing; contrast keeps a
  // constant image.
  AugmentConfig sh = AugmentConfig::none();
  sh.jitter_p = 1.0;
  sh.brightness = sh.contrast = 0.0;
  const torch::Tensor g1 = random_images(4, 1, 8, 8, 43);
  EXPECT_TRUE(torch::equal(augment(g1, sh, 44), g1));
  AugmentConfig con = sh;
  con.contrast = 0.9;
  const torch::Tensor flat = torch::full({4, 3, 8, 8}, 0.25f);
  EXPECT_LT(max_abs_diff(augment(flat, con, 45), flat), 1e-6);
}

TEST(AugmentBatch, JitterOrderIsDrawnPerImage) {
  // Contrast and hue only (they do not commute: a hue turn changes the mean
  // luma that contrast blends with; brightness, contrast and saturation
  // alone commute up to clamping). The reference redraws the uniforms in
  // the documented order (rot90, angle, 22 crop, h-flip, v-flip, jitter, 4
  // factors, 4 order keys, grayscale per image) and applies the two ops in
  // the order of their keys.
  const std::int64_t n = 32;
  AugmentConfig c = AugmentConfig::none();
  c.jitter_p = 0.8;
  c.contrast = 0.8;
  c.hue = 0.5;
  c.brightness = c.saturation = 0.0;
  const torch::Tensor x = random_images(n, 3, 6, 6, 50);
  const torch::Tensor y = augment(x, c, 51);

  torch::Generator gen = at::detail::createCPUGenerator(51);
  const auto u = [&](std::int64_t count) {
    return torch::rand({count}, gen, torch::kFloat64);
  };
  u(n);      // rot90
  u(n);      // angle
  u(22 * n); // crop
  u(n);      // h-flip
  u(n);      // v-flip
  const torch::Tensor u_jitter = u(n);
  const torch::Tensor u_factor = torch::rand({n, 4}, gen, torch::kFloat64);
  const torch::Tensor u_order = torch::rand({n, 4}, gen, torch::kFloat64);
  int contrast_first = 0, hue_first = 0, plain = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const torch::Tensor xi = x.narrow(0, i, 1);
    const torch::Tensor yi = y.narrow(0, i, 1);
    if (u_jitter[i].item<double>() >= 0.8) {
      EXPECT_TRUE(torch::equal(yi, xi)) << i;
      ++plain;
      continue;
    }
    const torch::Tensor fc = 0.2 + 1.6 * u_factor[i][1].reshape({1});
    const torch::Tensor fh = (2.0 * u_factor[i][3] - 1.0).reshape({1}) * 0.5;
    const bool c_first =
        u_order[i][1].item<double>() < u_order[i][3].item<double>();
    const torch::Tensor ch = adjust_hue(adjust_contrast(xi, fc), fh);
    const torch::Tensor hc = adjust_contrast(adjust_hue(xi, fh), fc);
    EXPECT_LT(max_abs_diff(yi, c_first ? ch : hc), 1e-6) << i;
    // Count the images where the other order would have been caught.
    if (max_abs_diff(yi, c_first ? hc : ch) > 1e-3)
      (c_first ? contrast_first : hue_first) += 1;
  }
  EXPECT_GT(contrast_first, 0);
  EXPECT_GT(hue_first, 0);
  EXPECT_GT(plain, 0);
}

TEST(AugmentBatch, GrayscaleWithProbabilityOne) {
  AugmentConfig g = AugmentConfig::none();
  g.grayscale_p = 1.0;
  const torch::Tensor x = random_images(8, 3, 8, 8, 60);
  const torch::Tensor y = augment(x, g, 61);
  const torch::Tensor l =
      0.299 * x.select(1, 0) + 0.587 * x.select(1, 1) + 0.114 * x.select(1, 2);
  for (int c = 0; c < 3; ++c)
    EXPECT_LT(max_abs_diff(y.select(1, c), l), 1e-6) << c;
  const torch::Tensor one = random_images(8, 1, 8, 8, 62);
  EXPECT_TRUE(torch::equal(augment(one, g, 63), one));
}

TEST(AugmentBatch, SeedsFixTheViews) {
  const torch::Tensor x = random_images(8, 3, 16, 16, 70);
  for (const AugmentConfig &c :
       {AugmentConfig::natural(), AugmentConfig::medical()}) {
    const torch::Tensor a = augment(x, c, 71);
    EXPECT_TRUE(torch::equal(a, augment(x, c, 71)));
    EXPECT_FALSE(torch::equal(a, augment(x, c, 72)));
    EXPECT_EQ(a.sizes(), x.sizes());
    EXPECT_EQ(a.scalar_type(), torch::kFloat32);
    EXPECT_GE(a.min().item<float>(), 0.0f);
    EXPECT_LE(a.max().item<float>(), 1.0f);
  }
  // Double images give the same views to float precision.
  const torch::Tensor d =
      augment(x.to(torch::kFloat64), AugmentConfig::medical(), 73);
  EXPECT_EQ(d.scalar_type(), torch::kFloat64);
  EXPECT_LT(max_abs_diff(d, augment(x, AugmentConfig::medical(), 73)), 1e-4);
}

TEST(AugmentBatch, SwitchingAStepOffKeepsTheOtherDraws) {
  // natural() with and without grayscale: every image is either identical
  // or the grayscale of the other run's image.
  const torch::Tensor x = random_images(16, 3, 16, 16, 80);
  AugmentConfig no_gray = AugmentConfig::natural();
  no_gray.grayscale_p = 0.0;
  const torch::Tensor a = augment(x, AugmentConfig::natural(), 81);
  const torch::Tensor b = augment(x, no_gray, 81);
  const torch::Tensor same = same_image(a, b);
  const torch::Tensor gray =
      (a - rgb_to_grayscale(b)).abs().flatten(1).amax(1).lt(1e-6);
  EXPECT_TRUE(same.logical_or(gray).all().item<bool>());
  EXPECT_GT(same.logical_not().sum().item<std::int64_t>(), 0);
}

TEST(AugmentBatch, HalfOfTheImagesAreFlipped) {
  // 2000 images, p = 0.5: the count is Binomial(2000, 1/2), sd 22.4; the
  // bound [900, 1100] is 4.5 sd wide (and the seed is fixed).
  const std::int64_t n = 2000;
  const torch::Tensor x = random_images(n, 1, 2, 3, 90);
  AugmentConfig h = AugmentConfig::none();
  h.hflip_p = 0.5;
  const torch::Tensor y = augment(x, h, 91);
  const torch::Tensor flipped = same_image(y, torch::flip(x, {3}));
  const torch::Tensor kept = same_image(y, x);
  EXPECT_TRUE(flipped.logical_xor(kept).all().item<bool>());
  const std::int64_t count = flipped.sum().item<std::int64_t>();
  EXPECT_GE(count, 900);
  EXPECT_LE(count, 1100);
}

TEST(AugmentBatch, RejectsBadInput) {
  torch::Generator gen = at::detail::createCPUGenerator(1);
  EXPECT_THROW(augment_batch(random_images(2, 2, 8, 8, 1),
                             AugmentConfig::natural(), gen),
               NebenchError);
  EXPECT_THROW(
      augment_batch(torch::zeros({3, 8, 8}), AugmentConfig::natural(), gen),
      NebenchError);
  EXPECT_THROW(augment_batch(torch::zeros({2, 3, 8, 8}, torch::kLong),
                             AugmentConfig::natural(), gen),
               NebenchError);
  AugmentConfig bad;
  bad.jitter_p = 1.5;
  EXPECT_THROW(augment_batch(random_images(2, 3, 8, 8, 1), bad, gen),
               NebenchError);
  EXPECT_EQ(
      augment_batch(torch::zeros({0, 3, 8, 8}), AugmentConfig::medical(), gen)
          .size(0),
      0);
}

TEST(AugmentBatch, CudaMatchesCpu) {
  if (!torch::cuda::is_available())
    GTEST_SKIP() << "no CUDA device";
  const torch::Tensor x = random_images(16, 3, 16, 16, 100);
  const torch::Tensor cpu = augment(x, AugmentConfig::medical(), 101);
  const torch::Tensor cuda =
      augment(x.to(torch::kCUDA), AugmentConfig::medical(), 101);
  EXPECT_TRUE(cuda.is_cuda());
  EXPECT_LT(max_abs_diff(cuda.cpu(), cpu), 1e-4);
}

} // namespace
} // namespace nebench
