#pragma once
// "rotated-shapes": a seeded synthetic image set whose classes are invariant
// to arbitrary rotation, for the medical t-SimCNE claim that rotation
// augmentations help (Nwabufo et al. 2024; papers/tsimcne_medical_norms.md
// sec. 2 and protocol H) without MedMNIST. Each image shows one shape
// (class = shape: disc, ring, square, triangle, cross, bar, L-shape, two
// dots) at a uniformly random rotation angle, with a random scale (+-15%),
// position jitter (+-2 px at 28 px), background and foreground level, and
// pixel noise level. Because the angle is uniform on [0, 2 pi), the class
// of an image says nothing about its orientation: an embedding that groups
// by class must be rotation invariant, which is what rotation augmentations
// teach and natural-image augmentations (crop, flip, colour jitter) do not.
//
// Rows are channel-major images (C x S x S) with values in [0, 1]
// (pixel_max 1). Every random choice comes from Rng(seed, image index), so an
// image does not depend on n.

#include "datasets/dataset.h"
#include "engine/core/rng.h"
#include "engine/core/spec_node.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

struct RotatedShapesOptions {
  /// Number of images. Image i shows shape i mod `classes`, so every class
  /// has n / classes images (+-1).
  std::int64_t n = 5000;
  /// Side length S of the square images, pixels (28, as MedMNIST), 8..256.
  std::int64_t size = 28;
  /// 1 (grey) or 3 (colour: background and foreground levels drawn per
  /// channel, noise independent per channel).
  std::int64_t channels = 1;
  /// Number of shape classes K, 2..8: the first K of rotated_shape_names().
  std::int64_t classes = 4;
  /// Largest pixel noise standard deviation; each image draws its own level
  /// uniformly in [0, noise]. In [0, 1].
  double noise = 0.1;
  /// Seed of the generator (spec key dataset.options.seed).
  std::uint64_t seed = 0;

  /// Strict parsing of dataset.options (unknown keys are errors).
  static RotatedShapesOptions from_spec(const SpecNode &options);
  json to_json() const;
};

/// The random draw behind one image.
struct ShapeDraw {
  /// Class: index into rotated_shape_names().
  int shape = 0;
  /// Rotation of the shape, radians, uniform in [0, 2 pi).
  double angle = 0;
  /// Size factor, uniform in [0.85, 1.15]; the shape's outer radius is
  /// 0.3 * S * scale.
  double scale = 1;
  /// Offset of the shape's centre from the image centre, pixels, each
  /// uniform in [-S/14, S/14] (+-2 px at S = 28).
  double dx = 0, dy = 0;
  /// Per-channel level outside the shape, uniform in [0, 0.35].
  std::array<double, 3> background{0, 0, 0};
  /// Per-channel level inside the shape, uniform in [0.6, 1] (so the
  /// contrast is at least 0.25).
  std::array<double, 3> foreground{1, 1, 1};
  /// Standard deviation of the Gaussian pixel noise.
  double noise = 0;
};

/// "disc", "ring", "square", "triangle", "cross", "bar", "L-shape",
/// "two-dots".
const std::vector<std::string> &rotated_shape_names();

/// The draw of image `index`, taken from `rng` (the generator passes
/// Rng(seed, index)); the class is index mod options.classes.
ShapeDraw draw_rotated_shape(const RotatedShapesOptions &options,
                             std::int64_t index, Rng &rng);

/// Renders one image into `out` (channels * size * size values, channel-
/// major): each pixel is background + (foreground - background) * coverage,
/// coverage measured on a 4 x 4 grid of points inside the pixel (anti-
/// aliasing), plus noise * N(0, 1) from `rng`, clamped to [0, 1].
void render_rotated_shape(const ShapeDraw &draw, std::int64_t size,
                          std::int64_t channels, Rng &rng, float *out);

Dataset make_rotated_shapes(const RotatedShapesOptions &options);

} // namespace nebench
