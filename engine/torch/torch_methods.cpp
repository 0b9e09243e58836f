#include "engine/torch/torch_methods.h"

#include "engine/ne/method_registry.h"
#include "engine/torch/graph_cne_method.h"
#include "engine/torch/parametric_cne.h"
#include "engine/torch/tsimcne_method.h"

#include <torch/torch.h>

#include <memory>

namespace nebench {

void register_torch_methods() {
  set_parametric_cne_factory(
      [](const SpecNode &node) -> std::unique_ptr<Method> {
        return std::make_unique<ParametricCneMethod>(
            ParametricCneParams::from_spec(node));
      });
  set_torch_method_factory(
      "tsimcne", [](const SpecNode &node) -> std::unique_ptr<Method> {
        return std::make_unique<TsimcneMethod>(TsimcneParams::from_spec(node));
      });
  set_torch_method_factory("graph_cne",
                           [](const SpecNode &node) -> std::unique_ptr<Method> {
                             return std::make_unique<GraphCneMethod>(
                                 GraphCneParams::from_spec(node));
                           });
  if (torch::cuda::is_available())
    register_device("cuda", true);
  else
    register_device("cuda", false,
                    "LibTorch " TORCH_VERSION
                    " of this build sees no CUDA device (a CPU-only LibTorch "
                    "or no GPU), and the native methods run on the CPU");
}

} // namespace nebench
