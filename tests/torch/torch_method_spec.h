#pragma once
// Builds engine/torch methods from spec text through the registry, as
// `nebench validate` does (register_torch_methods installs their builders),
// for the parsing tests of the torch methods.

#include "engine/core/errors.h"
#include "engine/ne/method_registry.h"
#include "engine/torch/torch_methods.h"

#include <memory>
#include <stdexcept>
#include <string>

namespace nebench {

/// The method of a method object written as JSON text; the node's path is
/// "runs[0].method" in file "s.json".
inline std::unique_ptr<Method> make_torch_method(const std::string &text) {
  register_torch_methods();
  const json j = json::parse(text);
  return make_method(SpecNode(j, "s.json", "runs[0].method"));
}

/// The SpecError message for `text`, or "(no error)".
inline std::string torch_method_spec_error(const std::string &text) {
  try {
    make_torch_method(text);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "(no error)";
}

/// The parsed parameters of a method of class M built from `text`.
template <class M> auto torch_method_params(const std::string &text) {
  const auto m = make_torch_method(text);
  const auto *typed = dynamic_cast<const M *>(m.get());
  if (!typed)
    throw std::runtime_error("the spec built a method of another class");
  return typed->params();
}

} // namespace nebench
