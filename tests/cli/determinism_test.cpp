// Determinism of the native methods (issue 9): the same spec, seed and
// --threads give bitwise identical embeddings, with 1 thread and with 2.
// Each spec runs twice through the nebench binary and every
// /runs/<id>/embedding is compared bit for bit (engine/core/h5_io.h).

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "engine/core/h5_io.h"
#include "tests/cli/nebench_process.h"

namespace nebench {
namespace {

namespace fs = std::filesystem;

/// Run id -> embedding of every run in a result file; every run must be ok.
std::map<std::string, Matrix> embeddings(const std::string &path) {
  h5::quiet();
  H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group runs = file.openGroup("/runs");
  std::map<std::string, Matrix> out;
  for (const auto &id : h5::children(runs)) {
    const H5::Group run = runs.openGroup(id);
    EXPECT_EQ(h5::read_string_attr(run, "status"), "ok")
        << id << ": " << h5::read_string_attr(run, "error");
    if (h5::exists(run, "embedding"))
      out[id] = h5::read_matrix<float>(run, "embedding");
  }
  return out;
}

/// Same run ids, same shapes, same bits (memcmp: NaN and -0 count too).
void expect_bitwise_equal(const std::string &a_path, const std::string &b_path,
                          const std::set<std::string> &expected_runs) {
  const auto a = embeddings(a_path);
  const auto b = embeddings(b_path);
  std::set<std::string> ids;
  for (const auto &[id, m] : a)
    ids.insert(id);
  EXPECT_EQ(ids, expected_runs);
  ASSERT_EQ(a.size(), b.size());
  for (const auto &[id, ea] : a) {
    const auto it = b.find(id);
    ASSERT_NE(it, b.end()) << id;
    const Matrix &eb = it->second;
    ASSERT_EQ(ea.rows, eb.rows) << id;
    ASSERT_EQ(ea.cols, eb.cols) << id;
    ASSERT_GT(ea.data.size(), 0u) << id;
    EXPECT_EQ(std::memcmp(ea.data.data(), eb.data.data(),
                          ea.data.size() * sizeof(float)),
              0)
        << id << " differs between two runs with the same seed and threads";
  }
}

class Determinism : public ::testing::TestWithParam<int> {
protected:
  std::string write(const std::string &name, const nlohmann::json &spec) {
    return dir_.write_json(name, spec);
  }

  /// Runs `spec` twice with --threads GetParam() and compares the results.
  void run_twice_and_compare(const std::string &spec,
                             const std::set<std::string> &expected_runs) {
    std::array<std::string, 2> outs;
    for (int i = 0; i < 2; ++i) {
      outs[i] = (dir_ / (fs::path(spec).stem().string() + "_" +
                         std::to_string(i) + ".h5"))
                    .string();
      const auto r = testing::run_nebench(
          "--threads " + std::to_string(GetParam()) + " run " + spec +
          " --profile full --out " + outs[i]);
      ASSERT_EQ(r.code, 0) << r.output;
    }
    expect_bitwise_equal(outs[0], outs[1], expected_runs);
  }

  testing::ScratchDir dir_{"nebench_determinism"};
};

/// Point methods on 2,100 synthetic points (above the exact-repulsion
/// limit, so that "bh" and "fft" run at their real sizes): t-SNE with each
/// repulsion estimator, UMAP (epoch-synchronous), CNE with 1 and with all
/// threads per batch, FA2 and Laplacian eigenmaps. Short schedules: the
/// test is about bits, not about quality.
nlohmann::json point_spec() {
  // Exact repulsion is O(n^2) per iteration: fewer iterations.
  auto tsne = [](const std::string &repulsion, int iters) {
    return nlohmann::json{
        {"name", "tsne_" + repulsion},
        {"method",
         {{"type", "tsne"},
          {"affinity", {{"type", "perplexity"}, {"perplexity", 10}}},
          {"repulsion", repulsion},
          {"phases",
           {{{"iters", iters}, {"exaggeration", 12}, {"momentum", 0.5}},
            {{"iters", iters}, {"exaggeration", 1}, {"momentum", 0.8}}}}}}};
  };
  return {
      {"id", "test/determinism_points"},
      {"paper", "spectrum"},
      {"title", "determinism"},
      {"dataset",
       {{"name", "gaussian-mixture"},
        {"options",
         {{"n_clusters", 6},
          {"n_per_cluster", 350},
          {"dim", 10},
          {"separation", 3.0}}}}},
      {"graph", {{"knn", {{"k", 30}}}}},
      {"runs",
       {tsne("exact", 5),
        tsne("bh", 20),
        tsne("fft", 20),
        {{"name", "umap"},
         {"method", {{"type", "umap"}, {"k", 15}, {"epochs", 30}}}},
        {{"name", "cne"},
         {"method",
          {{"type", "cne"}, {"loss", "infonce"}, {"k", 15}, {"epochs", 10}}}},
        // Every thread shares each batch: one epoch of large batches, as a
        // batch-sized exchange between threads is slow on a busy machine.
        {{"name", "cne_shared"},
         {"method",
          {{"type", "cne"},
           {"loss", "nce"},
           {"k", 15},
           {"epochs", 1},
           {"batch_size", 8192},
           {"batch_threads", 0}}}},
        {{"name", "fa2"},
         {"method", {{"type", "fa2"}, {"k", 15}, {"iters", 30}}}},
        {{"name", "le"},
         {"method", {{"type", "laplacian_eigenmaps"}, {"k", 15}}}}}},
      {"seeds", {0}},
      {"metrics", {{{"type", "knn_recall"}, {"k", 10}}}}};
}

/// Graph methods on a 200-node stochastic block model: graph t-SNE, FA2
/// and Laplacian eigenmaps on the input graph, DeepWalk and node2vec.
nlohmann::json graph_spec() {
  return {{"id", "test/determinism_graph"},
          {"paper", "graph"},
          {"title", "determinism"},
          {"dataset",
           {{"name", "sbm"},
            {"options",
             {{"n_blocks", 4},
              {"n_per_block", 50},
              {"p_in", 0.2},
              {"p_out", 0.02}}}}},
          {"runs",
           {{{"name", "tsne"},
             {"method",
              {{"type", "tsne"},
               {"affinity", {{"type", "graph"}}},
               {"init", {{"type", "spectral"}}},
               {"phases",
                {{{"iters", 50}, {"exaggeration", 12}},
                 {{"iters", 50}, {"exaggeration", 1}}}}}}},
            {{"name", "fa2"},
             {"method",
              {{"type", "fa2"},
               {"input", "graph"},
               {"iters", 50},
               {"init", {{"type", "spectral"}, {"std", 100}}}}}},
            {{"name", "le"},
             {"method", {{"type", "laplacian_eigenmaps"}, {"input", "graph"}}}},
            {{"name", "deepwalk"},
             {"method", {{"type", "deepwalk"}, {"dim", 16}, {"epochs", 2}}}},
            {{"name", "node2vec"},
             {"method",
              {{"type", "node2vec"},
               {"dim", 16},
               {"epochs", 2},
               {"p", 0.5},
               {"q", 2}}}}}},
          {"seeds", {0}},
          {"metrics", {{{"type", "graph_recall"}}}}};
}

TEST_P(Determinism, PointMethodsGiveTheSameBits) {
  run_twice_and_compare(write("points", point_spec()),
                        {"tsne_exact@seed=0", "tsne_bh@seed=0",
                         "tsne_fft@seed=0", "umap@seed=0", "cne@seed=0",
                         "cne_shared@seed=0", "fa2@seed=0", "le@seed=0"});
}

TEST_P(Determinism, GraphMethodsGiveTheSameBits) {
  run_twice_and_compare(write("graph", graph_spec()),
                        {"tsne@seed=0", "fa2@seed=0", "le@seed=0",
                         "deepwalk@seed=0", "node2vec@seed=0"});
}

INSTANTIATE_TEST_SUITE_P(Threads, Determinism, ::testing::Values(1, 2),
                         [](const auto &info) {
                           return std::to_string(info.param) + "threads";
                         });

} // namespace
} // namespace nebench
