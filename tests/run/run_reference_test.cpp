// Method parameters taken from earlier runs (engine/ne/run_value_ref.h):
// Neg-t-SNE at the Z of a converged t-SNE and at NCE's learned Z-bar, as the
// CNE paper's spectrum marks them (papers/spectrum_and_cne.md sec. 1.3).

#include "engine/core/errors.h"
#include "engine/run/plan.h"
#include "engine/run/runner.h"
#include "engine/spec/spec.h"
#include "engine/store/result_file.h"
#include "tests/run/spec_run_fixture.h"

#include <filesystem>
#include <gtest/gtest.h>

namespace nebench {
namespace {

namespace fs = std::filesystem;

class RunReference : public SpecRunTest {
protected:
  static nlohmann::json neg(const nlohmann::json &zbar) {
    return {{"type", "cne"},  {"loss", "neg"}, {"zbar", zbar},
            {"epochs", 20},   {"k", 10},       {"batch_size", 128},
            {"log_every", 10}};
  }

  /// t-SNE on the binary kNN graph, NCE, and Neg-t-SNE at each one's Z.
  nlohmann::json spec_json() const {
    return {{"id", "test/runref"},
            {"paper", "cne"},
            {"title", "run reference test"},
            {"dataset",
             {{"name", "gaussian-mixture"},
              {"options",
               {{"n_clusters", 4},
                {"n_per_cluster", 50},
                {"dim", 10},
                {"separation", 5}}}}},
            {"graph", {{"knn", {{"k", 10}}}}},
            {"runs",
             {{{"name", "tsne"},
               {"method",
                {{"type", "tsne"},
                 {"affinity", {{"type", "binary_knn"}, {"k", 10}}},
                 {"phases", {{{"iters", 50}, {"exaggeration", 12}}}}}}},
              {{"name", "nce"},
               {"method",
                {{"type", "cne"},
                 {"loss", "nce"},
                 {"epochs", 20},
                 {"k", 10},
                 {"batch_size", 128}}}},
              {{"name", "neg_at_tsne"},
               {"method", neg({{"run", "tsne"}, {"trace", "Z"}})}},
              {{"name", "neg_at_nce"},
               {"method", neg({{"run", "nce"}, {"trace", "zbar"}})}}}},
            {"seeds", {0, 1}},
            {"metrics", {{{"type", "knn_recall"}, {"k", 10}}}}};
  }
};

double last(const RunRecord &r, const std::string &column) {
  return r.trace.columns.at(column).back();
}

TEST_F(RunReference, NegRunsAtTheStoredNormaliserOfTheSameSeed) {
  const auto out = (dir_ / "r.h5").string();
  ASSERT_EQ(run(write(spec_json(), "s"), out).ok, 8);
  auto f = ResultFile::open(out);
  // Each referencing run equals a run with that number written in the spec.
  for (const std::string seed : {"0", "1"}) {
    const double z_tsne = last(f.read_run("tsne@seed=" + seed), "Z");
    const double z_nce = last(f.read_run("nce@seed=" + seed), "zbar");
    ASSERT_GT(z_tsne, 0);
    ASSERT_GT(z_nce, 0);
    for (const auto &[name, z] :
         {std::pair{std::string("neg_at_tsne"), z_tsne},
          std::pair{std::string("neg_at_nce"), z_nce}}) {
      auto spec = spec_json();
      spec["runs"] = {{{"name", name}, {"method", neg(z)}}};
      spec["seeds"] = {std::stoi(seed)};
      const auto direct = (dir_ / ("d" + name + seed + ".h5")).string();
      ASSERT_EQ(run(write(spec, "d"), direct).ok, 1);
      const std::string id = name + "@seed=" + seed;
      EXPECT_EQ(ResultFile::open(direct).read_embedding(id).data,
                f.read_embedding(id).data)
          << id;
    }
  }
}

TEST_F(RunReference, MissingValuesFailTheRunWithTheReason) {
  auto spec = spec_json();
  spec["runs"][3]["method"]["zbar"]["trace"] = "no_such_column";
  const auto out = (dir_ / "r.h5").string();
  const RunOutcome o = run(write(spec, "s"), out);
  EXPECT_EQ(o.failed, 2);
  auto rec = ResultFile::open(out).read_run("neg_at_nce@seed=0");
  EXPECT_EQ(rec.status, "failed");
  EXPECT_NE(rec.error.find("no trace column \"no_such_column\""),
            std::string::npos)
      << rec.error;
  // --only skipping the referenced run: the referencing run fails, saying so.
  const auto only = (dir_ / "o.h5").string();
  EXPECT_EQ(run(write(spec_json(), "s2"), only, {"neg_at_tsne"}).failed, 2);
  EXPECT_NE(ResultFile::open(only)
                .read_run("neg_at_tsne@seed=0")
                .error.find("tsne@seed=0 is not stored yet"),
            std::string::npos);
}

TEST_F(RunReference, PlanRejectsUnknownLaterOrSweptRuns) {
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
  spec["runs"][2]["method"]["zbar"]["run"] = "umap";
  expect_error(spec, "runs[2].method.zbar: run \"umap\" does not exist");
  spec = spec_json();
  spec["runs"][2]["method"]["zbar"]["run"] = "neg_at_nce";
  expect_error(spec, "runs[2].method.zbar: run \"neg_at_nce\" must come "
                     "before run \"neg_at_tsne\"");
  spec = spec_json();
  spec["runs"][0]["sweep"] = {{"perp", {1, 2}}};
  spec["runs"][0]["method"]["phases"][0]["iters"] = "50+0*$perp";
  expect_error(spec, "runs[2].method.zbar: run \"tsne\" is swept");
  spec = spec_json();
  spec["runs"][2]["method"]["zbar"] = {{"run", "tsne"}};
  expect_error(spec, "runs[2].method.zbar.trace");
}

} // namespace
} // namespace nebench
