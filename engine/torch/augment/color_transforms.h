#pragma once
// Batched colour transforms of torchvision's ColorJitter and Grayscale
// (torchvision.transforms.functional_tensor, the reference of t-SimCNE's
// iclr2023 imagedistortions.py), one factor per image. Images are
// N x C x H x W floating tensors with values in [0, 1], C = 1 or 3 (RGB);
// factors are tensors of N values (any device and floating dtype; moved to
// the images'). As torchvision, every blend clamps to [0, 1], and
// saturation, hue and grayscale leave 1-channel images unchanged.

#include <torch/torch.h>

namespace nebench {

/// ITU-R 601-2 luma 0.299 R + 0.587 G + 0.114 B (PIL's convert("L")), N x 1
/// x H x W; the image itself for C = 1.
torch::Tensor luma(const torch::Tensor &images);

/// All C channels set to the luma (RandomGrayscale keeps the channel
/// count); a copy for C = 1.
torch::Tensor rgb_to_grayscale(const torch::Tensor &images);

/// clamp(f x, 0, 1): torchvision adjust_brightness, a blend with black.
torch::Tensor adjust_brightness(const torch::Tensor &images,
                                const torch::Tensor &factors);

/// clamp(f x + (1 - f) m, 0, 1) with m the image's mean luma over all
/// pixels (torchvision adjust_contrast).
torch::Tensor adjust_contrast(const torch::Tensor &images,
                              const torch::Tensor &factors);

/// clamp(f x + (1 - f) luma(x), 0, 1) per pixel (torchvision
/// adjust_saturation); f = 0 gives grayscale. Unchanged for C = 1.
torch::Tensor adjust_saturation(const torch::Tensor &images,
                                const torch::Tensor &factors);

/// Hue rotated by f turns: RGB -> HSV, h <- (h + f) mod 1, HSV -> RGB
/// (torchvision adjust_hue, where f is in [-0.5, 0.5]; any real f works
/// here, f = 1 is a full turn). Unchanged for C = 1.
torch::Tensor adjust_hue(const torch::Tensor &images,
                         const torch::Tensor &factors);

/// N x 3 x H x W RGB in [0, 1] -> HSV with h, s, v in [0, 1]
/// (torchvision _rgb2hsv; h = 0 for gray pixels).
torch::Tensor rgb_to_hsv(const torch::Tensor &rgb);

/// Inverse of rgb_to_hsv (torchvision _hsv2rgb); h is taken mod 1.
torch::Tensor hsv_to_rgb(const torch::Tensor &hsv);

} // namespace nebench
