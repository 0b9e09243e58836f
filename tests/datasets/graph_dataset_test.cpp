// Graph datasets (datasets/graph_dataset.h) through the spec paths users
// take: the "sbm" generator and a user's edge_list file, and the refusal to
// subsample a graph.
#include "datasets/graph_dataset.h"

#include "datasets/dataset_spec.h"
#include "datasets/registry.h"
#include "datasets/subsample.h"
#include "datasets/synthetic.h"
#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

TEST(GraphDataset, KeepsTheLargestComponentWithItsLabels) {
  LabeledGraph g;
  // Nodes 0-1-2-3 connected, 4-5 apart.
  g.graph = undirected_graph_from_edges(6, {{0, 1}, {1, 2}, {2, 3}, {4, 5}});
  g.labels = {0, 1, 1, 0, 2, 2};
  g.original_ids = {10, 11, 12, 13, 14, 15};
  const Dataset ds = graph_dataset(g, "toy", "abc");
  ASSERT_TRUE(ds.is_graph());
  EXPECT_EQ(ds.n(), 4);
  EXPECT_EQ(ds.d(), 0);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{0, 1, 1, 0}));
  EXPECT_EQ(ds.indices, (std::vector<std::int64_t>{10, 11, 12, 13}));
  EXPECT_EQ(ds.graph->nnz(), 6);
  EXPECT_EQ(ds.sha256, "abc");
  EXPECT_THROW(subsample_dataset(ds, 2, 0), DataError);
  LabeledGraph tiny;
  tiny.graph = undirected_graph_from_edges(2, {{0, 1}});
  EXPECT_THROW(graph_dataset(tiny, "tiny", ""), DataError);
}

TEST(GraphDataset, SbmGeneratorIsSeededAndLabelledByBlock) {
  const json options = {{"n_blocks", 3},
                        {"n_per_block", 20},
                        {"p_in", 0.5},
                        {"p_out", 0.02},
                        {"seed", 4}};
  const Dataset a =
      generate_synthetic("sbm", SpecNode(options, "s.json", "dataset.options"));
  const Dataset b =
      generate_synthetic("sbm", SpecNode(options, "s.json", "dataset.options"));
  ASSERT_TRUE(a.is_graph());
  EXPECT_EQ(a.n(), 60); // p_in 0.5 on 20 nodes: one component
  EXPECT_EQ(a.graph->indices, b.graph->indices);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.labels[0], 0);
  EXPECT_EQ(a.labels[59], 2);
  const json bad = {{"p_in", 2}};
  EXPECT_THROW(
      generate_synthetic("sbm", SpecNode(bad, "s.json", "dataset.options")),
      SpecError);
}

TEST(GraphDataset, UserEdgeListFileLoadsThroughTheSpec) {
  testing::TempDir dir;
  testing::write_text(dir.file("g.edges"), "0 1\n1 2\n2 0\n2 3\n");
  testing::write_text(dir.file("g.labels"), "0 0\n1 0\n2 1\n3 1\n");
  const json j = {{"path", "g.edges"}, {"labels", "g.labels"}};
  const DatasetSpec spec =
      DatasetSpec::from_spec(SpecNode(j, "s.json", "dataset"), dir.path());
  EXPECT_EQ(spec.format, "edge_list"); // inferred from ".edges"
  const Dataset ds = load_dataset(spec, dir.path());
  ASSERT_TRUE(ds.is_graph());
  EXPECT_EQ(ds.n(), 4);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{0, 0, 1, 1}));
  EXPECT_EQ(ds.name, "g.edges");
  EXPECT_EQ(ds.sha256.size(), 64u);
}

} // namespace
} // namespace nebench
