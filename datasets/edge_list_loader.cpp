#include "datasets/edge_list_loader.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace nebench {

namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int32_t>::max();

/// Number of unlabelled nodes listed by name in the error message.
constexpr std::size_t kMissingListed = 5;

/// Splits at runs of whitespace and commas.
std::vector<std::string> split_fields(const std::string &line) {
  std::vector<std::string> fields;
  std::string field;
  for (const char c : line) {
    if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\v' ||
        c == '\f') {
      if (!field.empty())
        fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty())
    fields.push_back(std::move(field));
  return fields;
}

/// Blank or '#' comment.
bool skipped_line(const std::string &line) {
  const auto first = line.find_first_not_of(" \t\r\v\f");
  return first == std::string::npos || line[first] == '#';
}

/// A non-negative decimal integer up to 2^31 - 1; `what` names the field.
std::int32_t parse_id(const std::string &field, const char *what,
                      const std::string &file, std::int64_t line) {
  const bool negative = field.size() > 1 && field[0] == '-';
  const std::string digits = negative ? field.substr(1) : field;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    throw DataError::at_line(file, line,
                             std::string(what) + " '" + field +
                                 "' is not a non-negative integer");
  if (negative)
    throw DataError::at_line(file, line,
                             std::string(what) + " " + field + " is negative");
  const auto significant = digits.find_first_not_of('0');
  if (significant != std::string::npos &&
      (digits.size() - significant > 10 || std::stoll(digits) > kMaxId))
    throw DataError::at_line(
        file, line,
        std::string(what) + " " + field +
            " exceeds 2^31 - 1 = " + std::to_string(kMaxId));
  return significant == std::string::npos
             ? 0
             : static_cast<std::int32_t>(std::stoll(digits));
}

std::ifstream open_text(const std::string &file) {
  std::ifstream in(file);
  if (!in)
    throw DataError(file, "cannot open");
  return in;
}

struct EdgeFile {
  std::vector<GraphEdge> edges;
  std::int64_t max_id = -1;
};

EdgeFile read_edges(const std::string &file) {
  std::ifstream in = open_text(file);
  EdgeFile out;
  std::string text;
  for (std::int64_t line = 1; std::getline(in, text); ++line) {
    if (skipped_line(text))
      continue;
    const auto fields = split_fields(text);
    if (fields.size() < 2)
      throw DataError::at_line(file, line,
                               "expected an edge \"u v\" or \"u v weight\", "
                               "found 1 field");
    if (fields.size() > 3)
      throw DataError::at_line(file, line,
                               "expected an edge \"u v\" or \"u v weight\", "
                               "found " +
                                   std::to_string(fields.size()) + " fields");
    const std::int32_t u = parse_id(fields[0], "node id", file, line);
    const std::int32_t v = parse_id(fields[1], "node id", file, line);
    out.edges.emplace_back(u, v);
    out.max_id = std::max<std::int64_t>(out.max_id, std::max(u, v));
  }
  if (in.bad())
    throw DataError(file, "read error");
  if (out.edges.empty())
    throw DataError(file, "no edges");
  return out;
}

/// A label and the line it is on.
struct NodeLabel {
  std::int32_t value = -1;
  std::int64_t line = 0;
};

/// The labels of the file by node id (only the nodes listed: a map, not an
/// array over 0..max_id, whose size the edge file's ids alone decide).
std::unordered_map<std::int32_t, NodeLabel> read_labels(const std::string &file,
                                                        std::int64_t max_id) {
  std::ifstream in = open_text(file);
  std::unordered_map<std::int32_t, NodeLabel> label;
  std::string text;
  for (std::int64_t line = 1; std::getline(in, text); ++line) {
    if (skipped_line(text))
      continue;
    const auto fields = split_fields(text);
    if (fields.size() != 2)
      throw DataError::at_line(file, line,
                               "expected \"node label\", found " +
                                   std::to_string(fields.size()) + " field" +
                                   (fields.size() == 1 ? "" : "s"));
    const std::int32_t node = parse_id(fields[0], "node id", file, line);
    const std::int32_t value = parse_id(fields[1], "label", file, line);
    if (node > max_id)
      throw DataError::at_line(file, line,
                               "label for node " + std::to_string(node) +
                                   ", which does not exist (the edge file's "
                                   "ids end at " +
                                   std::to_string(max_id) + ")");
    const auto [it, fresh] = label.emplace(node, NodeLabel{value, line});
    if (!fresh)
      throw DataError::at_line(file, line,
                               "second label for node " + std::to_string(node) +
                                   " (first on line " +
                                   std::to_string(it->second.line) + ")");
  }
  if (in.bad())
    throw DataError(file, "read error");
  return label;
}

} // namespace

LabeledGraph load_edge_list(const std::string &edge_file,
                            const std::string &label_file) {
  const EdgeFile edges = read_edges(edge_file);
  // Nodes are 0..max_id (sec. 4 works on the graph's own node ids), but the
  // graph is built on the ids that occur in an edge, renumbered 0..m-1 in
  // increasing order: the others are isolated, so never in the largest
  // component (which has an edge), and arrays over 0..max_id would let a
  // one-line file "0 2147483647" allocate gigabytes (fuzz/edge_list_fuzzer).
  std::vector<std::int32_t> ids;
  ids.reserve(2 * edges.edges.size());
  for (const auto &[u, v] : edges.edges) {
    ids.push_back(u);
    ids.push_back(v);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const auto compact = [&ids](std::int32_t id) {
    return static_cast<std::int32_t>(
        std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  std::vector<GraphEdge> compact_edges;
  compact_edges.reserve(edges.edges.size());
  for (const auto &[u, v] : edges.edges)
    compact_edges.emplace_back(compact(u), compact(v));
  const auto n = static_cast<std::int64_t>(ids.size());
  const Csr full = undirected_graph_from_edges(n, compact_edges);
  if (full.nnz() == 0)
    throw DataError(edge_file, "no edges besides self-loops");

  std::vector<std::int32_t> all_labels; // by compact id
  if (!label_file.empty()) {
    const auto labels = read_labels(label_file, edges.max_id);
    all_labels.assign(ids.size(), -1);
    std::vector<std::int64_t> missing;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto it = labels.find(ids[i]);
      if (it == labels.end())
        missing.push_back(ids[i]);
      else
        all_labels[i] = it->second.value;
    }
    if (!missing.empty()) {
      std::string list;
      for (std::size_t k = 0; k < std::min(missing.size(), kMissingListed); ++k)
        list += (k ? ", " : "") + std::to_string(missing[k]);
      if (missing.size() > kMissingListed)
        list += ", ...";
      throw DataError(label_file, "no label for " +
                                      std::to_string(missing.size()) + " node" +
                                      (missing.size() == 1 ? "" : "s") +
                                      " of the edge file: " + list);
    }
  }

  ComponentSubgraph lcc = largest_connected_component(full);
  LabeledGraph out;
  out.graph = std::move(lcc.graph);
  out.original_ids.reserve(lcc.nodes.size());
  for (const std::int64_t c : lcc.nodes)
    out.original_ids.push_back(ids[static_cast<std::size_t>(c)]);
  if (!all_labels.empty()) {
    out.labels.reserve(lcc.nodes.size());
    for (const std::int64_t c : lcc.nodes)
      out.labels.push_back(all_labels[static_cast<std::size_t>(c)]);
  }
  return out;
}

} // namespace nebench
