// The "slope" claim check (metrics/claim_check.h): least-squares slope of
// log(metric) against log(swept param), hand-computed cases.
#include "metrics/claim_check.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {
    {"s1", {"r"}}, {"s2", {"r", "lr"}}, {"ref", {}}};

ClaimSpec slope_claim(const std::string &check) {
  const json j = json::parse(
      R"({"id": "N2-test", "text": "a claim", "check": )" + check + "}");
  return ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[3]"), kRuns);
}

std::string slope_error(const std::string &check) {
  try {
    slope_claim(check);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

SummaryRow point(double r, std::uint64_t seed, double value,
                 const std::string &run = "s1") {
  SummaryRow row;
  row.run_name = run;
  row.params = {{"r", r}};
  row.seed = seed;
  row.run_id = run + "@r=" + json(r).dump() + ",seed=" + std::to_string(seed);
  row.metrics["last_steps"] = value;
  return row;
}

const char *kSquare = R"({"type": "slope", "run": "s1", "over": "r",
    "metric": "last_steps", "range": [1.9, 2.1]})";

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

TEST(ClaimSlope, Parses) {
  const ClaimSpec c = slope_claim(kSquare);
  EXPECT_EQ(c.type, "slope");
  EXPECT_EQ(c.target.run, "s1");
  EXPECT_EQ(c.over, "r");
  EXPECT_EQ(c.metric, "last_steps");
  EXPECT_DOUBLE_EQ(c.lo, 1.9);
  EXPECT_DOUBLE_EQ(c.hi, 2.1);
  EXPECT_TRUE(c.log_axes);
  EXPECT_FALSE(slope_claim(R"({"type": "slope", "run": "s1", "over": "r",
      "metric": "last_steps", "range": [0, 1], "log": false})")
                   .log_axes);
}

TEST(ClaimSlope, ParseErrorsNameTheJsonPath) {
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "s1",
      "over": "r", "metric": "last_steps"})"),
                       "claims[3].check.range"))
      << slope_error(R"({"type": "slope", "run": "s1", "over": "r",
          "metric": "last_steps"})");
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "s1",
      "over": "r", "metric": "last_steps", "range": [2, 1]})"),
                       "claims[3].check.range: lo must be <= hi"));
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "s1",
      "over": "r", "metric": "last_steps", "range": [1]})"),
                       "claims[3].check.range: must be [lo, hi]"));
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "ref",
      "over": "r", "metric": "last_steps", "range": [1, 2]})"),
                       "claims[3].check.over"));
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "s1",
      "over": "r", "metric": "last_steps", "range": [1, 2], "log": "yes"})"),
                       "claims[3].check.log"));
  EXPECT_TRUE(contains(slope_error(R"({"type": "slope", "run": "s1",
      "over": "r", "metric": "last_steps", "range": [1, 2], "tolerance": 1})"),
                       "claims[3].check.tolerance: unknown key"));
}

TEST(ClaimSlope, ExactPowerLawPasses) {
  // steps = 96 r^2: log-log slope exactly 2, intercept log 96.
  std::vector<SummaryRow> rows;
  for (double r : {0.25, 0.5, 1.0, 2.0, 10.0})
    rows.push_back(point(r, 0, 96.0 * r * r));
  const ClaimResult res = evaluate_claim(slope_claim(kSquare), rows);
  EXPECT_EQ(res.verdict, "pass") << res.explanation;
  EXPECT_NEAR(res.observed["slope"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(res.observed["intercept"].get<double>(), std::log(96.0), 1e-12);
  EXPECT_NEAR(res.observed["r2"].get<double>(), 1.0, 1e-12);
  EXPECT_EQ(res.observed["n_points"], 5);
  EXPECT_EQ(res.observed["points"].size(), 5u);
  EXPECT_TRUE(contains(res.explanation, "inside [1.9, 2.1]"))
      << res.explanation;
  EXPECT_TRUE(contains(res.explanation, "slope of log(last_steps) against "
                                        "log(r) of s1: 2 from 5 points"))
      << res.explanation;
}

TEST(ClaimSlope, InverseScalingHasSlopeMinusOne) {
  // ||grad|| = 3 / s at s = 1, 2, 10.
  std::vector<SummaryRow> rows;
  for (double s : {1.0, 2.0, 10.0})
    rows.push_back(point(s, 0, 3.0 / s));
  const ClaimResult res =
      evaluate_claim(slope_claim(R"({"type": "slope", "run": "s1", "over": "r",
          "metric": "last_steps", "range": [-1.001, -0.999]})"),
                     rows);
  EXPECT_EQ(res.verdict, "pass") << res.explanation;
  EXPECT_NEAR(res.observed["slope"].get<double>(), -1.0, 1e-12);
}

TEST(ClaimSlope, HandComputedLeastSquares) {
  // Linear axes, points (1, 1), (2, 3), (3, 2): x mean 2, y mean 2,
  // Sxy = (-1)(-1) + 0 + (1)(0) = 1, Sxx = 2 -> slope 0.5, intercept 1.
  std::vector<SummaryRow> rows = {point(1, 0, 1), point(2, 0, 3),
                                  point(3, 0, 2)};
  const ClaimResult res =
      evaluate_claim(slope_claim(R"({"type": "slope", "run": "s1", "over": "r",
          "metric": "last_steps", "range": [0.4, 0.6], "log": false})"),
                     rows);
  EXPECT_EQ(res.verdict, "pass") << res.explanation;
  EXPECT_DOUBLE_EQ(res.observed["slope"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(res.observed["intercept"].get<double>(), 1.0);
  // r^2 = Sxy^2 / (Sxx Syy) = 1 / (2 * 2) with Syy = 1 + 1 + 0.
  EXPECT_DOUBLE_EQ(res.observed["r2"].get<double>(), 0.25);
}

TEST(ClaimSlope, LinearSlopeFails) {
  // steps = 96 r (slope 1) is not a square law.
  std::vector<SummaryRow> rows;
  for (double r : {1.0, 2.0, 4.0})
    rows.push_back(point(r, 0, 96.0 * r));
  const ClaimResult res = evaluate_claim(slope_claim(kSquare), rows);
  EXPECT_EQ(res.verdict, "fail") << res.explanation;
  EXPECT_NEAR(res.observed["slope"].get<double>(), 1.0, 1e-12);
  EXPECT_TRUE(contains(res.explanation, "outside [1.9, 2.1] by 0.9"))
      << res.explanation;
}

TEST(ClaimSlope, TooFewPointsIsInconclusive) {
  // One r value (two seeds): no slope.
  const ClaimResult one = evaluate_claim(
      slope_claim(kSquare), {point(1.0, 0, 96.0), point(1.0, 1, 97.0)});
  EXPECT_EQ(one.verdict, "inconclusive");
  EXPECT_TRUE(contains(one.explanation, "1 distinct value(s) of r"))
      << one.explanation;
  EXPECT_FALSE(one.observed.contains("slope"));
  // No rows at all.
  EXPECT_EQ(evaluate_claim(slope_claim(kSquare), {}).verdict, "inconclusive");
}

TEST(ClaimSlope, NonPositiveValuesAreExcludedOnLogAxes) {
  std::vector<SummaryRow> rows = {point(1.0, 0, 96.0), point(2.0, 0, 0.0)};
  const ClaimResult res = evaluate_claim(slope_claim(kSquare), rows);
  EXPECT_EQ(res.verdict, "inconclusive") << res.explanation;
  ASSERT_EQ(res.observed["excluded"].size(), 1u);
  EXPECT_TRUE(contains(res.observed["excluded"][0]["reason"].get<std::string>(),
                       "no logarithm"));
  // Failed runs and missing metrics are excluded too.
  rows = {point(1.0, 0, 96.0), point(2.0, 0, 384.0), point(4.0, 0, 1.0)};
  rows[2].status = "failed";
  rows[2].error = "max_steps reached";
  const ClaimResult ok = evaluate_claim(slope_claim(kSquare), rows);
  EXPECT_EQ(ok.verdict, "pass") << ok.explanation;
  EXPECT_EQ(ok.observed["excluded"].size(), 1u);
}

TEST(ClaimSlope, SeedSpreadMakesANearMissInconclusive) {
  // Seed 0: slope 2.3, seed 1: slope 1.8 (two r values each): pooled
  // slope 2.05... is inside; move the range so it misses by less than
  // 2 sd of the per-seed slopes.
  auto rows_of = [](double a, double b) {
    return std::vector<SummaryRow>{
        point(1.0, 0, 1.0), point(std::exp(1.0), 0, std::exp(a)),
        point(1.0, 1, 1.0), point(std::exp(1.0), 1, std::exp(b))};
  };
  const auto rows = rows_of(2.3, 1.8);
  const ClaimResult pass = evaluate_claim(slope_claim(kSquare), rows);
  EXPECT_EQ(pass.verdict, "pass") << pass.explanation;
  EXPECT_NEAR(pass.observed["slope"].get<double>(), 2.05, 1e-12);
  const double sd = std::sqrt(2.0) * 0.25; // sample sd of {2.3, 1.8}
  EXPECT_NEAR(pass.observed["slope_sd"].get<double>(), sd, 1e-12);
  EXPECT_TRUE(contains(pass.explanation, "per-seed slopes sd"))
      << pass.explanation;

  const ClaimResult near =
      evaluate_claim(slope_claim(R"({"type": "slope", "run": "s1", "over": "r",
          "metric": "last_steps", "range": [1.5, 1.9]})"),
                     rows);
  EXPECT_EQ(near.verdict, "inconclusive") << near.explanation;
  const ClaimResult far =
      evaluate_claim(slope_claim(R"({"type": "slope", "run": "s1", "over": "r",
          "metric": "last_steps", "range": [0.5, 1.0]})"),
                     rows);
  EXPECT_EQ(far.verdict, "fail") << far.explanation;
}

TEST(ClaimSlope, OtherSweepParamsArePooledAndNamed) {
  std::vector<SummaryRow> rows;
  for (double lr : {1.0, 10.0})
    for (double r : {1.0, 2.0}) {
      SummaryRow row = point(r, 0, 96.0 * r * r, "s2");
      row.params["lr"] = lr;
      row.run_id += ",lr=" + json(lr).dump();
      rows.push_back(row);
    }
  const ClaimResult res =
      evaluate_claim(slope_claim(R"({"type": "slope", "run": "s2", "over": "r",
          "metric": "last_steps", "range": [1.9, 2.1]})"),
                     rows);
  EXPECT_EQ(res.verdict, "pass") << res.explanation;
  EXPECT_EQ(res.observed["pooled_params"], json::array({"lr"}));
}

} // namespace
} // namespace nebench
