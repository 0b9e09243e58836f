#pragma once
// Builds a Method from its spec object by "type". Each method parses and
// validates all of its parameters here, so `nebench validate` catches every
// error before any run. New methods add one entry to the table in
// method_registry.cpp.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nebench {

/// The method for `method_node` ({"type": "tsne", ...}). Throws SpecError
/// naming the JSON path for an unknown type (listing the known ones) or any
/// invalid parameter.
std::unique_ptr<Method> make_method(const SpecNode &method_node);

/// Known method types, in registration order.
std::vector<std::string> method_types();

// Hooks for the parts that live outside nebench_engine (engine/torch links
// LibTorch; nebench_engine does not). The CLI installs them at start-up with
// register_torch_methods() (engine/torch/torch_methods.h); an explicit call,
// because static-initialisation registration in a static library is dropped
// by the linker.

using MethodFactory =
    std::function<std::unique_ptr<Method>(const SpecNode &method_node)>;

/// Builds {"type": "cne", "parametric": true} (the MLP of engine/torch/
/// parametric_cne.h). Until one is installed such a spec is refused with a
/// SpecError at "parametric" (this build has no LibTorch). An empty factory
/// uninstalls it.
void set_parametric_cne_factory(MethodFactory factory);

/// Builds the method of a type that lives in engine/torch ("tsimcne": the
/// image models of engine/torch/tsimcne_method.h). make_method knows the
/// type in every build; until a factory is installed, a spec using it is
/// refused with MissingFeatureError at "type". An empty factory uninstalls.
void set_torch_method_factory(const std::string &type, MethodFactory factory);

/// Compute devices of `--device`: "cpu" is always available (native methods
/// always run there); engine/torch registers "cuda" (available or, with
/// `why_not`, not). LibTorch methods run on the selected device.
void register_device(const std::string &name, bool available,
                     const std::string &why_not = "");

/// Selects the device of LibTorch methods for this process (the runner,
/// from --device). Throws UsageError naming why a device is not available.
void select_method_device(const std::string &name);

/// The device selected by select_method_device(), "cpu" by default.
std::string method_device();

} // namespace nebench
