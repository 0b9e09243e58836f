#pragma once
// One augmented view of every image of a batch: t-SimCNE's (sec. 1.4 of
// papers/tsimcne_medical_norms.md) and medical t-SimCNE's (sec. 2)
// torchvision pipeline, batched on tensors (sec. 4, CPU tips: "batched
// tensor augmentation (affine grid with grid-sample)"). The steps, in the
// medical paper's order, each drawn independently per image:
//   1 rot90      torch::rot90 (counter-clockwise) with probability rot90_p
//   2 rotate     angle uniform in [-rotate_degrees, rotate_degrees], fill =
//                the image's mean border colour (border_mean)
//   3 crop       RandomResizedCrop (sample_crop_boxes), resized back to H x W
//                (2 and 3 are one bilinear grid_sample: rotate_and_crop)
//   4 h-flip, 5 v-flip  with probabilities hflip_p, vflip_p
//   6 jitter     with probability jitter_p: brightness, contrast, saturation
//                and hue (color_transforms.h) in a random order per image,
//                as torchvision ColorJitter; each strength 0 skips its op,
//                and saturation and hue are skipped for C = 1
//   7 grayscale  with probability grayscale_p, only for C = 3
// Probabilities compare u < p with u uniform in [0, 1): p = 0 never and
// p = 1 always applies. Every random number comes from `gen`, in a fixed
// order and the same count for every configuration (a configuration that
// switches a step off still draws its numbers), so the views of a seed
// differ between configurations only in the steps that differ.

#include "engine/torch/augment/augment_config.h"

#include <torch/torch.h>

namespace nebench {

/// Returns a new N x C x H x W tensor (dtype and device of `images`) with
/// each image augmented independently. images: N x C x H x W floating
/// (float32 as a rule) in [0, 1], C = 1 or 3, on the CPU or a CUDA device;
/// rot90_p > 0 needs H = W. The parameters are drawn on gen's device (a CPU
/// generator, e.g. at::detail::createCPUGenerator(seed), as the contrastive
/// trainer passes) and moved to the images' device, so a generator in the
/// same state gives the same views: bitwise on the CPU; on CUDA the same
/// parameters, with pixel values that may differ from the CPU's in the
/// last bits (grid_sample and the HSV round trip round differently). Runs
/// without autograd. Throws NebenchError for an invalid config or images.
torch::Tensor augment_batch(const torch::Tensor &images,
                            const AugmentConfig &config, torch::Generator &gen);

} // namespace nebench
