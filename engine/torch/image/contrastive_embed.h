#pragma once
// The embedding of un-augmented images by a trained contrastive model: Z
// (the projection head's output, 2-D after t-SimCNE's stage 2) for the
// maps and kNN accuracy, H (the backbone features) for the linear probe and
// SimCLR's high-dimensional kNN (sec. 1.5 of papers/tsimcne_medical_norms.md).

#include "engine/torch/image/contrastive_model.h"

#include <torch/torch.h>

#include <utility>

namespace nebench {

/// (Z: N x out_dim, H: N x feature_dim), float32 on the CPU, of images
/// (N x C x H x W float, any device; moved batch by batch to the model's
/// device). The model runs in eval mode (BN with its running statistics)
/// without autograd, batch_size images at a time; its train/eval mode is
/// restored afterwards. Throws NebenchError for batch_size < 1 or images
/// that are not 4-D.
std::pair<torch::Tensor, torch::Tensor>
embed(ContrastiveModel &model, const torch::Tensor &images, int batch_size);

} // namespace nebench
