#pragma once
// The shape of the images of an image dataset. Each row of Dataset::X holds
// one image channel-major (C x H x W, as one item of torch's N x C x H x W):
// value (c, y, x) is at column (c * H + y) * W + x.

#include <cstdint>
#include <string>

namespace nebench {

struct ImageShape {
  /// Colour channels: 1 (grey) or 3 (R, G, B planes, in that order).
  int channels = 0;
  /// Rows of pixels (28 for MNIST, 32 for CIFAR).
  int height = 0;
  /// Pixels per row.
  int width = 0;

  /// True for data that are not images (all three zero).
  bool empty() const { return channels == 0 && height == 0 && width == 0; }
  /// Values per image, C * H * W (the row length of X).
  std::int64_t size() const {
    return std::int64_t(channels) * std::int64_t(height) * std::int64_t(width);
  }
  /// "3x32x32" (C x H x W), for messages.
  std::string describe() const {
    return std::to_string(channels) + "x" + std::to_string(height) + "x" +
           std::to_string(width);
  }
  bool operator==(const ImageShape &) const = default;
};

} // namespace nebench
