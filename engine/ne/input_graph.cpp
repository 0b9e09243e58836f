#include "engine/ne/input_graph.h"

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"

namespace nebench {

std::string read_graph_input(const SpecNode &node) {
  const std::string input =
      node.string("input", std::string("knn"), {"knn", "graph"});
  if (input == "graph" && node.has("k"))
    node.fail_at("k", "only with \"input\": \"knn\" (the input graph's "
                      "edges are given, not found by a kNN search)");
  return input;
}

Csr method_input_graph(const Problem &problem, const std::string &input, int k,
                       const std::string &method) {
  if (input == "graph") {
    if (!problem.adjacency || problem.adjacency->n == 0)
      throw NebenchError(method + ": the problem has no input graph");
    return *problem.adjacency;
  }
  if (!problem.graph || problem.graph->k == 0)
    throw NebenchError(method + ": the problem has no kNN graph");
  if (k > problem.graph->k)
    throw NebenchError(method + ": needs k = " + std::to_string(k) +
                       " neighbours but the shared kNN graph has k = " +
                       std::to_string(problem.graph->k) +
                       " (raise graph.knn.k)");
  return binary_knn_graph(*problem.graph, k);
}

} // namespace nebench
