// The "paired" option of the greater check (metrics/claim_check.h): rows of
// a and b matched by seed, decided on the per-seed differences. Every
// expected number is worked out by hand in the comments.

#include "metrics/claim_check.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {
    {"rotations", {}}, {"natural", {}}, {"tsne", {"rho"}}};

ClaimSpec claim(const std::string &check) {
  const json j = json::parse(
      R"({"id": "M1-rotations", "text": "rotations help", "check": )" + check +
      "}");
  return ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[0]"), kRuns);
}

std::string claim_error(const std::string &check) {
  try {
    claim(check);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

SummaryRow row(const std::string &run, std::uint64_t seed, double value,
               json params = json::object()) {
  SummaryRow r;
  r.run_name = run;
  r.params = std::move(params);
  r.seed = seed;
  r.run_id = run + "@seed=" + std::to_string(seed);
  r.metrics["silhouette"] = value;
  return r;
}

std::string paired(double margin) {
  return R"({"type": "greater", "metric": "silhouette", "paired": true,
             "a": {"run": "rotations"}, "b": {"run": "natural"},
             "margin": )" +
         std::to_string(margin) + "}";
}

/// Seeds 0, 1, 2: a = 0.80, 0.85, 0.83 and b = 0.77, 0.80, 0.79, so
/// d = 0.03, 0.05, 0.04: mean(d) 0.04, sd(d) 0.01, paired spread 0.02.
/// Unpaired, the sides' own spread is much larger: sd_a = 0.02517,
/// sd_b = 0.01528, 2 sqrt(sd_a^2 + sd_b^2) = 0.05888.
std::vector<SummaryRow> three_seeds() {
  return {row("rotations", 0, 0.80), row("rotations", 1, 0.85),
          row("rotations", 2, 0.83), row("natural", 0, 0.77),
          row("natural", 1, 0.80),   row("natural", 2, 0.79)};
}

TEST(GreaterPaired, ParsesStrictly) {
  EXPECT_FALSE(claim(R"({"type": "greater", "metric": "m",
      "a": {"run": "rotations"}, "b": {"run": "natural"}})")
                   .paired);
  EXPECT_TRUE(claim(paired(0)).paired);
  EXPECT_TRUE(contains(claim_error(R"({"type": "greater", "metric": "m",
      "paired": "yes", "a": {"run": "rotations"}, "b": {"run": "natural"}})"),
                       "spec.json: claims[0].check.paired"));
  EXPECT_TRUE(contains(claim_error(R"({"type": "greater", "metric": "m",
      "paired": 1, "a": {"run": "rotations"}, "b": {"run": "natural"}})"),
                       "spec.json: claims[0].check.paired"));
  // Only greater takes it, also as false.
  const std::string close_error =
      claim_error(R"({"type": "close", "metric": "m", "paired": false,
          "a": {"run": "rotations"}, "b": {"run": "natural"},
          "tolerance": 0.1})");
  EXPECT_TRUE(contains(close_error, "spec.json: claims[0].check.paired: only "
                                    "for check type \"greater\""))
      << close_error;
  EXPECT_TRUE(contains(
      claim_error(R"({"type": "within", "run": "natural", "metric": "m",
                      "reference": 1, "tolerance": 0.1, "paired": true})"),
      "claims[0].check.paired: only for check type \"greater\""));
}

TEST(GreaterPaired, PassNamesTheMeanAndPerSeedDifferences) {
  const auto r = evaluate_claim(claim(paired(0)), three_seeds());
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.explanation,
            "silhouette: rotations - natural paired over 3 "
            "seeds: +0.04 (+0.03, +0.05, +0.04) > margin 0, beyond 2x spread "
            "of the paired differences 0.02");
  EXPECT_EQ(r.observed["paired"], true);
  EXPECT_EQ(r.observed["n_pairs"], 3);
  EXPECT_NEAR(r.observed["difference"].get<double>(), 0.04, 1e-12);
  EXPECT_NEAR(r.observed["difference_sd"].get<double>(), 0.01, 1e-12);
  EXPECT_NEAR(r.observed["spread"].get<double>(), 0.02, 1e-12);
  ASSERT_EQ(r.observed["pairs"].size(), 3u);
  const json &p1 = r.observed["pairs"][1];
  EXPECT_EQ(p1["seed"], 1);
  EXPECT_DOUBLE_EQ(p1["a"].get<double>(), 0.85);
  EXPECT_DOUBLE_EQ(p1["b"].get<double>(), 0.80);
  EXPECT_NEAR(p1["difference"].get<double>(), 0.05, 1e-12);
  EXPECT_TRUE(r.observed["unpaired_seeds"].empty());
  // The sides' own stats are there as for the unpaired check.
  EXPECT_EQ(r.observed["a"]["n"], 3);
  EXPECT_NEAR(r.observed["b"]["mean"].get<double>(), 0.78666666666666667,
              1e-12);
}

TEST(GreaterPaired, InconclusiveWithinTwicePairedSd) {
  // margin 0.05: |0.04 - 0.05| = 0.01 <= 2 sd(d) = 0.02.
  const auto r = evaluate_claim(claim(paired(0.05)), three_seeds());
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_TRUE(contains(r.explanation, "+0.04 (+0.03, +0.05, +0.04) <= margin "
                                      "0.05 but within 2x spread of the "
                                      "paired differences 0.02"))
      << r.explanation;
}

TEST(GreaterPaired, APositiveMeanInsideTheSpreadIsNoPass) {
  // The quick medical/rotation_synthetic kNN pairs: d = -0.03, -0.005,
  // +0.05, mean +0.005 > 0 but sd(d) = sqrt(0.00335 / 2) = 0.040927, so
  // |0.005 - 0| <= 2 sd(d) = 0.081854: inconclusive, not a pass.
  const std::vector<SummaryRow> rows = {
      row("rotations", 0, 0.88),  row("rotations", 1, 0.89),
      row("rotations", 2, 0.905), row("natural", 0, 0.91),
      row("natural", 1, 0.895),   row("natural", 2, 0.855)};
  const auto r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_NEAR(r.observed["spread"].get<double>(), 0.081854, 1e-6);
  EXPECT_TRUE(contains(r.explanation, "+0.005 (-0.03, -0.005, +0.05) > margin "
                                      "0 but within 2x spread of the paired "
                                      "differences 0.0819"))
      << r.explanation;
}

TEST(GreaterPaired, FailBeyondPairedSpreadWhereUnpairedIsInconclusive) {
  // margin 0.07: |0.04 - 0.07| = 0.03 > 0.02 fails paired; unpaired the
  // same rows are inconclusive (0.03 <= 0.05888): pairing resolves it.
  const auto r = evaluate_claim(claim(paired(0.07)), three_seeds());
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
  EXPECT_TRUE(contains(r.explanation, "<= margin 0.07, beyond 2x spread of "
                                      "the paired differences 0.02"))
      << r.explanation;
  const auto u = evaluate_claim(claim(R"({"type": "greater",
      "metric": "silhouette", "a": {"run": "rotations"},
      "b": {"run": "natural"}, "margin": 0.07})"),
                                three_seeds());
  EXPECT_EQ(u.verdict, "inconclusive") << u.explanation;
  EXPECT_NEAR(u.observed["spread"].get<double>(), 0.0588784058, 1e-9);
}

TEST(GreaterPaired, UnmatchedSeedsAreListedAndLeftOut) {
  // a: seeds 0..3; b: seeds 0, 1, 2 (failed), 5. Pairs: 0 and 1 only,
  // d = 0.03, 0.05: mean 0.04, sd 0.014142, spread 0.028284.
  auto rows = three_seeds();
  rows.push_back(row("rotations", 3, 0.9));
  rows.push_back(row("natural", 5, 0.1));
  rows[5].status = "failed"; // natural seed 2
  rows[5].error = "diverged";
  const auto r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["n_pairs"], 2);
  EXPECT_NEAR(r.observed["difference"].get<double>(), 0.04, 1e-12);
  EXPECT_NEAR(r.observed["spread"].get<double>(), 2 * std::sqrt(0.0002), 1e-12);
  const json expected_unpaired = json::array({{{"seed", 2}, {"side", "a"}},
                                              {{"seed", 3}, {"side", "a"}},
                                              {{"seed", 5}, {"side", "b"}}});
  EXPECT_EQ(r.observed["unpaired_seeds"], expected_unpaired);
  ASSERT_EQ(r.observed["excluded"].size(), 1u);
  EXPECT_EQ(r.observed["excluded"][0]["run_id"], "natural@seed=2");
  EXPECT_EQ(r.explanation,
            "silhouette: rotations - natural paired over 2 seeds: +0.04 "
            "(+0.03, +0.05) > margin 0, beyond 2x spread of the paired "
            "differences 0.0283; seed 2, 3, 5 without a valid partner "
            "left out");
}

TEST(GreaterPaired, OnePairHasNoSpread) {
  std::vector<SummaryRow> rows = {row("rotations", 7, 0.500),
                                  row("natural", 7, 0.501)};
  auto r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
  EXPECT_EQ(r.explanation, "silhouette: rotations - natural paired over 1 "
                           "seed: -0.001 (-0.001) <= margin 0 (one pair, no "
                           "spread)");
  EXPECT_EQ(r.observed["difference_sd"], 0.0);
  rows[1].metrics["silhouette"] = 0.499;
  r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  // A shortfall as small as 1e-9 still fails: one pair has no spread.
  rows[1].metrics["silhouette"] = 0.500 + 1e-9;
  EXPECT_EQ(evaluate_claim(claim(paired(0)), rows).verdict, "fail");
}

TEST(GreaterPaired, NoPairIsInconclusive) {
  // Both sides have valid rows, but of different seeds.
  std::vector<SummaryRow> rows = {row("rotations", 0, 0.9),
                                  row("natural", 1, 0.1)};
  auto r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_EQ(r.observed["n_pairs"], 0);
  EXPECT_EQ(r.observed["unpaired_seeds"].size(), 2u);
  EXPECT_TRUE(contains(r.explanation, "no seed with valid runs on both sides"))
      << r.explanation;
  // One side without any valid row: the common "no valid runs" verdict.
  rows[0].metrics["silhouette"] = std::nan("");
  r = evaluate_claim(claim(paired(0)), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_EQ(r.explanation,
            "silhouette: no valid runs for rotations, cannot compare");
}

TEST(GreaterPaired, TwoRowsOfOneSeedAreInconclusive) {
  // tsne without params pools two sweep values: seed 0 twice.
  const std::vector<SummaryRow> rows = {row("tsne", 0, 0.5, {{"rho", 1}}),
                                        row("tsne", 0, 0.6, {{"rho", 4}}),
                                        row("natural", 0, 0.4)};
  const auto r = evaluate_claim(claim(R"({"type": "greater",
      "metric": "silhouette", "paired": true, "a": {"run": "tsne"},
      "b": {"run": "natural"}})"),
                                rows);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_EQ(r.observed["repeated_seeds"], json::array({0}));
  EXPECT_EQ(r.explanation, "silhouette: tsne has several valid rows of seed "
                           "0, a paired comparison needs one per seed (select "
                           "one sweep value with params)");
  // With the sweep value selected, seed 0 pairs: 0.6 - 0.4.
  const auto s = evaluate_claim(claim(R"({"type": "greater",
      "metric": "silhouette", "paired": true,
      "a": {"run": "tsne", "params": {"rho": 4}}, "b": {"run": "natural"}})"),
                                rows);
  EXPECT_EQ(s.verdict, "pass") << s.explanation;
  EXPECT_NEAR(s.observed["difference"].get<double>(), 0.2, 1e-12);
}

} // namespace
} // namespace nebench
