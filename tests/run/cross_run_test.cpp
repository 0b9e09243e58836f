// The runner's cross-run post-pass (dcor_to_<run>) end to end on a tiny
// synthetic spec: values, persistence, resume, --only, and plan-time
// validation of the reference run.

#include "engine/core/errors.h"
#include "engine/run/plan.h"
#include "engine/run/runner.h"
#include "engine/spec/spec.h"
#include "engine/store/result_file.h"
#include "metrics/distance_correlation.h"
#include "tests/run/spec_run_fixture.h"

#include <H5Cpp.h>
#include <filesystem>
#include <gtest/gtest.h>

namespace nebench {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kPoints = 150; ///< dcor sample (of 200 points)

class CrossRun : public SpecRunTest {
protected:
  /// Gaussian mixture (4 x 50 points, clusters close enough for one
  /// connected kNN graph), t-SNE over rho in {1, 30} and
  /// Laplacian eigenmaps "le"; the spectrum paper's claim S5 as a check.
  nlohmann::json spec_json() const {
    return {{"id", "test/crossrun"},
            {"paper", "spectrum"},
            {"title", "cross-run test"},
            {"dataset",
             {{"name", "gaussian-mixture"},
              {"options",
               {{"n_clusters", 4},
                {"n_per_cluster", 50},
                {"dim", 10},
                {"separation", 5}}}}},
            {"graph", {{"knn", {{"k", 30}}}}},
            {"runs",
             {{{"name", "tsne"},
               {"sweep", {{"rho", {1, 30}}}},
               {"method",
                {{"type", "tsne"},
                 {"affinity", {{"type", "perplexity"}, {"perplexity", 10}}},
                 {"phases",
                  {{{"iters", 100},
                    {"exaggeration", "max(12,$rho)"},
                    {"momentum", 0.5}},
                   {{"iters", 150},
                    {"exaggeration", "$rho"},
                    {"momentum", 0.8}}}}}}},
              {{"name", "le"},
               {"method", {{"type", "laplacian_eigenmaps"}, {"k", 15}}}}}},
            {"seeds", {0}},
            {"metrics",
             {{{"type", "knn_recall"}, {"k", 10}},
              {{"type", "distance_correlation_to_run"},
               {"run", "le"},
               {"points", kPoints}}}},
            {"claims",
             {{{"id", "S5-le-is-the-limit"},
               {"text", "dcor(t-SNE(rho), LE) rises with rho"},
               {"check",
                {{"type", "monotone"},
                 {"run", "tsne"},
                 {"over", "rho"},
                 {"metric", "dcor_to_le"},
                 {"direction", "increasing"},
                 {"tolerance", 0.01}}},
               {"caveat", "tiny data"}}}}};
  }
};

TEST_F(CrossRun, ValuesAreStoredSummarisedAndChecked) {
  const auto out = (dir_ / "r.h5").string();
  const RunOutcome o = run(write(spec_json(), "s"), out);
  ASSERT_EQ(o.ok, 3);
  auto f = ResultFile::open(out);
  const Matrix le = f.read_embedding("le@seed=0");
  const auto rows = f.read_summary();
  ASSERT_EQ(rows.size(), 3u);
  std::vector<double> values;
  for (const auto &row : rows) {
    if (row.run_name == "le") {
      EXPECT_EQ(row.metrics.count("dcor_to_le"), 0u);
      EXPECT_EQ(f.read_run(row.run_id).metrics.count("dcor_to_le"), 0u);
      continue;
    }
    // The post-pass value is distance_correlation() of the two stored
    // embeddings on the run's seeded sample; summary and run group agree.
    const double expected = distance_correlation(f.read_embedding(row.run_id),
                                                 le, kPoints, row.seed);
    EXPECT_EQ(row.metrics.at("dcor_to_le"), expected) << row.run_id;
    EXPECT_EQ(f.read_run(row.run_id).metrics.at("dcor_to_le"), expected);
    values.push_back(expected);
  }
  ASSERT_EQ(values.size(), 2u);
  // Claim S5 of the spectrum paper on well-separated clusters: strong
  // exaggeration (rho = 30) brings t-SNE much closer to LE than rho = 1.
  const auto claims = f.read_claims();
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].verdict, "pass")
      << claims[0].explanation << " " << values[0] << " " << values[1];
  EXPECT_EQ(claims[0].caveat, "tiny data");
  EXPECT_EQ(o.claims.at(0).caveat, "tiny data");
}

TEST_F(CrossRun, ResumeKeepsStoredValuesAndFillsMissingOnes) {
  const auto spec = write(spec_json(), "s");
  const auto out = (dir_ / "r.h5").string();
  ASSERT_EQ(run(spec, out).ok, 3);
  double rho30 = 0;
  {
    auto f = ResultFile::open(out);
    rho30 = f.read_run("tsne@rho=30,seed=0").metrics.at("dcor_to_le");
  }
  // Make it a partial file as if interrupted after the runs: one run holds a
  // (recognisable) stored value, the other lost its value.
  fs::rename(out, out + ".tmp");
  {
    auto f = ResultFile::open(out + ".tmp", true);
    f.set_status("partial", "");
    f.add_run_metrics("tsne@rho=1,seed=0", {{"dcor_to_le", 0.5}});
    f.close();
    H5::H5File raw(out + ".tmp", H5F_ACC_RDWR);
    raw.openGroup("/runs/tsne@rho=30,seed=0/metrics").removeAttr("dcor_to_le");
  }
  const RunOutcome o = run(spec, out);
  EXPECT_EQ(o.resumed, 3);
  auto f = ResultFile::open(out);
  const auto rows = f.read_summary();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].run_id, "tsne@rho=1,seed=0");
  EXPECT_EQ(rows[0].metrics.at("dcor_to_le"), 0.5); // not recomputed
  EXPECT_EQ(rows[1].run_id, "tsne@rho=30,seed=0");
  EXPECT_EQ(rows[1].metrics.at("dcor_to_le"), rho30); // recomputed, same
  EXPECT_EQ(f.read_run("tsne@rho=30,seed=0").metrics.at("dcor_to_le"), rho30);
}

TEST_F(CrossRun, OnlyWithoutTheReferenceLeavesTheMetricAbsent) {
  const auto out = (dir_ / "r.h5").string();
  const RunOutcome o = run(write(spec_json(), "s"), out, {"tsne"});
  ASSERT_EQ(o.ok, 2);
  auto f = ResultFile::open(out);
  for (const auto &row : f.read_summary()) {
    EXPECT_EQ(row.metrics.count("dcor_to_le"), 0u) << row.run_id;
    EXPECT_EQ(row.metrics.count("knn_recall@10"), 1u) << row.run_id;
  }
  ASSERT_EQ(o.claims.size(), 1u);
  EXPECT_EQ(o.claims[0].verdict, "inconclusive");
}

TEST_F(CrossRun, PlanRejectsAnUnknownOrSweptReferenceAndDuplicates) {
  auto expect_error = [&](nlohmann::json spec, const std::string &part) {
    const auto path = write(spec, "bad");
    try {
      make_plan(load_spec(path, "full"));
      ADD_FAILURE() << "no error, expected " << part;
    } catch (const SpecError &e) {
      EXPECT_NE(std::string(e.what()).find(path + ": " + part),
                std::string::npos)
          << e.what();
    }
  };
  auto spec = spec_json();
  spec["metrics"][1]["run"] = "umap";
  expect_error(spec, "metrics[1].run: unknown run \"umap\" (runs: le, tsne)");
  spec["metrics"][1]["run"] = "tsne";
  expect_error(spec, "metrics[1].run: run \"tsne\" is swept (over rho)");
  spec = spec_json();
  spec["metrics"].push_back(spec["metrics"][1]);
  expect_error(spec, "metrics[2]: produces \"dcor_to_le\", as metrics[1] does");
  spec = spec_json();
  spec["claims"].push_back(spec["claims"][0]);
  expect_error(spec, "claims[1].id: duplicate claim id \"" +
                         spec["claims"][0]["id"].get<std::string>() +
                         "\" (also claims[0])");
  // The good spec plans, with the metric in place.
  const Plan plan = make_plan(load_spec(write(spec_json(), "good"), "full"));
  ASSERT_EQ(plan.metrics.size(), 2u);
  EXPECT_EQ(plan.metrics[1].run, "le");
  EXPECT_EQ(plan.metrics[1].points, kPoints);
}

} // namespace
} // namespace nebench
