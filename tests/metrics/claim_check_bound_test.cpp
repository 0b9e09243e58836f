// The "bound" claim check (metrics/claim_check.h): the mean over seeds above
// or below a threshold by more than 2 sd, hand-computed cases.
#include "metrics/claim_check.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {{"simclr", {}},
                                                            {"swept", {"wd"}}};

ClaimSpec bound_claim(const std::string &check) {
  const json j = json::parse(
      R"({"id": "N3-test", "text": "a claim", "check": )" + check + "}");
  return ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[1]"), kRuns);
}

std::string bound_error(const std::string &check) {
  try {
    bound_claim(check);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

std::vector<SummaryRow> seeds(const std::vector<double> &values) {
  std::vector<SummaryRow> rows;
  for (std::size_t s = 0; s < values.size(); ++s) {
    SummaryRow row;
    row.run_name = "simclr";
    row.params = json::object();
    row.seed = s;
    row.run_id = "simclr@seed=" + std::to_string(s);
    row.metrics["norm_knn_auroc@15"] = values[s];
    rows.push_back(row);
  }
  return rows;
}

const char *kAbove = R"({"type": "bound", "run": "simclr",
    "metric": "norm_knn_auroc@15", "above": 0.5})";
const char *kBelow = R"({"type": "bound", "run": "simclr",
    "metric": "norm_knn_auroc@15", "below": 0.5})";

TEST(ClaimBound, Parses) {
  const ClaimSpec c = bound_claim(kAbove);
  EXPECT_EQ(c.type, "bound");
  EXPECT_TRUE(c.above);
  EXPECT_DOUBLE_EQ(c.threshold, 0.5);
  EXPECT_FALSE(bound_claim(kBelow).above);
}

TEST(ClaimBound, ParseErrorsNameTheJsonPath) {
  const std::string none =
      bound_error(R"({"type": "bound", "run": "simclr", "metric": "m"})");
  EXPECT_NE(none.find("claims[1].check"), std::string::npos) << none;
  EXPECT_NE(none.find("exactly one of \"above\" and \"below\""),
            std::string::npos)
      << none;
  const std::string both = bound_error(R"({"type": "bound", "run": "simclr",
      "metric": "m", "above": 1, "below": 2})");
  EXPECT_NE(both.find("exactly one"), std::string::npos) << both;
  const std::string run = bound_error(
      R"({"type": "bound", "run": "nope", "metric": "m", "above": 1})");
  EXPECT_NE(run.find("claims[1].check.run"), std::string::npos) << run;
}

TEST(ClaimBound, PassesBeyondTwiceTheSeedSpread) {
  // Mean 0.62, sd 0.02 (values 0.60, 0.62, 0.64): 0.62 - 0.5 = 0.12 > 0.04.
  const ClaimResult r =
      evaluate_claim(bound_claim(kAbove), seeds({0.60, 0.62, 0.64}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_NEAR(r.observed["mean"].get<double>(), 0.62, 1e-12);
  EXPECT_NEAR(r.observed["spread"].get<double>(), 0.04, 1e-12);
  EXPECT_EQ(
      evaluate_claim(bound_claim(kBelow), seeds({0.60, 0.62, 0.64})).verdict,
      "fail");
}

TEST(ClaimBound, InconclusiveInsideTheSpreadOnEitherSide) {
  // Mean 0.52, sd 0.02: 0.02 <= 0.04 -> inconclusive, above or below.
  EXPECT_EQ(
      evaluate_claim(bound_claim(kAbove), seeds({0.50, 0.52, 0.54})).verdict,
      "inconclusive");
  EXPECT_EQ(
      evaluate_claim(bound_claim(kBelow), seeds({0.50, 0.52, 0.54})).verdict,
      "inconclusive");
}

TEST(ClaimBound, OneSeedComparesTheValue) {
  EXPECT_EQ(evaluate_claim(bound_claim(kAbove), seeds({0.51})).verdict, "pass");
  EXPECT_EQ(evaluate_claim(bound_claim(kAbove), seeds({0.49})).verdict, "fail");
  EXPECT_EQ(evaluate_claim(bound_claim(kAbove), {}).verdict, "inconclusive");
}

} // namespace
} // namespace nebench

namespace nebench {
namespace {

// Selection "best": the sweep setting with the highest seed mean (the graph
// paper's node2vec at its best (p, q)).
TEST(ClaimSelectionBest, ComparesAgainstTheBestSweepSetting) {
  const std::map<std::string, std::set<std::string>> runs = {{"cne", {}},
                                                             {"n2v", {"p"}}};
  const json j = json::parse(R"({"id": "G2-test", "text": "t", "check": {
      "type": "greater", "metric": "graph_recall", "a": {"run": "cne"},
      "b": {"run": "n2v", "best": true}}})");
  const ClaimSpec c =
      ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[0]"), runs);
  EXPECT_TRUE(c.b.best);
  std::vector<SummaryRow> rows;
  const auto add = [&rows](const std::string &run, json params,
                           std::uint64_t seed, double v) {
    SummaryRow r;
    r.run_name = run;
    r.params = std::move(params);
    r.seed = seed;
    r.run_id = run + std::to_string(rows.size());
    r.metrics["graph_recall"] = v;
    rows.push_back(r);
  };
  add("cne", json::object(), 0, 0.50);
  add("n2v", {{"p", 0.25}}, 0, 0.30);
  add("n2v", {{"p", 4}}, 0, 0.45);
  ClaimResult r = evaluate_claim(c, rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_NEAR(r.observed["b"]["mean"].get<double>(), 0.45, 1e-12)
      << r.observed.dump();
  add("n2v", {{"p", 1}}, 0, 0.55); // a better setting turns the verdict
  r = evaluate_claim(c, rows);
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
}

} // namespace
} // namespace nebench
