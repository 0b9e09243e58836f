#pragma once
// The image augmentations of t-SimCNE and SimCLR (sec. 1.4 of
// papers/tsimcne_medical_norms.md; iclr2023 imagedistortions.py) and of
// medical t-SimCNE (sec. 2; Nwabufo et al. 2024). Each view of an image is
// drawn independently by augment_batch (augment_pipeline.h) in the medical
// paper's order
//   rot90 -> rotate -> crop -> h-flip -> v-flip -> colour jitter -> grayscale
// with torchvision's semantics (RandomApply(rot90), RandomRotation,
// RandomResizedCrop, RandomHorizontalFlip, RandomVerticalFlip,
// RandomApply(ColorJitter), RandomGrayscale). The natural-image pipeline is
// the same with rot90, rotate and v-flip off.

#include "engine/core/spec_node.h"

#include <string>

namespace nebench {

struct AugmentConfig {
  /// Smallest area fraction of the RandomResizedCrop (t-SimCNE sec. 1.4:
  /// scale=(0.2, 1)). In (0, 1]; crop_scale_min = 1 switches the crop off
  /// (the only crop of area fraction 1 is the whole image).
  double crop_scale_min = 0.2;
  /// Largest area fraction of the crop, in [crop_scale_min, 1]
  /// (torchvision default 1).
  double crop_scale_max = 1.0;
  /// Smallest aspect ratio width / height of the crop, drawn log-uniformly
  /// (torchvision default 3/4).
  double crop_ratio_min = 3.0 / 4.0;
  /// Largest aspect ratio of the crop, >= crop_ratio_min (torchvision
  /// default 4/3). The crop is resized back to the input size.
  double crop_ratio_max = 4.0 / 3.0;
  /// Probability of a horizontal flip (t-SimCNE: 0.5; 0 for digits, sec. 4
  /// protocol G: "do not use h-flip on digits").
  double hflip_p = 0.5;
  /// Probability of a vertical flip (medical t-SimCNE sec. 2: 0.5).
  double vflip_p = 0.0;
  /// Probability that ColorJitter is applied to an image (t-SimCNE:
  /// RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.8)).
  double jitter_p = 0.8;
  /// Brightness strength b: factor uniform in [max(0, 1 - b), 1 + b]
  /// (t-SimCNE: 0.4; torchvision ColorJitter). 0 = off.
  double brightness = 0.4;
  /// Contrast strength, factor range as brightness (t-SimCNE: 0.4).
  double contrast = 0.4;
  /// Saturation strength, factor range as brightness (t-SimCNE: 0.4); no
  /// effect on 1-channel images.
  double saturation = 0.4;
  /// Hue strength h in [0, 0.5]: shift uniform in [-h, h] of a full turn
  /// (t-SimCNE: 0.1); no effect on 1-channel images.
  double hue = 0.1;
  /// Probability of converting to grayscale (ITU-R 601-2 luma, all
  /// channels kept; t-SimCNE: 0.2); no effect on 1-channel images.
  double grayscale_p = 0.2;
  /// Probability of a 90-degree rotation (medical t-SimCNE sec. 2:
  /// RandomApply(rotate 90), p = 0.5). Needs square images.
  double rot90_p = 0.0;
  /// RandomRotation by an angle uniform in [-deg, deg] degrees, in
  /// [0, 180], filled with the image's mean border colour (medical
  /// t-SimCNE sec. 2: 45). 0 = off.
  double rotate_degrees = 0.0;

  /// t-SimCNE's pipeline for natural images (sec. 1.4): the defaults.
  static AugmentConfig natural();
  /// natural() without the h-flip (sec. 4 protocol G: digits are not
  /// mirror-symmetric).
  static AugmentConfig digits();
  /// Medical t-SimCNE (sec. 2): natural() + rot90 p 0.5, rotation +-45
  /// degrees, v-flip p 0.5, which together cover arbitrary rotations.
  static AugmentConfig medical();
  /// Everything off: augment_batch returns a copy of its input.
  static AugmentConfig none();

  /// Reads {"preset": "natural" | "digits" | "medical" | "none" (default
  /// "natural"), and any field above overriding the preset's value}.
  /// Probabilities must be in [0, 1], crop scales in (0, 1], ratios > 0,
  /// jitter strengths >= 0, hue in [0, 0.5], rotate_degrees in [0, 180],
  /// each max >= its min. Throws SpecError naming the JSON path, also for
  /// unknown keys.
  static AugmentConfig from_spec(const SpecNode &node);

  /// The preset of a name as from_spec reads it; NebenchError for an
  /// unknown name.
  static AugmentConfig preset(const std::string &name);

  /// Throws NebenchError naming the first field out of the ranges of
  /// from_spec (for configurations built in code).
  void validate() const;
};

} // namespace nebench
