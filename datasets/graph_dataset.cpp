#include "datasets/graph_dataset.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <algorithm>

namespace nebench {

Dataset graph_dataset(const LabeledGraph &g, const std::string &name,
                      const std::string &sha256) {
  ComponentSubgraph lcc = largest_connected_component(g.graph);
  const auto n = static_cast<std::int64_t>(lcc.nodes.size());
  if (n < 3)
    throw DataError(name, "the largest connected component has " +
                              std::to_string(n) +
                              " node(s); a graph dataset needs at least 3");
  Dataset ds;
  ds.name = name;
  ds.sha256 = sha256;
  ds.X = Matrix(n, 0);
  ds.indices.reserve(lcc.nodes.size());
  for (const std::int64_t old : lcc.nodes) {
    ds.indices.push_back(g.original_ids.empty() ? old : g.original_ids[old]);
    if (!g.labels.empty())
      ds.labels.push_back(g.labels[old]);
  }
  if (!ds.labels.empty()) {
    const std::int32_t top =
        *std::max_element(ds.labels.begin(), ds.labels.end());
    for (std::int32_t c = 0; c <= top; ++c)
      ds.class_names.push_back(std::to_string(c));
  }
  ds.graph = std::move(lcc.graph);
  return ds;
}

} // namespace nebench
