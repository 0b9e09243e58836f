#include "engine/ne/method_registry.h"

#include "engine/core/errors.h"
#include "engine/graph/walk_embedding_method.h"
#include "engine/ne/cne_method.h"
#include "engine/ne/external_embedding.h"
#include "engine/ne/force_atlas2_method.h"
#include "engine/ne/laplacian_eigenmaps_method.h"
#include "engine/ne/norm_simulation_method.h"
#include "engine/ne/tsne_method.h"
#include "engine/ne/umap_method.h"

#include <functional>
#include <map>
#include <utility>

namespace nebench {

namespace {

using Factory = MethodFactory;

/// Builders installed by engine/torch, by key: "cne/parametric" and the
/// image methods' types.
std::map<std::string, MethodFactory> &torch_factories() {
  static std::map<std::string, MethodFactory> table;
  return table;
}

/// The engine/torch builder of `key`, or MissingFeatureError at `key_path`
/// of the method node naming `what`.
const MethodFactory &torch_factory(const SpecNode &node, const std::string &key,
                                   const std::string &key_path,
                                   const std::string &what) {
  const auto it = torch_factories().find(key);
  if (it == torch_factories().end() || !it->second)
    throw MissingFeatureError(node.file(), node.path_of(key_path),
                              "this build has no LibTorch: " + what +
                                  " (engine/torch) needs a build with "
                                  "-DNEBENCH_WITH_TORCH=ON");
  return it->second;
}

/// "cne": the native method, or the parametric one (engine/torch) when
/// "parametric" is true and this build has it.
std::unique_ptr<Method> make_cne(const SpecNode &node) {
  if (node.boolean("parametric", false))
    return torch_factory(node, "cne/parametric", "parametric",
                         "parametric CNE")(node);
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
      {"tsimcne",
       [](const SpecNode &node) {
         return torch_factory(node, "tsimcne", "type",
                              "t-SimCNE / SimCLR")(node);
       }},
      {"external",
       [](const SpecNode &node) {
         return std::make_unique<ExternalEmbedding>(
             ExternalEmbeddingParams::from_spec(node));
       }},
      {"deepwalk",
       [](const SpecNode &node) {
         return std::make_unique<WalkEmbeddingMethod>(
             WalkEmbeddingParams::from_spec(node));
       }},
      {"node2vec",
       [](const SpecNode &node) {
         return std::make_unique<WalkEmbeddingMethod>(
             WalkEmbeddingParams::from_spec(node));
       }},
      {"graph_cne",
       [](const SpecNode &node) {
         return torch_factory(node, "graph_cne", "type", "graph CNE")(node);
       }},
      {"simulation",
       [](const SpecNode &node) {
         return std::make_unique<NormSimulationMethod>(
             NormSimulationParams::from_spec(node));
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
  set_torch_method_factory("cne/parametric", std::move(factory));
}

void set_torch_method_factory(const std::string &type, MethodFactory factory) {
  if (factory)
    torch_factories()[type] = std::move(factory);
  else
    torch_factories().erase(type);
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
