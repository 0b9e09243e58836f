#include "engine/core/errors.h"
#include "engine/spec/spec.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace nebench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

/// A tiny valid spec used as the base of most tests.
const char *kValid = R"js({
  "id": "spectrum/tiny_test",
  "paper": "spectrum",
  "title": "tiny spec for the spec parser tests",
  "dataset": {"name": "gaussian_blobs", "subsample": 200},
  "graph": {"knn": {"k": 15}},
  "runs": [
    {"name": "tsne", "sweep": {"rho": [4, 30], "lr": [0.5, 1e-05]},
     "method": {"type": "tsne", "learning_rate": "$lr",
                "phases": [{"iters": 250, "exaggeration": "max(12,$rho)",
                            "momentum": 0.5},
                           {"iters": "100+$seed", "exaggeration": "$rho",
                            "momentum": 0.8}]}},
    {"name": "umap", "method": {"type": "umap", "k": 15}, "seeds": [7]}
  ],
  "seeds": [0, 1],
  "metrics": [{"type": "knn_recall", "k": 15}],
  "claims": [],
  "profiles": {"smoke": {"dataset.subsample": 50, "seeds": [3],
                         "runs.*.method.phases.*.iters": 5,
                         "runs[0].sweep.lr": [0.5]}}
})js";

Spec parse(const std::string &text, const std::string &profile = "full",
           const std::string &file = "bad.json") {
  return parse_spec(parse_spec_text(text, file), file, profile);
}

std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

/// kValid with `path` (a JSON pointer) replaced by `value`, or removed when
/// value is discarded.
std::string with(const std::string &pointer, const json &value) {
  ordered_json j = ordered_json::parse(kValid);
  if (value.is_discarded())
    j.at(ordered_json::json_pointer(pointer).parent_pointer())
        .erase(ordered_json::json_pointer(pointer).back());
  else
    j[ordered_json::json_pointer(pointer)] = ordered_json(value);
  return j.dump();
}

json removed() { return json(json::value_t::discarded); }

TEST(Spec, ValidSpecExpandsInOrder) {
  const Spec s = parse(kValid, "full", "experiments/spectrum/tiny.json");
  EXPECT_EQ(s.id, "spectrum/tiny_test");
  EXPECT_EQ(s.paper, "spectrum");
  EXPECT_EQ(s.profile, "full");
  EXPECT_EQ(s.dir, "experiments/spectrum");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seeds, (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(s.dataset["subsample"], 200);
  EXPECT_EQ(s.graph["knn"]["k"], 15);
  EXPECT_EQ(s.metrics.size(), 1u);
  EXPECT_TRUE(s.resources.is_object() && s.resources.empty());
  // rho then lr as written (lr varies faster), seeds fastest; 2*2*2 + 1.
  const std::vector<std::string> ids = {"tsne@rho=4,lr=0.5,seed=0",
                                        "tsne@rho=4,lr=0.5,seed=1",
                                        "tsne@rho=4,lr=1e-05,seed=0",
                                        "tsne@rho=4,lr=1e-05,seed=1",
                                        "tsne@rho=30,lr=0.5,seed=0",
                                        "tsne@rho=30,lr=0.5,seed=1",
                                        "tsne@rho=30,lr=1e-05,seed=0",
                                        "tsne@rho=30,lr=1e-05,seed=1",
                                        "umap@seed=7"};
  ASSERT_EQ(s.runs.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(s.runs[i].id, ids[i]) << i;
  EXPECT_EQ(s.run_sweep_params.at("tsne"),
            (std::set<std::string>{"rho", "lr"}));
  EXPECT_TRUE(s.run_sweep_params.at("umap").empty());

  const RunSpec &a = s.runs[0]; // rho = 4, lr = 0.5, seed = 0
  EXPECT_EQ(a.name, "tsne");
  EXPECT_EQ(a.run_index, 0u);
  EXPECT_EQ(a.method_path, "runs[0].method");
  EXPECT_EQ(a.params, json::parse(R"({"rho": 4, "lr": 0.5})"));
  EXPECT_EQ(a.method["phases"][0]["exaggeration"], 12); // max(12, 4)
  EXPECT_TRUE(a.method["phases"][0]["exaggeration"].is_number_integer());
  EXPECT_EQ(a.method["phases"][1]["exaggeration"], 4);
  EXPECT_EQ(a.method["phases"][1]["iters"], 100); // 100 + $seed
  EXPECT_EQ(a.method["learning_rate"], 0.5);
  EXPECT_EQ(a.method["phases"][0]["momentum"], 0.5); // untouched

  const RunSpec &b = s.runs[7]; // rho = 30, lr = 1e-05, seed = 1
  EXPECT_EQ(b.seed, 1u);
  EXPECT_EQ(b.method["phases"][0]["exaggeration"], 30); // max(12, 30)
  EXPECT_EQ(b.method["phases"][1]["exaggeration"], 30);
  EXPECT_EQ(b.method["phases"][1]["iters"], 101);
  EXPECT_EQ(b.method["learning_rate"], 1e-05);

  const RunSpec &u = s.runs[8];
  EXPECT_EQ(u.seed, 7u);
  EXPECT_EQ(u.run_index, 1u);
  EXPECT_EQ(u.params, json::object());
  EXPECT_EQ(u.method, json::parse(R"({"type": "umap", "k": 15})"));
  // The resolved spec is the spec itself (full profile: nothing changed).
  EXPECT_EQ(s.resolved, ordered_json::parse(kValid));
  // Re-reading the stored resolved spec gives the same runs in the same
  // order (what `nebench check` relies on).
  const Spec again = parse_spec(parse_spec_text(s.resolved.dump(), "r.json"),
                                "r.json", "full");
  ASSERT_EQ(again.runs.size(), s.runs.size());
  for (std::size_t i = 0; i < s.runs.size(); ++i)
    EXPECT_EQ(again.runs[i].id, s.runs[i].id);
  // Plain json sorts keys: lr before rho.
  EXPECT_EQ(parse_spec(json::parse(kValid), "b.json", "full").runs[0].id,
            "tsne@lr=0.5,rho=4,seed=0");
}

TEST(Spec, ProfileIsAppliedBeforeExpansion) {
  const Spec s = parse(kValid, "smoke");
  EXPECT_EQ(s.profile, "smoke");
  EXPECT_EQ(s.dataset["subsample"], 50);
  EXPECT_EQ(s.resolved["dataset"]["subsample"], 50);
  ASSERT_EQ(s.runs.size(), 3u);
  EXPECT_EQ(s.runs[0].id, "tsne@rho=4,lr=0.5,seed=3");
  EXPECT_EQ(s.runs[1].id, "tsne@rho=30,lr=0.5,seed=3");
  EXPECT_EQ(s.runs[2].id, "umap@seed=7"); // run-level seeds win
  EXPECT_EQ(s.runs[0].method["phases"][0]["iters"], 5);
  EXPECT_EQ(list_profiles(ordered_json::parse(kValid)),
            (std::vector<std::string>{"full", "smoke"}));
  EXPECT_EQ(list_profiles(json::parse(kValid)),
            (std::vector<std::string>{"full", "smoke"}));
}

TEST(Spec, FullProfileAppliesProfilesFull) {
  const std::string text = with("/profiles/full", {{"dataset.subsample", 500}});
  EXPECT_EQ(parse(text).dataset["subsample"], 500);
  EXPECT_EQ(list_profiles(ordered_json::parse(text)),
            (std::vector<std::string>{"full", "smoke"}));
}

TEST(Spec, StringSweepsAndNumberFormatting) {
  const Spec s = parse(R"({"id": "a", "paper": "cne", "title": "t",
    "dataset": {"name": "d"}, "seeds": [0],
    "runs": [{"name": "cne", "sweep": {"loss": ["neg", "infonce"],
                                      "z": [4.0, 2.5, -1, 1e20]},
              "method": {"type": "cne", "loss": "$loss", "zbar": "$z"}}]})");
  ASSERT_EQ(s.runs.size(), 8u);
  EXPECT_EQ(s.runs[0].id, "cne@loss=neg,z=4,seed=0");
  EXPECT_EQ(s.runs[1].id, "cne@loss=neg,z=2.5,seed=0");
  EXPECT_EQ(s.runs[2].id, "cne@loss=neg,z=-1,seed=0");
  EXPECT_EQ(s.runs[3].id, "cne@loss=neg,z=1e+20,seed=0");
  EXPECT_EQ(s.runs[4].id, "cne@loss=infonce,z=4,seed=0");
  EXPECT_EQ(s.runs[4].method["loss"], "infonce");
  EXPECT_EQ(s.runs[0].params, json::parse(R"({"loss": "neg", "z": 4})"));
  EXPECT_TRUE(s.runs[0].params["z"].is_number_integer()); // 4.0 -> 4
  EXPECT_EQ(s.runs[1].method["zbar"], 2.5);
  EXPECT_EQ(format_sweep_value(json(0.1)), "0.1");
  EXPECT_EQ(format_sweep_value(json(1e-05)), "1e-05");
  EXPECT_EQ(format_sweep_value(json(0.0001)), "0.0001");
  EXPECT_EQ(format_sweep_value(json(-0.0)), "0");
  EXPECT_EQ(format_sweep_value(json(0.00012345)), "0.00012345");
  EXPECT_EQ(format_sweep_value(json(12345678.25)), "1.234567825e+07");
  EXPECT_EQ(format_sweep_value(json(100)), "100");
  EXPECT_EQ(format_sweep_value(json("x")), "x");
}

TEST(Spec, DesignExampleLoads) {
  // DESIGN section 3's example with only the t-SNE run.
  const Spec s = parse(R"js({
  "id": "spectrum/fmnist_exaggeration",
  "paper": "spectrum",
  "title": "t-SNE exaggeration spectrum vs UMAP, FA2, LE on Fashion-MNIST",
  "dataset": {"name": "fashion-mnist", "preprocess": [{"op": "pca", "dim": 50}]},
  "graph": {"knn": {"k": 90, "index": "Flat"}},
  "runs": [
    {"name": "tsne", "sweep": {"rho": [1, 2, 4, 8, 16, 30, 64, 100]},
     "method": {"type": "tsne", "affinity": {"type": "perplexity", "perplexity": 30},
                "init": {"type": "pca", "std": 1e-4}, "repulsion": "fft",
                "phases": [{"iters": 250, "exaggeration": "max(12,$rho)", "momentum": 0.5},
                           {"iters": 500, "exaggeration": "$rho", "momentum": 0.8}]}}
  ],
  "seeds": [0, 1, 2],
  "metrics": [{"type": "knn_recall", "k": 15}, {"type": "knn_accuracy", "k": 15},
              {"type": "distance_correlation", "points": 5000}],
  "claims": [
    {"id": "S1-recall-falls-with-rho", "text": "kNN recall decreases as exaggeration grows",
     "check": {"type": "monotone", "run": "tsne", "over": "rho",
               "metric": "knn_recall@15", "direction": "decreasing", "tolerance": 0.005}}
  ],
  "profiles": {"quick": {"dataset.subsample": 10000, "seeds": [0]},
               "smoke": {"dataset.subsample": 1000, "seeds": [0], "runs.*.method.phases.*.iters": 50}}
})js",
                       "smoke");
  ASSERT_EQ(s.runs.size(), 8u);
  EXPECT_EQ(s.runs[5].id, "tsne@rho=30,seed=0");
  EXPECT_EQ(s.runs[5].method["phases"][0]["exaggeration"], 30);
  EXPECT_EQ(s.runs[1].method["phases"][0]["exaggeration"], 12);
  EXPECT_EQ(s.runs[1].method["phases"][1]["iters"], 50);
  EXPECT_EQ(s.claims.size(), 1u);
}

TEST(Spec, LoadsFromFileAndReportsFileErrors) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "nebench_spec";
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.json").string();
  std::ofstream(good) << kValid;
  const Spec s = load_spec(good, "smoke");
  EXPECT_EQ(s.file, good);
  EXPECT_EQ(s.dir, dir.string());
  EXPECT_EQ(s.runs.size(), 3u);

  const std::string missing = (dir / "missing.json").string();
  EXPECT_EQ(error_of([&] { load_spec(missing); }),
            missing + ": (root): spec file not found");

  const std::string broken = (dir / "broken.json").string();
  std::ofstream(broken) << "{\n  \"id\": \"a\",\n  \"runs\": [1,]\n}\n";
  const std::string e = error_of([&] { load_spec(broken); });
  EXPECT_EQ(e.rfind(broken + ": (root): line 3, column 14: syntax error", 0),
            0u)
      << e;

  // Over the 4 MB limit: refused before it is parsed.
  const std::string big = (dir / "big.json").string();
  {
    std::ofstream out(big);
    out << "{\"description\": \"" << std::string(kMaxSpecBytes, 'x') << "\"}";
  }
  EXPECT_NE(error_of([&] { load_spec(big); }).find("more than the 4 MB limit"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Spec, SyntaxErrorPositions) {
  EXPECT_EQ(error_of([] {
              parse_spec_text("", "e.json");
            }).rfind("e.json: (root): line 1, column 1: syntax error", 0),
            0u);
  EXPECT_EQ(error_of([] {
              parse_spec_text("{\"a\": 1}\n\n x", "e.json");
            }).rfind("e.json: (root): line 3, column 2: syntax error", 0),
            0u);
  EXPECT_EQ(error_of([] {
              parse_spec_text("{\"a\": [{\"b\": 1}, {\"c\": 1, \"c\": 2}]}",
                              "e.json");
            }),
            "e.json: a[1].c: duplicate key (each key may appear only once in "
            "an object)");
  // A number that overflows a double has no byte offset from the parser:
  // the JSON path names it (tests/bad_inputs/cases/huge_number_overflow).
  EXPECT_EQ(error_of([] {
              parse_spec_text("{\"a\": [1, {\"b\": 1e400}]}", "e.json");
            }).rfind("e.json: a[1].b: invalid JSON: ", 0),
            0u);
}

struct BadCase {
  const char *what;
  std::string text;
  std::vector<std::string> expected; ///< substrings of the error message
  std::string profile = "full";
};

TEST(Spec, MalformedSpecsAreRejectedWithFileAndPath) {
  std::string many = R"({"id": "a", "paper": "norms", "title": "t",
    "dataset": {"name": "d"}, "seeds": [0],
    "runs": [{"name": "r", "sweep": {"a": [)";
  for (int i = 0; i < 101; ++i)
    many += (i ? "," : "") + std::to_string(i);
  many += R"(], "b": [)";
  for (int i = 0; i < 100; ++i)
    many += (i ? "," : "") + std::to_string(i);
  many += R"(]}, "method": {"type": "t", "x": "$a+$b"}}]})";

  const std::vector<BadCase> cases = {
      {"unknown top-level key",
       with("/titel", "x"),
       {"bad.json: titel: unknown key"}},
      {"id with ..",
       with("/id", "spectrum/../x"),
       {"bad.json: id: must not contain \"..\""}},
      {"id with uppercase",
       with("/id", "Spectrum/x"),
       {"bad.json: id: must match ^[a-z0-9_]+(/[a-z0-9_]+)*$"}},
      {"id absolute", with("/id", "/x"), {"bad.json: id: must match"}},
      {"paper not in enum",
       with("/paper", "nature"),
       {"bad.json: paper: must be one of {spectrum, cne"}},
      {"missing title",
       with("/title", removed()),
       {"bad.json: title: required key is missing"}},
      {"title not a string",
       with("/title", 3),
       {"bad.json: title: must be a string, got integer"}},
      {"seeds wrong type",
       with("/seeds", "0"),
       {"bad.json: seeds: must be an array of integers >= 0, got string"}},
      {"negative seed",
       with("/seeds", {0, -1}),
       {"bad.json: seeds[1]: must be an integer >= 0, got -1"}},
      {"fractional seed",
       with("/seeds", {0.5}),
       {"bad.json: seeds[0]: must be an integer >= 0, got 0.5"}},
      {"duplicate seeds",
       with("/seeds", {1, 2, 1}),
       {"bad.json: seeds[2]: duplicate seed 1 (also seeds[0])"}},
      {"empty seeds",
       with("/seeds", json::array()),
       {"bad.json: seeds: must not be empty"}},
      {"duplicate run seeds",
       with("/runs/1/seeds", {3, 3}),
       {"bad.json: runs[1].seeds[1]: duplicate seed 3"}},
      {"empty runs",
       with("/runs", json::array()),
       {"bad.json: runs: must not be empty"}},
      {"runs not an array",
       with("/runs", json::object()),
       {"bad.json: runs: must be an array of runs, got object"}},
      {"duplicate run names",
       with("/runs/1/name", "tsne"),
       {"bad.json: runs[1].name: duplicate run name \"tsne\" (also runs[0])"}},
      {"run name with space",
       with("/runs/1/name", "my run"),
       {"bad.json: runs[1].name: must be an identifier"}},
      {"unknown run key",
       with("/runs/1/sweeps", json::object()),
       {"bad.json: runs[1].sweeps: unknown key"}},
      {"empty sweep list",
       with("/runs/0/sweep/rho", json::array()),
       {"bad.json: runs[0].sweep.rho: must not be empty"}},
      {"sweep value object",
       with("/runs/0/sweep/rho/1", {{"a", 1}}),
       {"bad.json: runs[0].sweep.rho[1]: must be a number or a string, got "
        "object"}},
      {"sweep value with comma",
       with("/runs/0/sweep/rho/1", "a,b"),
       {"bad.json: runs[0].sweep.rho[1]: string sweep values"}},
      {"sweep not a list",
       with("/runs/0/sweep/rho", 4),
       {"bad.json: runs[0].sweep.rho: must be an array"}},
      {"sweep param named seed",
       with("/runs/0/sweep/seed", {1}),
       {"bad.json: runs[0].sweep.seed: \"seed\" is reserved"}},
      {"unused sweep param",
       with("/runs/0/sweep/perp", {5, 50}),
       {"bad.json: runs[0].sweep.perp: is never used: no string in "
        "runs[0].method refers to $perp"}},
      {"repeated sweep value",
       with("/runs/0/sweep/rho", {4, 4.0}),
       {"bad.json: runs[0].sweep: run id \"tsne@rho=4,lr=0.5,seed=0\" "
        "occurs twice"}},
      {"method without type",
       with("/runs/1/method/type", removed()),
       {"bad.json: runs[1].method.type: required key is missing"}},
      {"method type an expression",
       with("/runs/1/method/type", "$m"),
       {"bad.json: runs[1].method.type: must be a method name"}},
      {"method not an object",
       with("/runs/1/method", "umap"),
       {"bad.json: runs[1].method: must be an object"}},
      {"bad expression",
       with("/runs/0/method/phases/0/exaggeration", "max(12,$rho"),
       {"bad.json: runs[0].method.phases[0].exaggeration: expected ')', "
        "found end of expression at position 12 in \"max(12,$rho\" (run "
        "tsne@rho=4,lr=0.5,seed=0)"}},
      {"unknown variable",
       with("/runs/0/method/phases/0/exaggeration", "max(12,$rh)"),
       {"bad.json: runs[0].method.phases[0].exaggeration: unknown variable "
        "$rh",
        "at position 8"}},
      {"division by zero in one combination",
       with("/runs/0/method/phases/1/exaggeration", "1/($rho-30)"),
       {"bad.json: runs[0].method.phases[1].exaggeration: division by zero",
        "(run tsne@rho=30,lr=0.5,seed=0)"}},
      {"string sweep in arithmetic",
       with("/runs/0/sweep/rho", {"a", "b"}),
       {"bad.json: runs[0].method.phases[0].exaggeration: $rho is a string "
        "sweep parameter; it can only stand alone"}},
      {"unknown profile",
       kValid,
       {"bad.json: profiles: unknown profile \"quick\" (this spec defines: "
        "full, smoke)"},
       "quick"},
      {"profile override through missing path",
       with("/profiles/smoke/runs[0].method.phasez.*.iters", 5),
       {"bad.json: profiles.smoke.runs[0].method.phasez.*.iters: component "
        "\"phasez\": no key \"phasez\" in runs[0].method"}},
      {"broken profile found even when not requested",
       with("/profiles/quick", {{"datset.subsample", 5}}),
       {"bad.json: profiles.quick.datset.subsample: component \"datset\""}},
      {"profile not an object",
       with("/profiles/quick", 3),
       {"bad.json: profiles.quick: must be an object"}},
      {"profile sets out-of-range value",
       with("/profiles/smoke/seeds", {-3}),
       {"bad.json: seeds[0]: must be an integer >= 0, got -3"},
       "smoke"},
      {"invalid JSON",
       "{\"id\": \"a\",\n \"paper\": }",
       {"bad.json: (root): line 2, column 11: syntax error"}},
      {"duplicate key",
       "{\"id\": \"a\", \"runs\": [], \"id\": \"b\"}",
       {"bad.json: id: duplicate key"}},
      {"spec not an object",
       "[1, 2]",
       {"bad.json: (root): a spec must be a JSON object, got array"}},
      {"claims not an array",
       with("/claims", {{"id", "x"}}),
       {"bad.json: claims: must be an array of objects, got object"}},
      {"claim not an object",
       with("/claims", {1}),
       {"bad.json: claims[0]: must be an object, got integer"}},
      {"metrics not an array",
       with("/metrics", "knn_recall"),
       {"bad.json: metrics: must be an array of objects, got string"}},
      {"dataset not an object",
       with("/dataset", "mnist"),
       {"bad.json: dataset: must be an object"}},
      {"missing dataset",
       with("/dataset", removed()),
       {"bad.json: dataset: required key is missing"}},
      {"graph not an object",
       with("/graph", json::array()),
       {"bad.json: graph: must be an object, got array"}},
      {"resources out of range",
       with("/resources", {{"threads", 0}}),
       {"bad.json: resources.threads: must be in [1, inf], got 0"}},
      {"resources unknown key",
       with("/resources", {{"cpus", 2}}),
       {"bad.json: resources.cpus: unknown key"}},
      {"report not an object",
       with("/report", json::array()),
       {"bad.json: report: must be an object, got array"}},
      {"report mark on an unswept parameter",
       with("/report",
            {{"marks",
              json::array({{{"param", "c"}, {"value", 1}, {"label", "x"}}})}}),
       {"bad.json: report.marks[0].param: no run sweeps \"c\""}},
      {"report mark without a label",
       with("/report",
            {{"marks", json::array({{{"param", "rho"}, {"value", 1}}})}}),
       {"bad.json: report.marks[0].label"}},
      {"report unknown key",
       with("/report", {{"lines", 1}}),
       {"bad.json: report.lines: unknown key"}},
      {"too many runs",
       many,
       {"bad.json: runs: expands to more than 10000 runs"}},
  };
  ASSERT_GE(cases.size(), 20u);
  for (const auto &c : cases) {
    const std::string e = error_of([&] { parse(c.text, c.profile); });
    EXPECT_FALSE(e.empty()) << c.what << ": accepted";
    for (const auto &sub : c.expected)
      EXPECT_NE(e.find(sub), std::string::npos)
          << c.what << ":\n  error:    " << e << "\n  expected: " << sub;
  }
}

} // namespace
} // namespace nebench
