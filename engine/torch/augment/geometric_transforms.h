#pragma once
// Batched geometric transforms of the t-SimCNE / medical t-SimCNE
// augmentations (sec. 1.4 and 2 of papers/tsimcne_medical_norms.md):
// torchvision's RandomRotation (fill = the image's mean border colour) and
// RandomResizedCrop, composed into one bilinear resampling (affine_grid +
// grid_sample, align_corners = false), so that a rotated and cropped view
// is interpolated once rather than twice. Images are N x C x H x W floating
// tensors; per-image parameters are tensors of N rows (any device; moved to
// the images').

#include "engine/torch/augment/augment_config.h"

#include <torch/torch.h>

#include <cstdint>

namespace nebench {

/// RandomResizedCrop.get_params of torchvision for n images of height x
/// width, batched: per image up to 10 attempts of an area fraction uniform
/// in [crop_scale_min, crop_scale_max] and a log-uniform aspect ratio in
/// [crop_ratio_min, crop_ratio_max], sizes w = round(sqrt(A r)), h =
/// round(sqrt(A / r)); the first attempt that fits is placed uniformly
/// (top in [0, height - h], left in [0, width - w]); without one, the
/// central crop of the whole image with its aspect ratio clamped to the
/// range. Returns n x 4 int64 rows (top, left, h, w) on the generator's
/// device. Always draws n x 22 uniforms from gen (the same count for every
/// configuration).
torch::Tensor sample_crop_boxes(std::int64_t n, std::int64_t height,
                                std::int64_t width, const AugmentConfig &config,
                                torch::Generator &gen);

/// Mean colour of each image's outermost ring of pixels (rows 0 and H - 1,
/// columns 0 and W - 1, each pixel counted once): N x C.
torch::Tensor border_mean(const torch::Tensor &images);

/// Per image i: rotate by angles_deg[i] degrees counter-clockwise (as
/// torchvision rotate; y points down) about the image centre, pixels from
/// outside the image set to fill[i] (N x C) with bilinear blending at the
/// edge (as torchvision's tensor rotate with fill); then crop boxes[i]
/// (top, left, h, w in pixels of the rotated image) and resize it bilinearly
/// to H x W as torchvision's resized_crop, i.e. interpolate(bilinear,
/// align_corners=false) of the cropped image: source positions are clamped
/// to the crop's outermost pixel centres, so a crop never blends in pixels
/// outside it. One grid_sample for the batch. angles_deg and fill: N
/// values and N x C; boxes: N x 4 integers inside the image.
torch::Tensor rotate_and_crop(const torch::Tensor &images,
                              const torch::Tensor &boxes,
                              const torch::Tensor &angles_deg,
                              const torch::Tensor &fill);

} // namespace nebench
