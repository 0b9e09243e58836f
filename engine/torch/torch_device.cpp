#include "engine/torch/torch_device.h"

#include "engine/core/errors.h"
#include "engine/ne/method_registry.h"

namespace nebench {

torch::Device method_torch_device(const std::string &who) {
  const std::string d = method_device();
  if (d == "cpu")
    return torch::kCPU;
  if (d == "cuda") {
    if (!torch::cuda::is_available())
      throw NebenchError(who + ": --device cuda, but LibTorch sees no CUDA "
                               "device");
    return torch::kCUDA;
  }
  throw NebenchError(who + ": unknown device " + d);
}

} // namespace nebench
