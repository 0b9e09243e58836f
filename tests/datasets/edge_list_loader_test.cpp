// Edge list + label files (datasets/edge_list_loader.h): separators,
// comments, weights, the largest component with labels in its node order
// (papers/graph.md sec. 4, 8), and the exact message of every file error.
#include "datasets/edge_list_loader.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nebench {
namespace {

using testing::TempDir;
using testing::write_text;

/// The DataError message of loading these file contents ("" = no label
/// file); the temp dir's path is replaced by "DIR".
std::string load_error(const std::string &edges, const std::string &labels) {
  TempDir dir;
  write_text(dir.file("g.edges"), edges);
  if (!labels.empty())
    write_text(dir.file("g.labels"), labels);
  try {
    load_edge_list(dir.file("g.edges"),
                   labels.empty() ? "" : dir.file("g.labels"));
  } catch (const DataError &e) {
    std::string message = e.what();
    const auto at = message.find(dir.path());
    if (at != std::string::npos)
      message.replace(at, dir.path().size(), "DIR");
    return message;
  }
  return "(no DataError)";
}

TEST(EdgeListLoader, SeparatorsCommentsWeightsAndLargestComponent) {
  TempDir dir;
  // Component {3, 5, 7, 8} (a 4-cycle with a duplicate, a weight and a
  // self-loop), component {1, 2}, ids 0, 4, 6 in no edge.
  write_text(dir.file("g.edges"), "# source target weight\n"
                                  "\n"
                                  "3 5\n"
                                  "5,7\r\n"
                                  "  7, 8 0.25\n"
                                  "8\t3\n"
                                  "5 3\n"
                                  "   # indented comment\n"
                                  "7 7\n"
                                  "1 2\n");
  write_text(dir.file("g.labels"), "# node label\n"
                                   "8 4\n"
                                   "7,3\n"
                                   "5 2\n"
                                   "3 1\n"
                                   "2 9\n"
                                   "1 9\n"
                                   "0 6\n"); // node 0 in no edge: unused
  const LabeledGraph g =
      load_edge_list(dir.file("g.edges"), dir.file("g.labels"));
  EXPECT_EQ(g.original_ids, (std::vector<std::int64_t>{3, 5, 7, 8}));
  EXPECT_EQ(g.labels, (std::vector<std::int32_t>{1, 2, 3, 4}));
  // Cycle 3-5-7-8-3 renumbered 0-1-2-3-0; unweighted.
  EXPECT_EQ(g.graph.n, 4);
  EXPECT_EQ(g.graph.indptr, (std::vector<std::int64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(g.graph.indices,
            (std::vector<std::int32_t>{1, 3, 0, 2, 1, 3, 0, 2}));
  EXPECT_EQ(g.graph.values, std::vector<double>(8, 1.0));
  EXPECT_NO_THROW(check_undirected_graph(g.graph, "loaded"));

  const LabeledGraph unlabelled = load_edge_list(dir.file("g.edges"));
  EXPECT_TRUE(unlabelled.labels.empty());
  EXPECT_EQ(unlabelled.original_ids, g.original_ids);
}

// fuzz/corpus/edge_list_fuzzer/crash-huge-id: the largest id sizes
// nothing; only the ids in edges make nodes (two lines, not 2^31 nodes).
TEST(EdgeListLoader, LargestIdDoesNotSizeTheGraph) {
  TempDir dir;
  write_text(dir.file("g.edges"), "0 2147483647\n2147483647 5\n");
  write_text(dir.file("g.labels"), "5 1\n2147483647 2\n0 3\n");
  const LabeledGraph g =
      load_edge_list(dir.file("g.edges"), dir.file("g.labels"));
  EXPECT_EQ(g.original_ids, (std::vector<std::int64_t>{0, 5, 2147483647}));
  EXPECT_EQ(g.labels, (std::vector<std::int32_t>{3, 1, 2}));
  EXPECT_EQ(g.graph.n, 3);
  EXPECT_EQ(g.graph.indptr, (std::vector<std::int64_t>{0, 1, 2, 4}));
  EXPECT_EQ(load_error("0 2147483647\n", "0 1\n0 2\n"),
            "DIR/g.labels:2: second label for node 0 (first on line 1)");
  EXPECT_EQ(load_error("0 2147483647\n", "0 1\n"),
            "DIR/g.labels: no label for 1 node of the edge file: 2147483647");
}

TEST(EdgeListLoader, EdgeFileErrorsNameFileAndLine) {
  EXPECT_EQ(load_error("0 1\n1 a\n", ""),
            "DIR/g.edges:2: node id 'a' is not a non-negative integer");
  EXPECT_EQ(load_error("0 1\n1.0 2\n", ""),
            "DIR/g.edges:2: node id '1.0' is not a non-negative integer");
  EXPECT_EQ(load_error("# c\n-3 1\n", ""),
            "DIR/g.edges:2: node id -3 is negative");
  EXPECT_EQ(load_error("2147483648 1\n", ""),
            "DIR/g.edges:1: node id 2147483648 exceeds 2^31 - 1 = 2147483647");
  EXPECT_EQ(load_error("0 99999999999999999999999\n", ""),
            "DIR/g.edges:1: node id 99999999999999999999999 exceeds 2^31 - 1 "
            "= 2147483647");
  EXPECT_EQ(load_error("0 1\n\n5\n", ""),
            "DIR/g.edges:3: expected an edge \"u v\" or \"u v weight\", found "
            "1 field");
  EXPECT_EQ(load_error("0 1 2 3\n", ""),
            "DIR/g.edges:1: expected an edge \"u v\" or \"u v weight\", found "
            "4 fields");
  EXPECT_EQ(load_error("", ""), "DIR/g.edges: no edges");
  EXPECT_EQ(load_error("# only a comment\n\n", ""), "DIR/g.edges: no edges");
  EXPECT_EQ(load_error("1 1\n2 2\n", ""),
            "DIR/g.edges: no edges besides self-loops");
  try {
    load_edge_list("/nonexistent/g.edges");
    FAIL() << "no throw";
  } catch (const DataError &e) {
    EXPECT_STREQ(e.what(), "/nonexistent/g.edges: cannot open");
  }
}

TEST(EdgeListLoader, LabelFileErrorsNameFileAndLine) {
  const std::string edges = "0 1\n1 2\n2 3\n";
  EXPECT_EQ(load_error(edges, "0 0\n1 0\n9 1\n"),
            "DIR/g.labels:3: label for node 9, which does not exist (the edge "
            "file's ids end at 3)");
  EXPECT_EQ(load_error(edges, "# x\n1 0\n0 0\n1 1\n"),
            "DIR/g.labels:4: second label for node 1 (first on line 2)");
  EXPECT_EQ(load_error(edges, "0 x\n"),
            "DIR/g.labels:1: label 'x' is not a non-negative integer");
  EXPECT_EQ(load_error(edges, "0 -1\n"),
            "DIR/g.labels:1: label -1 is negative");
  EXPECT_EQ(load_error(edges, "0\n"),
            "DIR/g.labels:1: expected \"node label\", found 1 field");
  EXPECT_EQ(load_error(edges, "0 1 2\n"),
            "DIR/g.labels:1: expected \"node label\", found 3 fields");
  EXPECT_EQ(load_error(edges, "0 0\n1 0\n3 0\n"),
            "DIR/g.labels: no label for 1 node of the edge file: 2");
  // Seven nodes without a label: the first five are listed.
  EXPECT_EQ(load_error("0 1\n1 2\n2 3\n3 4\n4 5\n5 6\n6 7\n", "5 0\n"),
            "DIR/g.labels: no label for 7 nodes of the edge file: 0, 1, 2, "
            "3, 4, ...");
  // A self-loop alone still puts its node in the edge file.
  EXPECT_EQ(load_error("0 1\n2 2\n", "0 0\n1 0\n"),
            "DIR/g.labels: no label for 1 node of the edge file: 2");
}

} // namespace
} // namespace nebench
