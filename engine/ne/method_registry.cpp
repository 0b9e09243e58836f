#include "engine/ne/method_registry.h"

#include "engine/core/errors.h"
#include "engine/ne/cne_method.h"
#include "engine/ne/external_embedding.h"
#include "engine/ne/force_atlas2_method.h"
#include "engine/ne/laplacian_eigenmaps_method.h"
#include "engine/ne/tsne_method.h"
#include "engine/ne/umap_method.h"

#include <functional>
#include <map>
#include <utility>

namespace nebench {

namespace {

using Factory = MethodFactory;

MethodFactory &parametric_cne_factory() {
  static MethodFactory factory;
  return factory;
}

/// "cne": the native method, or the parametric one (engine/torch) when
/// "parametric" is true and this build has it.
std::unique_ptr<Method> make_cne(const SpecNode &node) {
  if (node.boolean("parametric", false)) {
    if (!parametric_cne_factory())
      throw MissingFeatureError(
          node.file(), node.path_of("parametric"),
          "this build has no LibTorch: parametric CNE (engine/torch) "
          "needs a build with -DNEBENCH_WITH_TORCH=ON");
    return parametric_cne_factory()(node);
  }
  return std::make_unique<CneMethod>(CneParams::from_spec(node));
}

struct DeviceEntry {
  bool available = false;
  std::string why_not;
};

std::map<std::string, DeviceEntry> &devices() {
  static std::map<std::string, DeviceEntry> table = {
      {"cpu", {true, ""}},
      {"cuda",
       {false, "this build has no LibTorch (-DNEBENCH_WITH_TORCH=ON), and "
               "the native methods run on the CPU"}}};
  return table;
}

std::string &selected_device() {
  static std::string device = "cpu";
  return device;
}

const std::vector<std::pair<std::string, Factory>> &registry() {
  static const std::vector<std::pair<std::string, Factory>> table = {
      {"tsne",
       [](const SpecNode &node) {
         return std::make_unique<TsneMethod>(TsneParams::from_spec(node));
       }},
      {"umap",
       [](const SpecNode &node) {
         return std::make_unique<UmapMethod>(UmapParams::from_spec(node));
       }},
      {"fa2",
       [](const SpecNode &node) {
         return std::make_unique<ForceAtlas2Method>(
             ForceAtlas2Params::from_spec(node));
       }},
      {"laplacian_eigenmaps",
       [](const SpecNode &node) {
         return std::make_unique<LaplacianEigenmapsMethod>(
             LaplacianEigenmapsParams::from_spec(node));
       }},
      {"cne", make_cne},
      {"external",
       [](const SpecNode &node) {
         return std::make_unique<ExternalEmbedding>(
             ExternalEmbeddingParams::from_spec(node));
       }},
  };
  return table;
}

} // namespace

std::vector<std::string> method_types() {
  std::vector<std::string> out;
  for (const auto &entry : registry())
    out.push_back(entry.first);
  return out;
}

std::unique_ptr<Method> make_method(const SpecNode &method_node) {
  const std::string type =
      method_node.string("type", std::nullopt, method_types());
  for (const auto &entry : registry())
    if (entry.first == type)
      return entry.second(method_node);
  method_node.fail_at("type", "unknown method type"); // unreachable
}

void set_parametric_cne_factory(MethodFactory factory) {
  parametric_cne_factory() = std::move(factory);
}

void register_device(const std::string &name, bool available,
                     const std::string &why_not) {
  devices()[name] = DeviceEntry{available, why_not};
}

void select_method_device(const std::string &name) {
  const auto it = devices().find(name);
  if (it == devices().end())
    throw UsageError("--device " + name + ": unknown device (cpu or cuda)");
  if (!it->second.available)
    throw UsageError("--device " + name + ": " + it->second.why_not +
                     "; use --device cpu");
  selected_device() = name;
}

std::string method_device() { return selected_device(); }

} // namespace nebench
