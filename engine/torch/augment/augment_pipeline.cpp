#include "engine/torch/augment/augment_pipeline.h"

#include "engine/core/errors.h"
#include "engine/torch/augment/color_transforms.h"
#include "engine/torch/augment/geometric_transforms.h"

#include <algorithm>
#include <array>
#include <functional>
#include <string>

namespace nebench {

namespace {

/// N x 1 x 1 x 1 boolean mask for where().
torch::Tensor image_mask(const torch::Tensor &mask) {
  return mask.reshape({-1, 1, 1, 1});
}

/// ColorJitter's factor range [max(0, 1 - s), 1 + s] from u in [0, 1).
torch::Tensor jitter_factor(const torch::Tensor &u, double strength) {
  const double lo = std::max(0.0, 1.0 - strength), hi = 1.0 + strength;
  return lo + u * (hi - lo);
}

} // namespace

torch::Tensor augment_batch(const torch::Tensor &images,
                            const AugmentConfig &config,
                            torch::Generator &gen) {
  config.validate();
  if (images.dim() != 4 || !images.is_floating_point() ||
      (images.size(1) != 1 && images.size(1) != 3))
    throw NebenchError("augment_batch: images must be a floating N x C x H x "
                       "W tensor with C = 1 or 3");
  const std::int64_t N = images.size(0), C = images.size(1), H = images.size(2),
                     W = images.size(3);
  if (H < 1 || W < 1)
    throw NebenchError("augment_batch: empty images");
  if (config.rot90_p > 0 && H != W)
    throw NebenchError("augment_batch: rot90_p > 0 needs square images, got " +
                       std::to_string(H) + " x " + std::to_string(W));
  torch::NoGradGuard no_grad;

  // Every draw, in a fixed order and count (see the header).
  const auto draw =
      torch::TensorOptions().dtype(torch::kFloat64).device(gen.device());
  const torch::Tensor u_rot90 = torch::rand({N}, gen, draw);
  const torch::Tensor u_angle = torch::rand({N}, gen, draw);
  const torch::Tensor crop_boxes = sample_crop_boxes(N, H, W, config, gen);
  const torch::Tensor u_hflip = torch::rand({N}, gen, draw);
  const torch::Tensor u_vflip = torch::rand({N}, gen, draw);
  const torch::Tensor u_jitter = torch::rand({N}, gen, draw);
  const torch::Tensor u_factor = torch::rand({N, 4}, gen, draw);
  const torch::Tensor u_order = torch::rand({N, 4}, gen, draw);
  const torch::Tensor u_gray = torch::rand({N}, gen, draw);
  const torch::Device device = images.device();
  const auto on_device = [&](const torch::Tensor &t) { return t.to(device); };

  torch::Tensor x = images;

  // 1 rot90 (RandomApply(rotate 90)).
  if (config.rot90_p > 0) {
    const torch::Tensor m = image_mask(on_device(u_rot90 < config.rot90_p));
    x = torch::where(m, torch::rot90(x, 1, {2, 3}), x);
  }

  // 2 + 3 rotation and resized crop, one resampling.
  const bool rotate = config.rotate_degrees > 0;
  const bool crop = config.crop_scale_min < 1.0;
  if (rotate || crop) {
    const torch::Tensor angles =
        rotate ? (2.0 * u_angle - 1.0) * config.rotate_degrees
               : torch::zeros_like(u_angle);
    // The fill is read after rot90, which keeps the ring's pixels. Without
    // rotation nothing is filled, and a zero fill keeps the crop exact.
    const torch::Tensor fill =
        rotate ? border_mean(x) : torch::zeros({N, C}, x.options());
    torch::Tensor boxes = crop_boxes;
    if (!crop) { // the whole image
      boxes = torch::zeros_like(crop_boxes);
      boxes.select(1, 2).fill_(H);
      boxes.select(1, 3).fill_(W);
    }
    x = rotate_and_crop(x, on_device(boxes), on_device(angles), fill);
  }

  // 4, 5 flips.
  if (config.hflip_p > 0)
    x = torch::where(image_mask(on_device(u_hflip < config.hflip_p)),
                     torch::flip(x, {3}), x);
  if (config.vflip_p > 0)
    x = torch::where(image_mask(on_device(u_vflip < config.vflip_p)),
                     torch::flip(x, {2}), x);

  // 6 ColorJitter: torchvision draws a permutation of the four ops
  // (fn_idx = randperm(4)) and the four factors per image; argsort of four
  // uniforms is a uniform permutation.
  using Adjust = std::function<torch::Tensor(const torch::Tensor &,
                                             const torch::Tensor &)>;
  const std::array<Adjust, 4> adjust = {adjust_brightness, adjust_contrast,
                                        adjust_saturation, adjust_hue};
  const std::array<bool, 4> enabled = {
      config.brightness > 0, config.contrast > 0,
      config.saturation > 0 && C == 3, config.hue > 0 && C == 3};
  const bool jitter =
      config.jitter_p > 0 &&
      std::any_of(enabled.begin(), enabled.end(), [](bool e) { return e; });
  if (jitter) {
    const std::array<torch::Tensor, 4> factor = {
        on_device(jitter_factor(u_factor.select(1, 0), config.brightness)),
        on_device(jitter_factor(u_factor.select(1, 1), config.contrast)),
        on_device(jitter_factor(u_factor.select(1, 2), config.saturation)),
        on_device((2.0 * u_factor.select(1, 3) - 1.0) * config.hue)};
    const torch::Tensor apply = on_device(u_jitter < config.jitter_p);
    const torch::Tensor order =
        on_device(torch::argsort(u_order, /*dim=*/1, /*descending=*/false));
    // Step s applies, to each jittered image, the op at position s of its
    // permutation: each op on the subset of images that has it there.
    for (int step = 0; step < 4; ++step)
      for (int op = 0; op < 4; ++op) {
        if (!enabled[op])
          continue;
        const torch::Tensor idx = apply.logical_and(order.select(1, step) == op)
                                      .nonzero()
                                      .select(1, 0);
        if (idx.numel() == 0)
          continue;
        const torch::Tensor changed =
            adjust[op](x.index_select(0, idx), factor[op].index_select(0, idx));
        x = x.index_copy(0, idx, changed);
      }
    // Every op clamps already (torchvision _blend); hue stays in [0, 1] up
    // to rounding, which this removes.
    x = x.clamp(0.0, 1.0);
  }

  // 7 RandomGrayscale (3 channels of luma).
  if (config.grayscale_p > 0 && C == 3)
    x = torch::where(image_mask(on_device(u_gray < config.grayscale_p)),
                     rgb_to_grayscale(x), x);

  return x.is_same(images) ? images.clone() : x;
}

} // namespace nebench
