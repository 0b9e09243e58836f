#include "engine/core/errors.h"
#include "engine/store/result_file.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace nebench {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string &name) {
  auto dir = fs::temp_directory_path() / "nebench_store_test";
  fs::create_directories(dir);
  return dir / name;
}

RunRecord sample_run(const std::string &id, double recall) {
  RunRecord r;
  r.id = id;
  r.name = "tsne";
  r.params = {{"rho", 4}};
  r.seed = 7;
  r.method = {{"type", "tsne"}};
  r.wall_seconds = 1.5;
  r.started_utc = "2026-01-01T00:00:00Z";
  r.embedding = Matrix(3, 2);
  for (int i = 0; i < 6; ++i)
    r.embedding.data[i] = 0.5f * i;
  r.trace.push("iteration", 50);
  r.trace.push("iteration", 100);
  r.trace.push("loss", 2.5);
  r.trace.push("loss", 2.0);
  r.metrics["knn_recall@15"] = recall;
  return r;
}

TEST(ResultFile, RoundTripOfEveryGroup) {
  const auto path = temp_path("roundtrip.h5").string();
  {
    auto f = ResultFile::create(path);
    Provenance p;
    p.spec_id = "spectrum/x";
    p.paper = "spectrum";
    p.title = "T";
    p.profile = "smoke";
    p.spec_file = "x.json";
    p.spec_json = R"({"id":"spectrum/x"})";
    p.git_commit = "abc";
    p.git_dirty = true;
    p.versions = {{"faiss", "1.7.3"}};
    p.host = "h";
    p.threads = 2;
    p.started_utc = "2026-01-01T00:00:00Z";
    f.write_provenance(p);

    DatasetRecord d;
    d.name = "fashion-mnist";
    d.sha256 = "ff";
    d.n = 3;
    d.d = 50;
    d.d_raw = 784;
    d.class_names = {"a", "b"};
    d.labels = {0, 1, 1};
    d.indices = {0, 5, 9};
    f.write_dataset(d);

    KnnGraph g;
    g.n = 3;
    g.k = 2;
    g.indices = {1, 2, 0, 2, 0, 1};
    g.distances = {1, 2, 1, 3, 2, 3};
    f.write_graph(g, "Flat", 0.25);
    f.write_run(sample_run("tsne@rho=4,seed=7", 0.4));
    f.write_summary({summary_row_of(sample_run("tsne@rho=4,seed=7", 0.4))});
    ClaimResult c;
    c.id = "S1-x";
    c.text = "text";
    c.verdict = "pass";
    c.explanation = "because";
    c.check = {{"type", "monotone"}};
    c.observed = {{"values", {1, 2}}};
    f.write_claims({c});
    f.set_status("complete", "2026-01-01T00:01:00Z");
    f.close();
  }
  auto f = ResultFile::open(path);
  EXPECT_EQ(f.status(), "complete");
  const auto p = f.read_provenance();
  EXPECT_EQ(p.spec_id, "spectrum/x");
  EXPECT_EQ(p.profile, "smoke");
  EXPECT_TRUE(p.git_dirty);
  EXPECT_EQ(p.versions["faiss"], "1.7.3");
  EXPECT_EQ(p.threads, 2);

  const auto d = f.read_dataset();
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{0, 1, 1}));
  EXPECT_EQ(d.indices, (std::vector<std::int64_t>{0, 5, 9}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.d_raw, 784);

  const auto g = f.read_graph();
  EXPECT_EQ(g.k, 2);
  EXPECT_EQ(g.indices, (std::vector<std::int64_t>{1, 2, 0, 2, 0, 1}));
  EXPECT_FLOAT_EQ(g.distances[3], 3.0f);

  ASSERT_TRUE(f.has_run("tsne@rho=4,seed=7"));
  const auto r = f.read_run("tsne@rho=4,seed=7");
  EXPECT_EQ(r.params["rho"], 4);
  EXPECT_EQ(r.seed, 7u);
  EXPECT_EQ(r.embedding.rows, 3);
  EXPECT_FLOAT_EQ(r.embedding(2, 1), 2.5f);
  EXPECT_EQ(r.trace.columns.at("loss"), (std::vector<double>{2.5, 2.0}));
  EXPECT_DOUBLE_EQ(r.metrics.at("knn_recall@15"), 0.4);

  const auto rows = f.read_summary();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].run_id, "tsne@rho=4,seed=7");
  EXPECT_DOUBLE_EQ(rows[0].metrics.at("knn_recall@15"), 0.4);

  const auto claims = f.read_claims();
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].verdict, "pass");
  EXPECT_EQ(claims[0].observed["values"][1], 2);
}

TEST(ResultFile, AFailedRunKeepsItsReasonAndNoMetrics) {
  const auto path = temp_path("failed.h5").string();
  auto f = ResultFile::create(path);
  RunRecord r = sample_run("tsne@rho=1,seed=0", 0.5);
  r.status = "failed";
  r.error = "iteration 12: embedding contains NaN";
  r.metrics.clear();
  r.embedding = Matrix();
  f.write_run(r);
  const auto back = f.read_run(r.id);
  EXPECT_EQ(back.status, "failed");
  EXPECT_EQ(back.error, r.error);
  EXPECT_TRUE(back.metrics.empty());
}

TEST(ResultFile, ARunWithoutTheCompleteMarkIsNotComplete) {
  const auto path = temp_path("incomplete.h5").string();
  {
    auto f = ResultFile::create(path);
    f.write_run(sample_run("a@seed=0", 0.1));
    f.close();
  }
  {
    // Simulate a write cut short: the group exists but not its last attribute.
    H5::H5File raw(path, H5F_ACC_RDWR);
    raw.openGroup("/runs/a@seed=0").removeAttr("complete");
  }
  auto f = ResultFile::open(path);
  EXPECT_FALSE(f.has_run("a@seed=0"));
  EXPECT_EQ(f.status(), "partial");
}

TEST(ResultFile, ClaimCaveatRoundTripAndAbsentCaveatReadsEmpty) {
  const auto path = temp_path("caveat.h5").string();
  {
    auto f = ResultFile::create(path);
    ClaimResult with, without;
    with.id = "S3-umap";
    with.verdict = "fail";
    with.caveat = "UMAP's place moves with n";
    without.id = "S5-le";
    without.verdict = "pass";
    f.write_claims({with, without});
    f.close();
  }
  {
    // A file written before caveats existed has no such attribute.
    H5::H5File raw(path, H5F_ACC_RDWR);
    raw.openGroup("/claims/S5-le").removeAttr("caveat");
  }
  auto f = ResultFile::open(path);
  const auto claims = f.read_claims();
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].id, "S3-umap");
  EXPECT_EQ(claims[0].caveat, "UMAP's place moves with n");
  EXPECT_EQ(claims[1].id, "S5-le");
  EXPECT_EQ(claims[1].caveat, "");
}

TEST(ResultFile, MetricsAddedToAStoredRunAreReadBack) {
  const auto path = temp_path("add_metrics.h5").string();
  {
    auto f = ResultFile::create(path);
    f.write_run(sample_run("tsne@rho=4,seed=7", 0.4));
    f.close();
  }
  {
    auto f = ResultFile::open(path, true);
    f.add_run_metrics("tsne@rho=4,seed=7",
                      {{"dcor_to_le", 0.75}, {"knn_recall@15", 0.45}});
    EXPECT_THROW(f.add_run_metrics("le@seed=7", {{"x", 1.0}}), DataError);
    f.close();
  }
  auto f = ResultFile::open(path);
  const auto r = f.read_run("tsne@rho=4,seed=7");
  EXPECT_EQ(r.metrics, (std::map<std::string, double>{
                           {"dcor_to_le", 0.75}, {"knn_recall@15", 0.45}}));
  EXPECT_TRUE(f.has_run("tsne@rho=4,seed=7")); // still complete
  const Matrix y = f.read_embedding("tsne@rho=4,seed=7");
  EXPECT_EQ(y.rows, 3);
  EXPECT_EQ(y.data, r.embedding.data);
  EXPECT_THROW(f.read_embedding("le@seed=7"), DataError);
}

TEST(ResultFile, OpeningSomethingElseIsADataErrorNamingTheFile) {
  const auto path = temp_path("not_hdf5.h5").string();
  std::ofstream(path) << "hello";
  try {
    ResultFile::open(path);
    FAIL() << "expected DataError";
  } catch (const DataError &e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"),
              std::string::npos);
  }
  EXPECT_THROW(ResultFile::open(temp_path("missing.h5").string()), DataError);
}

} // namespace
} // namespace nebench
