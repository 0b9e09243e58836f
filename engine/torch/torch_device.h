#pragma once
// The LibTorch device of the methods in engine/torch, from the process's
// --device selection (engine/ne/method_registry.h: select_method_device).

#include <torch/torch.h>

#include <string>

namespace nebench {

/// torch::kCPU for "cpu", torch::kCUDA for "cuda". `who` names the method in
/// errors (NebenchError) for "cuda" without a CUDA device or an unknown
/// device name.
torch::Device method_torch_device(const std::string &who);

} // namespace nebench
