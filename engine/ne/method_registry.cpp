#include "engine/ne/method_registry.h"

#include "engine/ne/cne_method.h"
#include "engine/ne/external_embedding.h"
#include "engine/ne/force_atlas2_method.h"
#include "engine/ne/laplacian_eigenmaps_method.h"
#include "engine/ne/tsne_method.h"
#include "engine/ne/umap_method.h"

#include <functional>
#include <utility>

namespace nebench {

namespace {

using Factory = std::function<std::unique_ptr<Method>(const SpecNode &)>;

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
      {"cne",
       [](const SpecNode &node) {
         return std::make_unique<CneMethod>(CneParams::from_spec(node));
       }},
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

} // namespace nebench
