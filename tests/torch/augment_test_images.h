#pragma once
// Shared by the augmentation tests: seeded random images and the largest
// elementwise difference of two tensors.

#include <torch/torch.h>

#include <cstdint>

namespace nebench {

/// N x C x H x W float32 values uniform in [0, 1) from a CPU generator.
inline torch::Tensor random_images(std::int64_t n, std::int64_t c,
                                   std::int64_t h, std::int64_t w,
                                   std::uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::rand({n, c, h, w}, gen, torch::kFloat32);
}

/// max |a - b| in double.
inline double max_abs_diff(const torch::Tensor &a, const torch::Tensor &b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64))
      .abs()
      .max()
      .item<double>();
}

} // namespace nebench
