#pragma once
// Builds a Method from its spec object by "type". Each method parses and
// validates all of its parameters here, so `nebench validate` catches every
// error before any run. New methods add one entry to the table in
// method_registry.cpp.

#include "engine/core/spec_node.h"
#include "engine/ne/method.h"

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

} // namespace nebench
