#include "engine/torch/augment/color_transforms.h"

#include "engine/core/errors.h"

#include <string>

namespace nebench {

namespace {

void check_images(const torch::Tensor &images, const char *what) {
  if (images.dim() != 4 || !images.is_floating_point() ||
      (images.size(1) != 1 && images.size(1) != 3))
    throw NebenchError(std::string(what) +
                       ": images must be a floating N x C x H x W tensor "
                       "with C = 1 or 3");
}

/// The N factors as an N x 1 x 1 x 1 tensor of the images' dtype/device.
torch::Tensor per_image(const torch::Tensor &images,
                        const torch::Tensor &factors, const char *what) {
  if (factors.numel() != images.size(0))
    throw NebenchError(std::string(what) + ": " +
                       std::to_string(factors.numel()) + " factors for " +
                       std::to_string(images.size(0)) + " images");
  return factors.to(images.options()).reshape({images.size(0), 1, 1, 1});
}

/// torchvision _blend: clamp(f a + (1 - f) b, 0, 1).
torch::Tensor blend(const torch::Tensor &a, const torch::Tensor &b,
                    const torch::Tensor &f) {
  return (f * a + (1.0 - f) * b).clamp(0.0, 1.0);
}

} // namespace

torch::Tensor luma(const torch::Tensor &images) {
  check_images(images, "luma");
  if (images.size(1) == 1)
    return images.clone();
  return 0.299 * images.select(1, 0).unsqueeze(1) +
         0.587 * images.select(1, 1).unsqueeze(1) +
         0.114 * images.select(1, 2).unsqueeze(1);
}

torch::Tensor rgb_to_grayscale(const torch::Tensor &images) {
  check_images(images, "rgb_to_grayscale");
  return luma(images).expand_as(images).contiguous();
}

torch::Tensor adjust_brightness(const torch::Tensor &images,
                                const torch::Tensor &factors) {
  check_images(images, "adjust_brightness");
  return (per_image(images, factors, "adjust_brightness") * images)
      .clamp(0.0, 1.0);
}

torch::Tensor adjust_contrast(const torch::Tensor &images,
                              const torch::Tensor &factors) {
  check_images(images, "adjust_contrast");
  const torch::Tensor f = per_image(images, factors, "adjust_contrast");
  const torch::Tensor mean = luma(images).mean({1, 2, 3}, true);
  return blend(images, mean, f);
}

torch::Tensor adjust_saturation(const torch::Tensor &images,
                                const torch::Tensor &factors) {
  check_images(images, "adjust_saturation");
  const torch::Tensor f = per_image(images, factors, "adjust_saturation");
  if (images.size(1) == 1)
    return images.clone();
  return blend(images, luma(images), f);
}

torch::Tensor rgb_to_hsv(const torch::Tensor &rgb) {
  if (rgb.dim() != 4 || rgb.size(1) != 3 || !rgb.is_floating_point())
    throw NebenchError("rgb_to_hsv: needs a floating N x 3 x H x W tensor");
  const torch::Tensor r = rgb.select(1, 0), g = rgb.select(1, 1),
                      b = rgb.select(1, 2);
  const torch::Tensor maxc = std::get<0>(rgb.max(1));
  const torch::Tensor minc = std::get<0>(rgb.min(1));
  const torch::Tensor gray = maxc == minc;
  const torch::Tensor chroma = maxc - minc;
  const torch::Tensor ones = torch::ones_like(maxc);
  // Gray pixels divide by 1 instead of 0 (their s and h are 0).
  const torch::Tensor s = chroma / torch::where(gray, ones, maxc);
  const torch::Tensor div = torch::where(gray, ones, chroma);
  const torch::Tensor rc = (maxc - r) / div, gc = (maxc - g) / div,
                      bc = (maxc - b) / div;
  const torch::Tensor is_r = maxc == r;
  const torch::Tensor is_g = (maxc == g).logical_and(is_r.logical_not());
  const torch::Tensor is_b = is_r.logical_or(maxc == g).logical_not();
  const torch::Tensor h6 = is_r.to(rgb.scalar_type()) * (bc - gc) +
                           is_g.to(rgb.scalar_type()) * (2.0 + rc - bc) +
                           is_b.to(rgb.scalar_type()) * (4.0 + gc - rc);
  const torch::Tensor h = torch::fmod(h6 / 6.0 + 1.0, 1.0);
  return torch::stack({h, s, maxc}, 1);
}

torch::Tensor hsv_to_rgb(const torch::Tensor &hsv) {
  if (hsv.dim() != 4 || hsv.size(1) != 3 || !hsv.is_floating_point())
    throw NebenchError("hsv_to_rgb: needs a floating N x 3 x H x W tensor");
  const torch::Tensor h = torch::remainder(hsv.select(1, 0), 1.0);
  const torch::Tensor s = hsv.select(1, 1), v = hsv.select(1, 2);
  const torch::Tensor sector = torch::floor(h * 6.0);
  const torch::Tensor f = h * 6.0 - sector;
  // h rounded up to 1.0 gives sector 6, the same as sector 0 (f = 0).
  const torch::Tensor i = torch::remainder(sector.to(torch::kLong), 6);
  const torch::Tensor p = (v * (1.0 - s)).clamp(0.0, 1.0);
  const torch::Tensor q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
  const torch::Tensor t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
  // Per sector i (the standard table): R = (v q p p t v)[i], G = (t v v q p
  // p)[i], B = (p p t v v q)[i].
  const torch::Tensor index = i.unsqueeze(1);
  const auto pick = [&](std::initializer_list<torch::Tensor> table) {
    return torch::stack(std::vector<torch::Tensor>(table), 1).gather(1, index);
  };
  return torch::cat({pick({v, q, p, p, t, v}), pick({t, v, v, q, p, p}),
                     pick({p, p, t, v, v, q})},
                    1);
}

torch::Tensor adjust_hue(const torch::Tensor &images,
                         const torch::Tensor &factors) {
  check_images(images, "adjust_hue");
  const torch::Tensor f = per_image(images, factors, "adjust_hue");
  if (images.size(1) == 1)
    return images.clone();
  torch::Tensor hsv = rgb_to_hsv(images);
  const torch::Tensor h =
      torch::remainder(hsv.select(1, 0).unsqueeze(1) + f, 1.0);
  hsv = torch::cat({h, hsv.narrow(1, 1, 2)}, 1);
  return hsv_to_rgb(hsv);
}

} // namespace nebench
