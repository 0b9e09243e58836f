// End-to-end tests of the nebench binary: exit codes, messages, failed runs,
// interruption and resume, baseline regression.

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "engine/store/result_file.h"
#include "tests/cli/nebench_process.h"

namespace nebench {
namespace {

namespace fs = std::filesystem;

/// The nebench binary with one thread and shell arguments `args`.
testing::ProcessResult nebench(const std::string &args) {
  return testing::run_nebench("--threads 1 " + args);
}

class Cli : public ::testing::Test {
public:
  const testing::ScratchDir &dir() const { return dir_; }

  /// A small spec on synthetic data: `runs` t-SNE runs over rho.
  std::string write_spec(const std::string &name, nlohmann::json extra_runs,
                         std::vector<int> rhos = {1, 4}, int iters = 60) {
    nlohmann::json spec = {
        {"id", "test/" + name},
        {"paper", "spectrum"},
        {"title", "CLI test"},
        {"dataset",
         {{"name", "gaussian-mixture"},
          {"options",
           {{"n_clusters", 4}, {"n_per_cluster", 100}, {"dim", 10}}}}},
        {"graph", {{"knn", {{"k", 30}}}}},
        {"runs",
         {{{"name", "tsne"},
           {"sweep", {{"rho", rhos}}},
           {"method",
            {{"type", "tsne"},
             {"affinity", {{"type", "perplexity"}, {"perplexity", 10}}},
             {"phases",
              {{{"iters", iters},
                {"exaggeration", "max(12,$rho)"},
                {"momentum", 0.5}},
               {{"iters", iters},
                {"exaggeration", "$rho"},
                {"momentum", 0.8}}}}}}}}},
        {"seeds", {0}},
        {"metrics",
         {{{"type", "knn_recall"}, {"k", 10}},
          {{"type", "knn_accuracy"}, {"k", 10}}}},
        {"claims",
         {{{"id", "S1-test"},
           {"text", "recall falls"},
           {"check",
            {{"type", "monotone"},
             {"run", "tsne"},
             {"over", "rho"},
             {"metric", "knn_recall@10"},
             {"direction", "decreasing"},
             {"tolerance", 0.01}}}}}}};
    for (auto &r : extra_runs)
      spec["runs"].push_back(r);
    return dir_.write_json(name, spec);
  }

protected:
  testing::ScratchDir dir_{"nebench_cli"};
};

TEST_F(Cli, HelpAndBadFlags) {
  EXPECT_EQ(nebench("--help").code, 0);
  EXPECT_EQ(nebench("run --help").code, 0);
  const auto r = nebench("run --no-such-flag x.json");
  EXPECT_EQ(r.code, 2) << r.output;
  const auto unknown = nebench("frobnicate");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.output.find("unknown command \"frobnicate\""),
            std::string::npos)
      << unknown.output;
  EXPECT_EQ(nebench("list nothing").code, 2);
}

TEST_F(Cli, ValidateNamesFileAndJsonPath) {
  const auto spec = write_spec("bad", nlohmann::json::array());
  auto j = nlohmann::json::parse(std::ifstream(spec));
  j["runs"][0]["method"]["phases"][1]["momentum"] = 1.5;
  std::ofstream(spec) << j.dump();
  const auto r = nebench("validate " + spec);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find(spec), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("runs[0].method.phases[1].momentum"),
            std::string::npos)
      << r.output;
  // A run refuses the same spec before doing anything.
  const auto run = nebench("run " + spec + " --profile full --out " +
                           (dir_ / "x.h5").string());
  EXPECT_EQ(run.code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "x.h5"));
  EXPECT_FALSE(fs::exists(dir_ / "x.h5.tmp"));
}

TEST_F(Cli, ListMetricsShowsTheCrossRunMetric) {
  const auto r = nebench("list metrics");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("distance_correlation_to_run"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("dcor_to_<run>"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dcor_input"), std::string::npos) << r.output;
}

TEST_F(Cli, ValidateRejectsASweptCrossRunReference) {
  const auto spec = write_spec("swept_ref", nlohmann::json::array());
  auto j = nlohmann::json::parse(std::ifstream(spec));
  j["metrics"].push_back(
      {{"type", "distance_correlation_to_run"}, {"run", "tsne"}});
  std::ofstream(spec) << j.dump();
  const auto r = nebench("validate " + spec);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("metrics[2].run: run \"tsne\" is swept"),
            std::string::npos)
      << r.output;
}

TEST_F(Cli, RepoSpecsAllValidate) {
  const auto r = nebench(std::string("validate --all ") + NEBENCH_SOURCE_DIR +
                         "/experiments");
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST_F(Cli, BadDataIsExitCode3NamingTheFile) {
  const auto data = dir_ / "garbage.npy";
  std::ofstream(data) << "not a numpy file at all";
  nlohmann::json spec = nlohmann::json::parse(
      std::ifstream(write_spec("baddata", nlohmann::json::array())));
  spec["dataset"] = {{"path", "garbage.npy"}};
  const auto path = dir_ / "baddata.json";
  std::ofstream(path) << spec.dump();
  const auto r = nebench("run " + path.string() + " --profile full --out " +
                         (dir_ / "o.h5").string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("garbage.npy"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "o.h5"));
}

/// Runs the two t-SNE runs of write_spec plus `extra` (named `name`), which
/// must fail with an error holding every one of `reasons` while the t-SNE
/// runs finish; the result is complete and `nebench info` shows the error.
void expect_run_fails_and_others_go_on(
    Cli &t, const nlohmann::json &extra,
    const std::vector<std::string> &reasons) {
  const auto spec = t.write_spec("failing", {extra});
  const auto out = (t.dir() / "r.h5").string();
  const auto r = nebench("run " + spec + " --profile full --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 ok, 1 failed"), std::string::npos) << r.output;
  auto f = ResultFile::open(out);
  EXPECT_EQ(f.status(), "complete");
  const auto rows = f.read_summary();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].status, "ok");
  EXPECT_EQ(rows[1].status, "ok");
  EXPECT_EQ(rows[2].run_id, extra["name"].get<std::string>() + "@seed=0");
  EXPECT_EQ(rows[2].status, "failed");
  for (const auto &reason : reasons)
    EXPECT_NE(rows[2].error.find(reason), std::string::npos) << rows[2].error;
  const auto info = nebench("info " + out);
  EXPECT_EQ(info.code, 0);
  EXPECT_NE(info.output.find(rows[2].error), std::string::npos) << info.output;
}

TEST_F(Cli, AFailedRunIsRecordedAndTheOthersGoOn) {
  expect_run_fails_and_others_go_on(
      *this,
      {{"name", "peer"},
       {"method", {{"type", "external"}, {"path", "missing.npy"}}}},
      {"missing.npy"});
}

TEST_F(Cli, ADivergingRunIsMarkedFailedWithItsEpochAndTheOthersGoOn) {
  // UMAP's curve a = 1e308 overflows the attraction in the first epochs:
  // the run fails with the epoch and the reason (numerical guard).
  expect_run_fails_and_others_go_on(
      *this,
      {{"name", "umap"},
       {"method", {{"type", "umap"}, {"a", 1e308}, {"b", 1}, {"epochs", 20}}}},
      {"epoch ", "NaN"});
}

TEST_F(Cli, CompleteResultIsUpToDateAndCheckPassesItsOwnBaseline) {
  const auto spec = write_spec("uptodate", nlohmann::json::array());
  const auto out = (dir_ / "r.h5").string();
  ASSERT_EQ(nebench("run " + spec + " --profile full --out " + out).code, 0);
  const auto again = nebench("run " + spec + " --profile full --out " + out);
  EXPECT_EQ(again.code, 0);
  EXPECT_NE(again.output.find("nothing to do"), std::string::npos);

  auto f = ResultFile::open(out);
  const auto rows = f.read_summary();
  nlohmann::json baseline = {{"spec_id", "test/uptodate"},
                             {"profile", "full"},
                             {"metrics", nlohmann::json::object()},
                             {"claims", nlohmann::json::object()}};
  for (const auto &row : rows)
    for (const auto &[m, v] : row.metrics)
      baseline["metrics"][row.run_id][m] = {{"expected", v},
                                            {"tolerance", 1e-9}};
  for (const auto &c : f.read_claims())
    baseline["claims"][c.id] = c.verdict;
  f.close();
  const auto good = dir_ / "good.json";
  std::ofstream(good) << baseline.dump();
  const auto ok = nebench("check " + out + " --baseline " + good.string());
  EXPECT_EQ(ok.code, 0) << ok.output;

  // Move one expected value out of its band: a regression, exit code 1.
  baseline["metrics"][rows[0].run_id]["knn_recall@10"]["expected"] = 2.0;
  const auto bad = dir_ / "bad.json";
  std::ofstream(bad) << baseline.dump();
  const auto reg = nebench("check " + out + " --baseline " + bad.string());
  EXPECT_EQ(reg.code, 1) << reg.output;
  // The failing row is repeated after the REGRESSION line.
  const auto regression = reg.output.find("REGRESSION: 1 of ");
  ASSERT_NE(regression, std::string::npos) << reg.output;
  EXPECT_NE(reg.output.find(rows[0].run_id + " | knn_recall@10", regression),
            std::string::npos)
      << reg.output;

  // Another profile's baseline: a usage error naming both, exit code 2.
  baseline["profile"] = "smoke";
  const auto other = dir_ / "other.json";
  std::ofstream(other) << baseline.dump();
  const auto wrong = nebench("check " + out + " --baseline " + other.string());
  EXPECT_EQ(wrong.code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("is for test/uptodate [smoke], but " + out +
                              " holds test/uptodate [full]"),
            std::string::npos)
      << wrong.output;
}

TEST_F(Cli, InterruptedRunResumesToTheSameResult) {
  const auto spec =
      write_spec("resume", nlohmann::json::array(), {1, 2, 4, 8}, 300);
  const auto reference = (dir_ / "reference.h5").string();
  ASSERT_EQ(nebench("run " + spec + " --profile full --out " + reference).code,
            0);

  const auto out = (dir_ / "r.h5").string();
  const auto log = (dir_ / "log.txt").string();
  const pid_t pid = testing::start_nebench_run(spec, out, log);
  ASSERT_GE(pid, 0);
  // Interrupt while the second run is being computed.
  bool second_started = false;
  for (int i = 0; i < 600 && !second_started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::stringstream s;
    s << std::ifstream(log).rdbuf();
    second_started = s.str().find("[2/4]") != std::string::npos;
  }
  ASSERT_TRUE(second_started);
  kill(pid, SIGINT);
  EXPECT_EQ(testing::wait_exit(pid), 130);
  EXPECT_FALSE(fs::exists(out));
  ASSERT_TRUE(fs::exists(out + ".tmp"));
  {
    auto partial = ResultFile::open(out + ".tmp");
    EXPECT_EQ(partial.status(), "partial");
    EXPECT_TRUE(partial.has_run("tsne@rho=1,seed=0"));
  }

  const auto resumed = nebench("run " + spec + " --profile full --out " + out);
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + ".tmp"));
  auto a = ResultFile::open(reference);
  auto b = ResultFile::open(out);
  const auto ra = a.read_summary();
  const auto rb = b.read_summary();
  ASSERT_EQ(ra.size(), rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].run_id, rb[i].run_id);
    EXPECT_EQ(ra[i].metrics, rb[i].metrics) << ra[i].run_id;
    EXPECT_EQ(a.read_run(ra[i].run_id).embedding.data,
              b.read_run(rb[i].run_id).embedding.data);
  }
}

} // namespace
} // namespace nebench
