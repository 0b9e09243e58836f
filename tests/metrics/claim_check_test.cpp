#include "metrics/claim_check.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

const std::map<std::string, std::set<std::string>> kRuns = {
    {"tsne", {"rho"}}, {"umap", {}},    {"neg", {"zbar", "k"}}, {"negc", {"c"}},
    {"nce", {}},       {"at_tsne", {}}, {"at_nce", {}}};

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
  EXPECT_DOUBLE_EQ(a.range[0].value, 2);
  EXPECT_DOUBLE_EQ(a.range[1].value, 8);
  EXPECT_EQ(a.range[0].run, "");
  EXPECT_EQ(a.slack_steps, 0);

  const ClaimSpec ar = claim(R"({"type": "argmax_in", "run": "negc",
      "over": "c", "metric": "knn_recall@15", "slack_steps": 1,
      "range": [{"run": "at_nce", "metric": "last_c"}, 0.5]})");
  EXPECT_EQ(ar.range[0].run, "at_nce");
  EXPECT_EQ(ar.range[0].metric, "last_c");
  EXPECT_EQ(ar.range[1].run, "");
  EXPECT_DOUBLE_EQ(ar.range[1].value, 0.5);
  EXPECT_EQ(ar.slack_steps, 1);

  const ClaimSpec rt = claim(R"({"type": "ratio_in",
      "a": {"run": "nce", "metric": "last_zbar"},
      "b": {"run": "tsne", "params": {"rho": 1}, "metric": "last_Z"},
      "range": [0.25, 4]})");
  EXPECT_EQ(rt.metric, "");
  EXPECT_EQ(rt.a.run, "nce");
  EXPECT_EQ(rt.metric_a, "last_zbar");
  EXPECT_EQ(rt.b.params["rho"], 1);
  EXPECT_EQ(rt.metric_b, "last_Z");
  EXPECT_DOUBLE_EQ(rt.lo, 0.25);
  EXPECT_DOUBLE_EQ(rt.hi, 4);

  const ClaimSpec cl = claim(R"({"type": "close", "metric": "knn_recall@15",
      "a": {"run": "umap"}, "b": {"run": "neg", "params": {"zbar": 1}},
      "tolerance": 0.02})");
  EXPECT_EQ(cl.a.run, "umap");
  EXPECT_EQ(cl.b.params["zbar"], 1);
  EXPECT_DOUBLE_EQ(cl.tolerance, 0.02);

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

TEST(ClaimSpec, NewCheckErrorsNameThePath) {
  const auto error = [](const std::string &check) {
    return claim_error(check);
  };
  const std::string argmax_head =
      R"({"type": "argmax_in", "run": "negc", "over": "c", "metric": "m", )";
  // A range end refers to an unswept run of the spec, by run and metric.
  EXPECT_TRUE(contains(
      error(argmax_head +
            R"("range": [{"run": "tsne", "metric": "last_c"}, 1]})"),
      "claims[0].check.range[0].run: run \"tsne\" is swept (over rho)"));
  EXPECT_TRUE(
      contains(error(argmax_head +
                     R"("range": [1, {"run": "tsnee", "metric": "last_c"}]})"),
               "claims[0].check.range[1].run: unknown run \"tsnee\""));
  EXPECT_TRUE(
      contains(error(argmax_head + R"("range": [1, {"run": "at_nce"}]})"),
               "claims[0].check.range[1].metric: required key is missing"));
  EXPECT_TRUE(contains(
      error(argmax_head + R"("range": [1, {"run": "at_nce", "metric": ""}]})"),
      "claims[0].check.range[1].metric: must not be empty"));
  EXPECT_TRUE(contains(
      error(argmax_head + R"("range": [1, {"run": "at_nce", "metric": "m",
                                           "params": {}}]})"),
      "claims[0].check.range[1].params: unknown key"));
  EXPECT_TRUE(contains(error(argmax_head + R"("range": ["1", 2]})"),
                       "claims[0].check.range[0]: must be a number or"));
  EXPECT_TRUE(contains(error(argmax_head + R"("range": {"lo": 1}})"),
                       "claims[0].check.range: must be [lo, hi]"));
  EXPECT_TRUE(contains(error(argmax_head + R"("range": [1]})"),
                       "claims[0].check.range: must be [lo, hi]"));
  EXPECT_TRUE(contains(error(argmax_head + R"("range": [1, 2],
                                              "slack_steps": -1})"),
                       "claims[0].check.slack_steps"));
  EXPECT_TRUE(contains(error(argmax_head + R"("range": [1, 2],
                                              "slack_steps": 1.5})"),
                       "claims[0].check.slack_steps"));
  // Two references may come in either order; two numbers may not.
  EXPECT_EQ(error(argmax_head + R"("range": [{"run": "at_nce", "metric": "x"},
                                   {"run": "at_tsne", "metric": "x"}]})"),
            "no error");
  EXPECT_TRUE(contains(error(argmax_head + R"("range": [2, 1]})"),
                       "claims[0].check.range: lo must be <= hi"));

  const std::string a = R"("a": {"run": "nce", "metric": "last_zbar"})";
  const std::string b = R"("b": {"run": "umap", "metric": "last_Z"})";
  EXPECT_TRUE(contains(error(R"({"type": "ratio_in", "a": {"run": "nce"}, )" +
                             b + R"(, "range": [1, 2]})"),
                       "claims[0].check.a.metric: required key is missing"));
  EXPECT_TRUE(contains(error(R"({"type": "ratio_in", "metric": "m", )" + a +
                             ", " + b + R"(, "range": [1, 2]})"),
                       "claims[0].check.metric: unknown key"));
  EXPECT_TRUE(contains(error(R"({"type": "ratio_in", )" + a + ", " + b +
                             R"(, "range": [4, 0.25]})"),
                       "claims[0].check.range: lo must be <= hi"));
  EXPECT_TRUE(
      contains(error(R"({"type": "ratio_in", )" + a + ", " + b + R"(})"),
               "claims[0].check.range: required key is missing"));
  EXPECT_TRUE(contains(
      error(R"({"type": "ratio_in", )" + a +
            R"(, "b": {"run": "negc", "params": {"rho": 1}, "metric": "x"},
                "range": [1, 2]})"),
      "claims[0].check.b.params.rho: \"rho\" is not a sweep parameter"));

  EXPECT_TRUE(contains(error(R"({"type": "close", "metric": "m",
                                 "a": {"run": "umap"}, "b": {"run": "nce"}})"),
                       "claims[0].check.tolerance: required key is missing"));
  EXPECT_TRUE(contains(error(R"({"type": "close", "metric": "m",
                                 "a": {"run": "umap"}, "b": {"run": "nce"},
                                 "tolerance": -0.1})"),
                       "claims[0].check.tolerance"));
  EXPECT_TRUE(contains(error(R"({"type": "close", "metric": "m",
                                 "a": {"run": "umap", "metric": "m"},
                                 "b": {"run": "nce"}, "tolerance": 0.1})"),
                       "claims[0].check.a.metric: unknown key"));
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

TEST(Greater, AGainInsideTheSpreadIsNoPass) {
  // b mean 0.21 (spread 0.04 as above); a = 0.23, 0.25: mean 0.24, diff
  // 0.03 > margin 0.01, but |0.03 - 0.01| = 0.02 <= 0.04: inconclusive.
  auto rows = sweep({{16, {0.20, 0.22}}});
  rows.push_back(row("umap", json::object(), 0, 0.23));
  rows.push_back(row("umap", json::object(), 1, 0.25));
  auto r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_TRUE(
      contains(r.explanation, "> margin 0.01 but within 2x seed spread 0.04"))
      << r.explanation;
  // a = 0.27, 0.29: |0.07 - 0.01| = 0.06 > 0.04: a pass beyond the spread.
  rows[2].metrics["knn_recall@15"] = 0.27;
  rows[3].metrics["knn_recall@15"] = 0.29;
  r = evaluate_claim(claim(kGreater), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_TRUE(contains(r.explanation, ", beyond 2x seed spread 0.04"))
      << r.explanation;
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

// --- argmax_in with references ----------------------------------------------

/// The C1 shape: negc swept over c (one row per c and seed value), and the
/// unswept runs at_tsne and at_nce with their last_c per seed.
std::vector<SummaryRow>
c_sweep(const std::vector<std::pair<double, std::vector<double>>> &recall,
        const std::vector<double> &at_tsne, const std::vector<double> &at_nce) {
  std::vector<SummaryRow> rows;
  for (const auto &[c, values] : recall)
    for (std::size_t s = 0; s < values.size(); ++s)
      rows.push_back(row("negc", {{"c", c}}, s, values[s]));
  for (std::size_t s = 0; s < at_tsne.size(); ++s)
    rows.push_back(row("at_tsne", json::object(), s, at_tsne[s], "last_c"));
  for (std::size_t s = 0; s < at_nce.size(); ++s)
    rows.push_back(row("at_nce", json::object(), s, at_nce[s], "last_c"));
  return rows;
}

std::string refs_check(const std::string &first, const std::string &second,
                       int slack = 0) {
  return R"({"type": "argmax_in", "run": "negc", "over": "c",
      "metric": "knn_recall@15", "slack_steps": )" +
         std::to_string(slack) + R"(, "range": [{"run": ")" + first +
         R"(", "metric": "last_c"}, {"run": ")" + second +
         R"(", "metric": "last_c"}]})";
}

const std::vector<std::pair<double, std::vector<double>>> kRecallOverC = {
    {1e-3, {0.05}}, {5e-3, {0.09}}, {2e-2, {0.11}},
    {0.1, {0.105}}, {0.5, {0.10}},  {1, {0.098}}};

TEST(ArgmaxInReferences, RangeIsTheSeedMeansInEitherOrder) {
  // at_tsne c = mean(0.011, 0.013) = 0.012, at_nce c = 0.05: the peak at
  // c = 0.02 lies between them.
  const auto rows = c_sweep(kRecallOverC, {0.011, 0.013}, {0.05});
  for (const auto &[first, second] :
       {std::pair{"at_tsne", "at_nce"}, std::pair{"at_nce", "at_tsne"}}) {
    const auto r = evaluate_claim(claim(refs_check(first, second)), rows);
    EXPECT_EQ(r.verdict, "pass") << r.explanation;
    ASSERT_EQ(r.observed["range"].size(), 2u);
    EXPECT_NEAR(r.observed["range"][0].get<double>(), 0.012, 1e-15);
    EXPECT_NEAR(r.observed["range"][1].get<double>(), 0.05, 1e-15);
    EXPECT_EQ(r.observed["argmax"], 2e-2);
    const json &ends = r.observed["range_ends"];
    const json &tsne_end =
        ends[0]["selection"] == "at_tsne" ? ends[0] : ends[1];
    EXPECT_EQ(tsne_end["n"], 2);
    EXPECT_EQ(tsne_end["metric"], "last_c");
    EXPECT_NEAR(tsne_end["sd"].get<double>(), std::sqrt(2e-6), 1e-15);
    EXPECT_TRUE(contains(r.explanation, "inside [0.012, 0.05]"))
        << r.explanation;
  }
  // The peak moves toward UMAP's c = 1: outside.
  auto moved = kRecallOverC;
  moved[4].second = {0.2};
  EXPECT_EQ(evaluate_claim(claim(refs_check("at_tsne", "at_nce")),
                           c_sweep(moved, {0.012}, {0.05}))
                .verdict,
            "fail");
}

TEST(ArgmaxInReferences, NumberAndReferenceMix) {
  const auto rows = c_sweep(kRecallOverC, {0.012}, {0.05});
  const auto r =
      evaluate_claim(claim(R"({"type": "argmax_in", "run": "negc", "over": "c",
          "metric": "knn_recall@15",
          "range": [0.5, {"run": "at_tsne", "metric": "last_c"}]})"),
                     rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["range"], json({0.012, 0.5}));
  EXPECT_EQ(r.observed["range_ends"][0], json({{"value", 0.5}}));
}

TEST(ArgmaxInReferences, SlackStepsWidenTheRangeByGridValues) {
  // Range [0.006, 0.015] holds no grid value; the peak c = 0.02 is the next
  // grid value above it.
  const auto rows = c_sweep(kRecallOverC, {0.006}, {0.015});
  auto r = evaluate_claim(claim(refs_check("at_tsne", "at_nce")), rows);
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
  EXPECT_FALSE(r.observed.contains("widened_range"));
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce", 1)), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["widened_range"], json({5e-3, 2e-2}));
  EXPECT_EQ(r.observed["slack_steps"], 1);
  EXPECT_TRUE(contains(r.explanation, "widened by 1 grid step(s) to "
                                      "[0.005, 0.02]"))
      << r.explanation;
  // A peak two steps above the range needs slack 2.
  auto two_up = kRecallOverC;
  two_up[3].second = {0.2}; // c = 0.1
  EXPECT_EQ(evaluate_claim(claim(refs_check("at_tsne", "at_nce", 1)),
                           c_sweep(two_up, {0.006}, {0.015}))
                .verdict,
            "fail");
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce", 2)),
                     c_sweep(two_up, {0.006}, {0.015}));
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.observed["widened_range"], json({1e-3, 0.1}));
  // A grid value equal to an end is inside, not a step: range [0.005,
  // 0.015] widened by 1 reaches 1e-3 below and 0.02 above.
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce", 1)),
                     c_sweep(kRecallOverC, {0.005}, {0.015}));
  EXPECT_EQ(r.observed["widened_range"], json({1e-3, 2e-2}));
  // Fewer grid values beyond an end than the slack: unbounded (null).
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce", 3)),
                     c_sweep(kRecallOverC, {0.3}, {0.8}));
  EXPECT_EQ(r.observed["widened_range"], json({5e-3, nullptr}));
  EXPECT_EQ(r.verdict, "pass"); // the peak 0.02 is 2 steps below 0.3
  // Numeric ranges take slack too.
  r = evaluate_claim(claim(R"({"type": "argmax_in", "run": "tsne",
      "over": "rho", "metric": "knn_recall@15", "range": [2, 8],
      "slack_steps": 1})"),
                     sweep({{1, {0.9}}, {4, {0.6}}, {16, {0.5}}}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["widened_range"], json({1.0, 16.0}));
}

TEST(ArgmaxInReferences, MissingReferenceIsInconclusive) {
  auto rows = c_sweep(kRecallOverC, {0.012, 0.013}, {0.05});
  rows.back().status = "failed";
  rows.back().error = "NaN";
  auto r = evaluate_claim(claim(refs_check("at_tsne", "at_nce")), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_TRUE(contains(r.explanation, "the range cannot be resolved (last_c "
                                      "of at_nce has no valid runs)"))
      << r.explanation;
  EXPECT_FALSE(r.observed.contains("range"));
  EXPECT_EQ(r.observed["range_excluded"].size(), 1u);
  // A row without the metric, or no rows at all (--only), is the same.
  rows.pop_back();
  EXPECT_EQ(
      evaluate_claim(claim(refs_check("at_tsne", "at_nce")), rows).verdict,
      "inconclusive");
  rows = c_sweep(kRecallOverC, {0.012}, {0.05});
  rows.back().metrics = {{"knn_recall@15", 0.3}};
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce")), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_TRUE(contains(r.observed["range_excluded"][0]["reason"],
                       "metric last_c missing"));
  // One seed of a reference failed: the mean of the others is used.
  rows = c_sweep(kRecallOverC, {0.012, 0.9}, {0.05});
  rows[rows.size() - 2].status = "failed";
  r = evaluate_claim(claim(refs_check("at_tsne", "at_nce")), rows);
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["range"], json({0.012, 0.05}));
}

// --- ratio_in ----------------------------------------------------------------

const char *kRatio = R"({"type": "ratio_in",
    "a": {"run": "nce", "metric": "last_zbar"},
    "b": {"run": "tsne", "params": {"rho": 1}, "metric": "last_Z"},
    "range": [0.25, 4]})";

std::vector<SummaryRow> ratio_rows(const std::vector<double> &zbar,
                                   const std::vector<double> &z) {
  std::vector<SummaryRow> rows;
  for (std::size_t s = 0; s < zbar.size(); ++s)
    rows.push_back(row("nce", json::object(), s, zbar[s], "last_zbar"));
  for (std::size_t s = 0; s < z.size(); ++s) {
    rows.push_back(row("tsne", {{"rho", 1}}, s, z[s], "last_Z"));
    // Another sweep value of tsne must not enter the mean.
    rows.push_back(row("tsne", {{"rho", 4}}, s, 1.0, "last_Z"));
  }
  return rows;
}

TEST(RatioIn, PassFailWithTheMeansAndSds) {
  // The paper's MNIST numbers: Z(NCVis) 3.43e7 vs Z(t-SNE) 8.13e6, 4.2x.
  auto r = evaluate_claim(claim(kRatio), ratio_rows({3.43e7}, {8.13e6}));
  EXPECT_EQ(r.verdict, "fail") << r.explanation;
  EXPECT_NEAR(r.observed["ratio"].get<double>(), 3.43e7 / 8.13e6, 1e-12);
  EXPECT_TRUE(contains(r.explanation, "last_zbar of nce / last_Z of "
                                      "tsne(rho=1) = 3.43e+07 / 8.13e+06 = "
                                      "4.219, outside [0.25, 4]"))
      << r.explanation;

  r = evaluate_claim(claim(kRatio),
                     ratio_rows({3.0e7, 3.2e7}, {8.0e6, 8.2e6, 8.4e6}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_DOUBLE_EQ(r.observed["a"]["mean"].get<double>(), 3.1e7);
  EXPECT_NEAR(r.observed["a"]["sd"].get<double>(), std::sqrt(2e12), 1e-3);
  EXPECT_EQ(r.observed["a"]["metric"], "last_zbar");
  EXPECT_EQ(r.observed["b"]["n"], 3);
  EXPECT_DOUBLE_EQ(r.observed["b"]["mean"].get<double>(), 8.2e6);
  EXPECT_NEAR(r.observed["ratio"].get<double>(), 3.1e7 / 8.2e6, 1e-12);
  EXPECT_EQ(r.observed["range"], json({0.25, 4.0}));

  // Both ends are inclusive; below the range fails.
  EXPECT_EQ(evaluate_claim(claim(kRatio), ratio_rows({4e6}, {1e6})).verdict,
            "pass");
  EXPECT_EQ(evaluate_claim(claim(kRatio), ratio_rows({1e6}, {4e6})).verdict,
            "pass");
  EXPECT_EQ(evaluate_claim(claim(kRatio), ratio_rows({1e6}, {4.1e6})).verdict,
            "fail");
}

TEST(RatioIn, MissingSideOrZeroDenominatorIsInconclusive) {
  auto rows = ratio_rows({3e7}, {8e6});
  rows[0].status = "failed";
  auto r = evaluate_claim(claim(kRatio), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_TRUE(contains(r.explanation, "no valid runs for last_zbar of nce"))
      << r.explanation;
  EXPECT_EQ(r.observed["excluded"].size(), 1u);
  EXPECT_EQ(evaluate_claim(claim(kRatio), ratio_rows({3e7}, {})).verdict,
            "inconclusive");
  r = evaluate_claim(claim(kRatio), ratio_rows({3e7}, {0.0}));
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_TRUE(contains(r.explanation, "has mean 0")) << r.explanation;
  EXPECT_FALSE(r.observed.contains("ratio"));
  // Each side reads its own metric: a row with only the other side's
  // metric does not count.
  rows = ratio_rows({3e7}, {8e6});
  rows[0].metrics = {{"last_Z", 3e7}};
  EXPECT_EQ(evaluate_claim(claim(kRatio), rows).verdict, "inconclusive");
}

// --- close -------------------------------------------------------------------

const char *kClose = R"({"type": "close", "metric": "knn_recall@15",
    "a": {"run": "umap"}, "b": {"run": "nce"}, "tolerance": 0.02})";

std::vector<SummaryRow> close_rows(const std::vector<double> &a,
                                   const std::vector<double> &b) {
  std::vector<SummaryRow> rows;
  for (std::size_t s = 0; s < a.size(); ++s)
    rows.push_back(row("umap", json::object(), s, a[s]));
  for (std::size_t s = 0; s < b.size(); ++s)
    rows.push_back(row("nce", json::object(), s, b[s]));
  return rows;
}

TEST(Close, PassFailInconclusive) {
  auto r = evaluate_claim(claim(kClose), close_rows({0.10}, {0.11}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_NEAR(r.observed["difference"].get<double>(), -0.01, 1e-15);
  EXPECT_TRUE(contains(r.explanation, "umap 0.1 vs nce 0.11, |difference| "
                                      "0.01 <= tolerance 0.02 (fewer than 2 "
                                      "seeds, no spread)"))
      << r.explanation;
  // Either sign of the difference.
  EXPECT_EQ(evaluate_claim(claim(kClose), close_rows({0.12}, {0.10})).verdict,
            "pass");
  EXPECT_EQ(evaluate_claim(claim(kClose), close_rows({0.10}, {0.13})).verdict,
            "fail");
  EXPECT_EQ(evaluate_claim(claim(kClose), close_rows({0.13}, {0.10})).verdict,
            "fail");

  // Means 0.11 vs 0.12, sds 0.01414: spread 0.04 > tolerance 0.02.
  r = evaluate_claim(claim(kClose), close_rows({0.10, 0.12}, {0.11, 0.13}));
  EXPECT_EQ(r.verdict, "inconclusive") << r.explanation;
  EXPECT_NEAR(r.observed["spread"].get<double>(), 0.04, 1e-12);
  EXPECT_TRUE(contains(r.explanation, "but the seed spread of the difference "
                                      "0.04 exceeds the tolerance"))
      << r.explanation;
  // The same means with tight seeds pass.
  r = evaluate_claim(claim(kClose),
                     close_rows({0.1095, 0.1105}, {0.1195, 0.1205}));
  EXPECT_EQ(r.verdict, "pass") << r.explanation;
  EXPECT_EQ(r.observed["a"]["n"], 2);
  // Beyond the tolerance fails whatever the spread (as "within").
  EXPECT_EQ(
      evaluate_claim(claim(kClose), close_rows({0.0, 0.2}, {0.2, 0.4})).verdict,
      "fail");
}

TEST(Close, MissingSideIsInconclusive) {
  auto rows = close_rows({0.1}, {0.1});
  rows[1].metrics.clear();
  const auto r = evaluate_claim(claim(kClose), rows);
  EXPECT_EQ(r.verdict, "inconclusive");
  EXPECT_TRUE(contains(r.explanation, "no valid runs for nce"));
  EXPECT_EQ(r.observed["excluded"].size(), 1u);
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
