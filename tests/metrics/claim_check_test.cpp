#include "metrics/claim_check.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {
    {"tsne", {"rho"}}, {"umap", {}}, {"neg", {"zbar", "k"}}};

ClaimSpec claim(const std::string &check, std::size_t index = 0) {
  const json j = json::parse(
      R"({"id": "S1-test", "text": "a claim", "check": )" + check + "}");
  return ClaimSpec::from_spec(
      SpecNode(j, "spec.json", "claims[" + std::to_string(index) + "]"), kRuns);
}

std::string claim_error(const std::string &check, std::size_t index = 0) {
  try {
    claim(check, index);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "no error";
}

SummaryRow row(const std::string &run, json params, std::uint64_t seed,
               double value, const std::string &metric = "knn_recall@15") {
  SummaryRow r;
  r.run_name = run;
  r.params = std::move(params);
  r.seed = seed;
  std::string p;
  for (auto it = r.params.begin(); it != r.params.end(); ++it)
    p += it.key() + "=" + it.value().dump() + ",";
  r.run_id = run + "@" + p + "seed=" + std::to_string(seed);
  r.metrics[metric] = value;
  return r;
}

/// One row per (rho, value) pair, seeds numbered per rho.
std::vector<SummaryRow>
sweep(const std::vector<std::pair<double, std::vector<double>>> &data) {
  std::vector<SummaryRow> rows;
  for (const auto &[rho, values] : data)
    for (std::size_t s = 0; s < values.size(); ++s)
      rows.push_back(row("tsne", {{"rho", rho}}, s, values[s]));
  return rows;
}

const char *kDecreasing =
    R"({"type": "monotone", "run": "tsne", "over": "rho",
        "metric": "knn_recall@15", "direction": "decreasing",
        "tolerance": 0.005})";

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

// --- parsing -----------------------------------------------------------------

TEST(ClaimSpec, ParsesEveryCheckType) {
  const ClaimSpec m = claim(kDecreasing);
  EXPECT_EQ(m.type, "monotone");
  EXPECT_EQ(m.target.run, "tsne");
  EXPECT_EQ(m.over, "rho");
  EXPECT_EQ(m.direction, "decreasing");
  EXPECT_DOUBLE_EQ(m.tolerance, 0.005);
  EXPECT_EQ(m.check["type"], "monotone");

  const ClaimSpec g = claim(R"({"type": "greater", "metric": "dcor_input",
      "a": {"run": "tsne", "params": {"rho": 4}}, "b": {"run": "umap"}})");
  EXPECT_EQ(g.a.run, "tsne");
  EXPECT_EQ(g.a.params["rho"], 4);
  EXPECT_TRUE(g.b.params.empty());
  EXPECT_DOUBLE_EQ(g.margin, 0.0);

  const ClaimSpec a = claim(R"({"type": "argmax_in", "run": "tsne",
      "over": "rho", "metric": "dcor_umap", "range": [2, 8]})");
  EXPECT_DOUBLE_EQ(a.lo, 2);
  EXPECT_DOUBLE_EQ(a.hi, 8);

  const ClaimSpec w = claim(R"({"type": "within", "run": "neg",
      "params": {"zbar": 1000, "k": "x"}, "metric": "spearman",
      "reference": 0.365, "tolerance": 0.05})");
  EXPECT_EQ(w.target.params["k"], "x");
  EXPECT_DOUBLE_EQ(w.reference, 0.365);
}

TEST(ClaimSpec, ErrorsNameThePath) {
  EXPECT_TRUE(contains(
      claim_error(R"({"type": "monotone", "run": "tsnee", "over": "rho",
                      "metric": "m", "direction": "decreasing"})"),
      "spec.json: claims[0].check.run: unknown run \"tsnee\""));
  EXPECT_TRUE(contains(
      claim_error(R"({"type": "monotone", "run": "tsne", "over": "k",
                      "metric": "m", "direction": "decreasing"})",
                  2),
      "claims[2].check.over: \"k\" is not a sweep parameter of run \"tsne\""));
  EXPECT_TRUE(
      contains(claim_error(R"({"type": "monotone", "run": "tsne", "over": "rho",
                      "metric": "m", "direction": "down"})"),
               "claims[0].check.direction: must be one of"));
  EXPECT_TRUE(
      contains(claim_error(R"({"type": "monotone", "run": "tsne", "over": "rho",
                      "metric": "m", "direction": "increasing", "tol": 1})"),
               "claims[0].check.tol: unknown key"));
  EXPECT_TRUE(contains(
      claim_error(R"({"type": "argmax_in", "run": "tsne", "over": "rho",
                      "metric": "m", "range": [8, 2]})"),
      "claims[0].check.range: lo must be <= hi"));
  EXPECT_TRUE(contains(
      claim_error(R"({"type": "argmax_in", "run": "tsne", "over": "rho",
                      "metric": "m", "range": [1, 2, 3]})"),
      "claims[0].check.range"));
  EXPECT_TRUE(contains(claim_error(R"({"type": "greater", "metric": "m",
                      "a": {"run": "tsne", "params": {"k": 1}},
                      "b": {"run": "umap"}})"),
                       "claims[0].check.a.params.k"));
  EXPECT_TRUE(contains(claim_error(R"({"type": "greater", "metric": "m",
                      "a": {"run": "tsne"}})"),
                       "claims[0].check.b: required key is missing"));
  EXPECT_TRUE(contains(claim_error(R"({"type": "within", "run": "umap",
                      "metric": "m", "reference": 1})"),
                       "claims[0].check.tolerance"));
  EXPECT_TRUE(contains(claim_error(R"({"type": "between", "metric": "m"})"),
                       "claims[0].check.type"));
  for (const char *bad : {R"({"id": "recall falls", "text": "t"})",
                          R"({"id": "s1-lowercase", "text": "t"})",
                          R"({"id": "S1--double", "text": "t"})",
                          R"({"id": "S1-ok", "text": ""})"}) {
    json j = json::parse(bad);
    j["check"] = json::parse(kDecreasing);
    try {
      ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[0]"), kRuns);
      ADD_FAILURE() << bad;
    } catch (const SpecError &e) {
      EXPECT_TRUE(contains(e.what(),
                           j["text"] == "" ? "claims[0].text" : "claims[0].id"))
          << e.what();
    }
  }
}

TEST(ClaimSpec, OptionalCaveatIsCarriedIntoTheResult) {
  json j = {{"id", "S3-umap"},
            {"text", "UMAP matches rho in [2, 8]"},
            {"check", json::parse(kDecreasing)}};
  EXPECT_EQ(
      ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[0]"), kRuns).caveat,
      "");
  j["caveat"] = "small subsample";
  const ClaimSpec c =
      ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[0]"), kRuns);
  EXPECT_EQ(c.caveat, "small subsample");
  const ClaimResult r =
      evaluate_claim(c, sweep({{1, {0.9}}, {4, {0.8}}, {30, {0.7}}}));
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.caveat, "small subsample");
  for (const json bad : {json(""), json(3), json::array({"x"})}) {
    j["caveat"] = bad;
    try {
      ClaimSpec::from_spec(SpecNode(j, "spec.json", "claims[1]"), kRuns);
      ADD_FAILURE() << bad.dump();
    } catch (const SpecError &e) {
      EXPECT_TRUE(contains(e.what(), "spec.json: claims[1].caveat: "))
          << e.what();
    }
  }
}

// --- monotone ----------------------------------------------------------------

TEST(Monotone, PassWithExplanation) {
  const auto r = evaluate_claim(
      claim(kDecreasing), sweep({{1, {0.412}}, {4, {0.415}}, {100, {0.201}}}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.explanation,
            "knn_recall@15 decreases over rho: 0.412 (rho=1) -> 0.201 "
            "(rho=100); largest increase +0.003 at rho=1 -> 4 within "
            "tolerance 0.005");
  EXPECT_EQ(r.observed["values"], json({1.0, 4.0, 100.0}));
  EXPECT_EQ(r.observed["violations"].size(), 0u);
  EXPECT_EQ(r.check["direction"], "decreasing");
}

TEST(Monotone, SortsSweepValuesNumerically) {
  // Rows arrive as 100, 4, 1: the order must come from the values.
  const auto r = evaluate_claim(claim(kDecreasing),
                                sweep({{100, {0.1}}, {4, {0.3}}, {1, {0.4}}}));
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.observed["means"], json({0.4, 0.3, 0.1}));
}

TEST(Monotone, FailBeyondToleranceWithOneSeed) {
  const auto r = evaluate_claim(claim(kDecreasing),
                                sweep({{1, {0.4}}, {4, {0.5}}, {16, {0.2}}}));
  EXPECT_EQ(r.verdict, "fail");
  ASSERT_EQ(r.observed["violations"].size(), 1u);
  EXPECT_DOUBLE_EQ(r.observed["violations"][0]["from"].get<double>(), 1.0);
  EXPECT_TRUE(contains(r.explanation, "+0.1 at rho=1 -> 4")) << r.explanation;
}

TEST(Monotone, ViolationInsideSeedSpreadIsInconclusive) {
  // Means 0.41 -> 0.42 (+0.01), sds 0.0141 each: 2 sqrt(2) 0.0141 = 0.04.
  const auto noisy = evaluate_claim(
      claim(kDecreasing),
      sweep({{1, {0.40, 0.42}}, {4, {0.41, 0.43}}, {16, {0.2, 0.2}}}));
  EXPECT_EQ(noisy.verdict, "inconclusive") << noisy.explanation;
  EXPECT_TRUE(noisy.observed["violations"][0]["within_spread"].get<bool>());
  // The same rise with tight seeds is a failure.
  const auto tight = evaluate_claim(
      claim(kDecreasing),
      sweep({{1, {0.41, 0.41}}, {4, {0.42, 0.42}}, {16, {0.2, 0.2}}}));
  EXPECT_EQ(tight.verdict, "fail") << tight.explanation;
}

TEST(Monotone, SpreadIsTwiceTheCombinedSeedSd) {
  // sd 0.01414 per value, so 2 sqrt(sd^2 + sd^2) = 0.04 exactly.
  const ClaimSpec c = claim(R"({"type": "monotone", "run": "tsne",
      "over": "rho", "metric": "knn_recall@15", "direction": "decreasing"})");
  // A rise of 0.025: inside 2x spread (it would not be inside 1x).
  EXPECT_EQ(evaluate_claim(c, sweep({{1, {0.40, 0.42}}, {4, {0.425, 0.445}}}))
                .verdict,
            "inconclusive");
  // A rise of 0.05: beyond it.
  EXPECT_EQ(
      evaluate_claim(c, sweep({{1, {0.40, 0.42}}, {4, {0.45, 0.47}}})).verdict,
      "fail");
}

TEST(Monotone, IncreasingDirection) {
  const ClaimSpec c = claim(R"({"type": "monotone", "run": "tsne",
      "over": "rho", "metric": "knn_recall@15", "direction": "increasing"})");
  EXPECT_EQ(evaluate_claim(c, sweep({{1, {0.1}}, {2, {0.2}}})).verdict, "pass");
  EXPECT_EQ(evaluate_claim(c, sweep({{1, {0.2}}, {2, {0.1}}})).verdict, "fail");
  // Tolerance 0: an exactly flat step is not a violation.
  EXPECT_EQ(evaluate_claim(c, sweep({{1, {0.2}}, {2, {0.2}}})).verdict, "pass");
}

TEST(Monotone, FailedRunsAreExcludedAndListed) {
  auto rows = sweep({{1, {0.4}}, {4, {0.3}}, {16, {0.2}}});
  rows[2].status = "failed";
  rows[2].error = "NaN in gradient";
  auto r = evaluate_claim(claim(kDecreasing), rows);
  // The remaining values decrease, but rho=16 has no data: not a pass.
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  ASSERT_EQ(r.observed["excluded"].size(), 1u);
  EXPECT_EQ(r.observed["excluded"][0]["run_id"], rows[2].run_id);
  EXPECT_TRUE(contains(r.observed["excluded"][0]["reason"], "NaN in gradient"));
  EXPECT_EQ(r.observed["missing_values"], json({16.0}));

  // A violation among the remaining values still fails.
  rows[1].metrics["knn_recall@15"] = 0.6;
  EXPECT_EQ(evaluate_claim(claim(kDecreasing), rows).verdict, "fail");

  // A row without the metric is excluded the same way; one seed is left.
  auto two_seeds = sweep({{1, {0.4, 0.41}}, {4, {0.3, 0.31}}});
  two_seeds[1].metrics.clear();
  two_seeds[3].metrics["knn_recall@15"] = std::nan("");
  r = evaluate_claim(claim(kDecreasing), two_seeds);
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.observed["excluded"].size(), 2u);
  EXPECT_EQ(r.observed["n"], json({1, 1}));
}

TEST(Monotone, TooFewSweepValuesIsInconclusive) {
  EXPECT_EQ(
      evaluate_claim(claim(kDecreasing), sweep({{1, {0.4, 0.3}}})).verdict,
      "inconclusive");
  EXPECT_EQ(evaluate_claim(claim(kDecreasing), {}).verdict, "inconclusive");
}

// --- greater
// -------------------------------------------------------------------

const char *kGreater = R"({"type": "greater", "metric": "knn_recall@15",
    "a": {"run": "umap"}, "b": {"run": "tsne", "params": {"rho": 16}},
    "margin": 0.01})";

TEST(Greater, PassFailInconclusive) {
  auto rows = sweep({{1, {0.5}}, {16, {0.2}}});
  rows.push_back(row("umap", json::object(), 0, 0.3));
  auto r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_NEAR(r.observed["difference"].get<double>(), 0.1, 1e-12);
  EXPECT_TRUE(contains(r.explanation, "umap 0.3 vs tsne(rho=16) 0.2"))
      << r.explanation;

  rows.back().metrics["knn_recall@15"] = 0.205; // diff 0.005 <= margin
  EXPECT_EQ(evaluate_claim(claim(kGreater), rows).verdict, "fail");

  // Two seeds each with a spread that covers the shortfall.
  auto noisy = sweep({{16, {0.18, 0.22}}});
  noisy.push_back(row("umap", json::object(), 0, 0.17));
  noisy.push_back(row("umap", json::object(), 1, 0.23));
  r = evaluate_claim(claim(kGreater), noisy);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
}

TEST(Greater, SpreadIsTwiceTheCombinedSeedSd) {
  // b = tsne(rho=16) mean 0.21, a = umap; sds 0.01414, spread 0.04.
  auto rows = sweep({{16, {0.20, 0.22}}});
  rows.push_back(row("umap", json::object(), 0, 0.18));
  rows.push_back(row("umap", json::object(), 1, 0.20));
  // mean(a) 0.19: |diff - margin| = |-0.02 - 0.01| = 0.03 <= 0.04.
  auto r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_NEAR(r.observed["spread"].get<double>(), 0.04, 1e-12);
  // mean(a) 0.16: 0.06 > 0.04.
  rows[2].metrics["knn_recall@15"] = 0.15;
  rows[3].metrics["knn_recall@15"] = 0.17;
  EXPECT_EQ(evaluate_claim(claim(kGreater), rows).verdict, "fail");
}

TEST(Greater, NoDataIsInconclusiveAndParamsMatchNumerically) {
  auto rows = sweep({{16.0 * (1 + 1e-14), {0.2}}});
  auto r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "inconclusive"); // no umap rows
  EXPECT_EQ(r.observed["b"]["n"], 1);   // 16 matched within 1e-12
  rows.push_back(row("umap", json::object(), 0, 0.5));
  rows.back().status = "failed";
  r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_EQ(r.observed["excluded"].size(), 1u);
}

// --- argmax_in ---------------------------------------------------------------

const char *kArgmax = R"({"type": "argmax_in", "run": "tsne", "over": "rho",
    "metric": "knn_recall@15", "range": [2, 8]})";

TEST(ArgmaxIn, PassFailInconclusive) {
  auto r = evaluate_claim(claim(kArgmax),
                          sweep({{1, {0.5}}, {4, {0.9}}, {16, {0.6}}}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["argmax"], 4.0);
  EXPECT_TRUE(contains(r.explanation, "largest at rho=4 (0.9"));

  r = evaluate_claim(claim(kArgmax),
                     sweep({{1, {0.5}}, {4, {0.6}}, {16, {0.9}}}));
  EXPECT_EQ(r.verdict, "fail") << r.explanation;

  // The range is inclusive at both ends.
  EXPECT_EQ(evaluate_claim(claim(kArgmax),
                           sweep({{1, {0.5}}, {8, {0.9}}, {16, {0.6}}}))
                .verdict,
            "pass");
  EXPECT_EQ(evaluate_claim(claim(kArgmax),
                           sweep({{2, {0.9}}, {8, {0.5}}, {16, {0.6}}}))
                .verdict,
            "pass");

  // Top two (16 outside, 4 inside) within the seed spread.
  r = evaluate_claim(
      claim(kArgmax),
      sweep({{1, {0.5, 0.5}}, {4, {0.80, 0.90}}, {16, {0.82, 0.90}}}));
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  // Top two both outside the range: spread does not matter, fail.
  r = evaluate_claim(
      claim(kArgmax),
      sweep({{1, {0.80, 0.90}}, {4, {0.5, 0.5}}, {16, {0.82, 0.90}}}));
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
}

TEST(ArgmaxIn, SpreadIsTwiceTheCombinedSeedSd) {
  // Top rho=16 (outside) vs rho=4 (inside), sds 0.01414: spread 0.04.
  EXPECT_EQ(evaluate_claim(
                claim(kArgmax),
                sweep({{1, {0.5, 0.5}}, {4, {0.82, 0.84}}, {16, {0.85, 0.87}}}))
                .verdict,
            "inconclusive"); // 0.03 apart
  EXPECT_EQ(evaluate_claim(
                claim(kArgmax),
                sweep({{1, {0.5, 0.5}}, {4, {0.82, 0.84}}, {16, {0.87, 0.89}}}))
                .verdict,
            "fail"); // 0.05 apart
}

TEST(ArgmaxIn, MissingSweepValueIsInconclusive) {
  auto rows = sweep({{1, {0.5}}, {4, {0.9}}, {16, {0.6}}});
  rows[2].status = "failed";
  EXPECT_EQ(evaluate_claim(claim(kArgmax), rows).verdict, "inconclusive");
}

// --- within
// --------------------------------------------------------------------

TEST(Within, PassFailInconclusive) {
  const ClaimSpec c = claim(R"({"type": "within", "run": "neg",
      "params": {"zbar": 1000}, "metric": "knn_recall@15",
      "reference": 0.104, "tolerance": 0.01})");
  std::vector<SummaryRow> rows = {
      row("neg", {{"zbar", 1000}, {"k", 15}}, 0, 0.100),
      row("neg", {{"zbar", 1000}, {"k", 15}}, 1, 0.110),
      row("neg", {{"zbar", 10}, {"k", 15}}, 0, 0.9)};
  auto r = evaluate_claim(c, rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_NEAR(r.observed["mean"].get<double>(), 0.105, 1e-12);
  EXPECT_TRUE(contains(r.explanation, "0.105 vs reference 0.104"))
      << r.explanation;
  rows[1].metrics["knn_recall@15"] = 0.140; // mean 0.12
  EXPECT_EQ(evaluate_claim(c, rows).verdict, "fail");
  EXPECT_EQ(evaluate_claim(c, {rows[2]}).verdict, "inconclusive");
}

} // namespace
} // namespace nebench
