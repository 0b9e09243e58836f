#include "engine/core/errors.h"
#include "engine/spec/profile.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

using nlohmann::json;

json base_spec() {
  return json::parse(R"({
    "id": "x", "dataset": {"name": "mnist"}, "seeds": [0, 1, 2],
    "runs": [
      {"name": "tsne", "sweep": {"rho": [1, 4, 30]},
       "method": {"type": "tsne", "phases": [{"iters": 250}, {"iters": 500}]}},
      {"name": "umap", "method": {"type": "umap", "epochs": 750}},
      {"name": "tsne2",
       "method": {"type": "tsne", "phases": [{"iters": 100}]}}
    ]})");
}

std::string error_of(json spec, const json &overrides) {
  try {
    apply_profile(spec, overrides, "s.json", "smoke");
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(Profile, SetsExistingAndCreatesMissingLastKey) {
  json s = base_spec();
  apply_profile(s, json::parse(R"({"dataset.subsample": 1000, "seeds": [0],
                                "dataset.name": "fashion-mnist"})"),
                "s.json", "quick");
  EXPECT_EQ(s["dataset"]["subsample"], 1000);
  EXPECT_EQ(s["dataset"]["name"], "fashion-mnist");
  EXPECT_EQ(s["seeds"], json::parse("[0]"));
}

TEST(Profile, WildcardsOverArraysSkipBranchesWithoutThePath) {
  json s = base_spec();
  apply_profile(s, json::parse(R"({"runs.*.method.phases.*.iters": 50})"),
                "s.json", "smoke");
  for (int r : {0, 2})
    for (const auto &p : s["runs"][r]["method"]["phases"])
      EXPECT_EQ(p["iters"], 50);
  // The UMAP run has no phases: left alone, nothing created.
  EXPECT_EQ(s["runs"][1]["method"], json::parse(R"({"type": "umap",
                                                     "epochs": 750})"));
}

TEST(Profile, WildcardOverObjectAndBracketIndices) {
  json s = base_spec();
  apply_profile(s, json::parse(R"({"runs[0].sweep.rho": [1, 4],
                                   "runs.2.method.phases[0].iters": 7,
                                   "runs[*].method.type": "x"})"),
                "s.json", "smoke");
  EXPECT_EQ(s["runs"][0]["sweep"]["rho"], json::parse("[1, 4]"));
  EXPECT_EQ(s["runs"][2]["method"]["phases"][0]["iters"], 7);
  for (const auto &r : s["runs"])
    EXPECT_EQ(r["method"]["type"], "x");
  json t = base_spec();
  apply_profile(t, json::parse(R"({"runs[1].method.*": 3})"), "s.json", "a");
  EXPECT_EQ(t["runs"][1]["method"], json::parse(R"({"type": 3,
                                                     "epochs": 3})"));
}

TEST(Profile, AppliesInOrderWithOrderedJson) {
  nlohmann::ordered_json s = nlohmann::ordered_json::parse(
      R"({"runs": [{"phases": [{"iters": 1}, {"iters": 2}]}]})");
  // Written order: the wildcard first, then the specific override wins.
  const auto o = nlohmann::ordered_json::parse(
      R"({"runs.*.phases.*.iters": 50, "runs[0].phases[1].iters": 9})");
  apply_profile(s, o, "s.json", "smoke");
  EXPECT_EQ(s["runs"][0]["phases"][0]["iters"], 50);
  EXPECT_EQ(s["runs"][0]["phases"][1]["iters"], 9);
}

TEST(Profile, ErrorsNameOverrideAndComponent) {
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"datset.subsample": 1})")),
            "s.json: profiles.smoke.datset.subsample: component \"datset\": "
            "no key \"datset\" in the spec root");
  EXPECT_EQ(
      error_of(base_spec(), json::parse(R"({"runs[0].method.phasez.x": 1})")),
      "s.json: profiles.smoke.runs[0].method.phasez.x: component "
      "\"phasez\": no key \"phasez\" in runs[0].method");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"runs[5].name": "a"})")),
            "s.json: profiles.smoke.runs[5].name: component \"[5]\": index "
            "out of range, runs has 3 elements");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"runs.name": "a"})")),
            "s.json: profiles.smoke.runs.name: component \"name\": runs is "
            "an array; use an index or \"*\"");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"id.x": 1})")),
            "s.json: profiles.smoke.id.x: a profile cannot override \"id\"");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"dataset.name.x": 1})")),
            "s.json: profiles.smoke.dataset.name.x: component \"x\": "
            "dataset.name is a string, not an object");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"seeds[0][1]": 1})")),
            "s.json: profiles.smoke.seeds[0][1]: component \"[1]\": "
            "seeds[0] is a number, not an array");
  EXPECT_EQ(
      error_of(base_spec(), json::parse(R"({"runs.*.method.iters": 1})")),
      "s.json: profiles.smoke.runs.*.method.iters: matches nothing in the "
      "spec (wildcards only select existing values)");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"runs..x": 1})")),
            "s.json: profiles.smoke.runs..x: empty component in path "
            "\"runs..x\"");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"runs[a]": 1})")),
            "s.json: profiles.smoke.runs[a]: \"[a]\" in component "
            "\"runs[a]\" must be an index or [*]");
  EXPECT_EQ(error_of(base_spec(), json::parse(R"({"runs[0": 1})")),
            "s.json: profiles.smoke.runs[0: missing ']' in component "
            "\"runs[0\"");
  EXPECT_EQ(error_of(base_spec(), json::parse("[1]")),
            "s.json: profiles.smoke: must be an object of {\"path\": value} "
            "overrides");
}

} // namespace
} // namespace nebench
