#include "engine/torch/image/contrastive_embed.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <string>
#include <vector>

namespace nebench {

std::pair<torch::Tensor, torch::Tensor>
embed(ContrastiveModel &model, const torch::Tensor &images, int batch_size) {
  if (batch_size < 1)
    throw NebenchError("embed: batch_size must be >= 1, got " +
                       std::to_string(batch_size));
  if (!images.defined() || images.dim() != 4)
    throw NebenchError("embed: images must be N x C x H x W");
  const bool was_training = model.is_training();
  const torch::Device device = model.output_layer()->weight.device();
  model.eval();
  std::vector<torch::Tensor> zs, hs;
  {
    torch::NoGradGuard no_grad;
    const std::int64_t n = images.size(0);
    for (std::int64_t s = 0; s < n; s += batch_size) {
      const std::int64_t m = std::min<std::int64_t>(batch_size, n - s);
      auto [z, h] =
          model.forward(images.narrow(0, s, m).to(device, torch::kFloat32));
      zs.push_back(z.to(torch::kCPU));
      hs.push_back(h.to(torch::kCPU));
    }
  }
  model.train(was_training);
  if (zs.empty())
    return {torch::empty({0, model.out_dim()}),
            torch::empty({0, model.feature_dim()})};
  return {torch::cat(zs, 0), torch::cat(hs, 0)};
}

} // namespace nebench
