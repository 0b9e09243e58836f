#include "metrics/baseline.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

namespace nebench {
namespace {

using json = nlohmann::json;

const json kBaseline = json::parse(R"({
  "spec_id": "spectrum/toy", "profile": "smoke",
  "generated_utc": "2025-01-01T00:00:00Z",
  "metrics": {
    "tsne@rho=1,seed=0": {"knn_recall@15": {"expected": 0.31, "tolerance": 0.02},
                          "spearman": {"expected": 0.5, "tolerance": 0.01}},
    "umap@seed=0": {"knn_recall@15": {"expected": 0.2, "tolerance": 0.05}},
    "fa2@seed=0": {"knn_recall@15": {"expected": 0.1, "tolerance": 0.05}},
    "le@seed=0": {"knn_recall@15": {"expected": 0.1, "tolerance": 0.05}}
  },
  "claims": {"S1-recall-falls": "pass", "S3-umap": "pass", "S4-fa2": "fail"}
})");

std::vector<SummaryRow> results() {
  SummaryRow tsne;
  tsne.run_id = "tsne@rho=1,seed=0";
  tsne.run_name = "tsne";
  tsne.metrics = {{"knn_recall@15", 0.305}, {"spearman", 0.52}};
  SummaryRow umap;
  umap.run_id = "umap@seed=0";
  umap.run_name = "umap";
  umap.metrics = {{"dcor_input", 0.9}}; // knn_recall@15 missing
  SummaryRow fa2;
  fa2.run_id = "fa2@seed=0";
  fa2.run_name = "fa2";
  fa2.status = "failed";
  fa2.error = "diverged";
  // le@seed=0 is absent altogether.
  return {tsne, umap, fa2};
}

const std::map<std::string, std::string> kVerdicts = {
    {"S1-recall-falls", "pass"}, {"S3-umap", "fail"}};

const BaselineRow *find(const std::vector<BaselineRow> &rows,
                        const std::string &run, const std::string &metric) {
  for (const auto &r : rows)
    if (r.run_id == run && r.metric == metric)
      return &r;
  return nullptr;
}

TEST(Baseline, ComparesBandsRunsAndClaims) {
  const auto rows = compare_to_baseline(kBaseline, results(), kVerdicts);
  ASSERT_EQ(rows.size(), 5u + 3u);

  const auto *in_band = find(rows, "tsne@rho=1,seed=0", "knn_recall@15");
  ASSERT_TRUE(in_band);
  EXPECT_TRUE(in_band->ok);
  EXPECT_DOUBLE_EQ(in_band->observed, 0.305);

  const auto *out_of_band = find(rows, "tsne@rho=1,seed=0", "spearman");
  ASSERT_TRUE(out_of_band);
  EXPECT_FALSE(out_of_band->ok); // 0.52 > 0.5 + 0.01
  EXPECT_EQ(out_of_band->note, "outside band");

  const auto *missing_metric = find(rows, "umap@seed=0", "knn_recall@15");
  EXPECT_FALSE(missing_metric->ok);
  EXPECT_EQ(missing_metric->note, "metric missing");
  EXPECT_TRUE(std::isnan(missing_metric->observed));

  const auto *failed_run = find(rows, "fa2@seed=0", "knn_recall@15");
  EXPECT_FALSE(failed_run->ok);
  EXPECT_EQ(failed_run->note, "run failed: diverged");

  const auto *missing_run = find(rows, "le@seed=0", "knn_recall@15");
  EXPECT_FALSE(missing_run->ok);
  EXPECT_EQ(missing_run->note, "run missing from the results");

  const auto *same = find(rows, "(claim)", "S1-recall-falls");
  EXPECT_TRUE(same->ok);
  const auto *changed = find(rows, "(claim)", "S3-umap");
  EXPECT_FALSE(changed->ok);
  EXPECT_EQ(changed->expected_verdict, "pass");
  EXPECT_EQ(changed->observed_verdict, "fail");
  EXPECT_EQ(changed->note, "verdict changed");
  const auto *unevaluated = find(rows, "(claim)", "S4-fa2");
  EXPECT_FALSE(unevaluated->ok);
  EXPECT_EQ(unevaluated->note, "claim not evaluated");

  EXPECT_FALSE(baseline_passed(rows));
}

TEST(Baseline, BandEdgesAreInside) {
  json b = kBaseline;
  b["metrics"] = {{"t", {{"m", {{"expected", 0.5}, {"tolerance", 0.25}}}}}};
  b["claims"] = json::object();
  SummaryRow r;
  r.run_id = "t";
  r.metrics["m"] = 0.75;
  EXPECT_TRUE(baseline_passed(compare_to_baseline(b, {r}, {})));
  r.metrics["m"] = 0.25;
  EXPECT_TRUE(baseline_passed(compare_to_baseline(b, {r}, {})));
  r.metrics["m"] = 0.7500001;
  EXPECT_FALSE(baseline_passed(compare_to_baseline(b, {r}, {})));
}

TEST(Baseline, TableShowsTheNumbers) {
  const auto rows = compare_to_baseline(kBaseline, results(), kVerdicts);
  const std::string t = format_baseline_table(rows);
  EXPECT_NE(t.find("run"), std::string::npos);
  EXPECT_NE(t.find("expected band"), std::string::npos);
  EXPECT_NE(t.find("[0.29, 0.33]"), std::string::npos) << t;
  EXPECT_NE(t.find("0.305"), std::string::npos);
  EXPECT_NE(t.find("0.52"), std::string::npos);
  EXPECT_NE(t.find("FAIL (outside band)"), std::string::npos);
  EXPECT_NE(t.find("FAIL (verdict changed)"), std::string::npos);
  EXPECT_NE(t.find("6 of 8 checks failed"), std::string::npos) << t;
  // Fixed width: every table line has its first separator at one column.
  std::size_t col = std::string::npos;
  std::size_t start = 0;
  for (int line = 0; line < 10; ++line) {
    const auto end = t.find('\n', start);
    const std::string l = t.substr(start, end - start);
    start = end + 1;
    if (line == 1)
      continue; // the rule under the header
    const auto bar = l.find(" | ");
    if (col == std::string::npos)
      col = bar;
    EXPECT_EQ(bar, col) << l;
  }
}

TEST(Baseline, ParseErrorsNameFileAndPath) {
  auto error_of = [](const json &j) -> std::string {
    try {
      Baseline::from_json(j, "experiments/baselines/spectrum__toy.json");
    } catch (const SpecError &e) {
      return e.what();
    }
    return "no error";
  };
  json b = kBaseline;
  b["metrics"]["umap@seed=0"]["knn_recall@15"]["tolerance"] = -1;
  EXPECT_NE(error_of(b).find("experiments/baselines/spectrum__toy.json: "
                             "metrics.umap@seed=0.knn_recall@15.tolerance"),
            std::string::npos)
      << error_of(b);
  b = kBaseline;
  b["claims"]["S1-recall-falls"] = "passed";
  EXPECT_NE(error_of(b).find("claims.S1-recall-falls: must be one of"),
            std::string::npos);
  b = kBaseline;
  b["extra"] = 1;
  EXPECT_NE(error_of(b).find("extra: unknown key"), std::string::npos);
  b = kBaseline;
  b["metrics"]["umap@seed=0"]["knn_recall@15"].erase("expected");
  EXPECT_NE(error_of(b).find("knn_recall@15.expected: required key is missing"),
            std::string::npos);
  b = kBaseline;
  b.erase("spec_id");
  EXPECT_NE(error_of(b).find("spec_id"), std::string::npos);
}

TEST(Baseline, FileNameAndRoundTrip) {
  EXPECT_EQ(baseline_file_name("spectrum/fmnist_exaggeration"),
            "spectrum__fmnist_exaggeration.json");
  auto rows = results();
  rows[1].metrics["knn_recall@15"] = 0.2;
  const json made =
      make_baseline("spectrum/toy", "smoke", "2025-01-01T00:00:00Z", rows,
                    kVerdicts, {0.02, 0.05});
  EXPECT_EQ(made["metrics"].count("fa2@seed=0"), 0u); // failed run left out
  EXPECT_DOUBLE_EQ(made["metrics"]["tsne@rho=1,seed=0"]["spearman"]["tolerance"]
                       .get<double>(),
                   0.026); // 5% of 0.52 > 0.02
  EXPECT_DOUBLE_EQ(made["metrics"]["umap@seed=0"]["knn_recall@15"]["tolerance"]
                       .get<double>(),
                   0.02);

  const std::string path = ::testing::TempDir() + "nebench_baseline_test.json";
  { std::ofstream(path) << made.dump(2); }
  const Baseline loaded = load_baseline(path);
  EXPECT_EQ(loaded.spec_id, "spectrum/toy");
  EXPECT_EQ(loaded.claims.at("S3-umap"), "fail");
  EXPECT_TRUE(baseline_passed(compare_to_baseline(loaded, rows, kVerdicts)));

  { std::ofstream(path) << "{\"spec_id\": "; }
  EXPECT_THROW(load_baseline(path), DataError);
  std::remove(path.c_str());
  EXPECT_THROW(load_baseline(path), DataError);
}

} // namespace
} // namespace nebench
