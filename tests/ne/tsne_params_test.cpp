#include "engine/core/errors.h"
#include "engine/ne/method_registry.h"
#include "engine/ne/tsne_method.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

std::string spec_error(const std::string &method_json) {
  const json j = json::parse(method_json);
  try {
    make_method(SpecNode(j, "s.json", "runs[0].method"));
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(TsneParams, DefaultsFollowOpenTsne) {
  const json j = json::parse(R"({"type": "tsne"})");
  const TsneParams p = TsneParams::from_spec(SpecNode(j, "s.json"));
  EXPECT_EQ(p.affinity.type, "perplexity");
  EXPECT_EQ(p.affinity.perplexity, 30);
  EXPECT_EQ(p.affinity.k, 90);
  EXPECT_EQ(p.init.type, "pca");
  EXPECT_EQ(p.init.std, 1e-4);
  EXPECT_EQ(p.repulsion, "auto");
  EXPECT_EQ(p.theta, 0.5);
  EXPECT_EQ(p.dof, 1.0);
  EXPECT_FALSE(p.learning_rate.has_value());
  EXPECT_EQ(p.max_step_norm, 5.0);
  EXPECT_EQ(p.min_gain, 0.01);
  EXPECT_EQ(p.log_every, 50);
  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(p.phases[0].iters, 250);
  EXPECT_EQ(p.phases[0].exaggeration, 12.0);
  EXPECT_EQ(p.phases[1].momentum, 0.8);
}

TEST(TsneParams, ReadsAFullSpec) {
  const json j = json::parse(R"({
    "type": "tsne",
    "affinity": {"type": "perplexity", "perplexity": 10, "k": 40},
    "init": {"type": "random", "std": 0.01},
    "repulsion": "bh", "theta": 0.8, "dof": 0.5, "learning_rate": 100,
    "max_step_norm": 2, "min_gain": 0.05, "log_every": 10,
    "phases": [{"iters": 10, "exaggeration": 12, "momentum": 0.5},
               {"iters": 20, "exaggeration": 4, "momentum": 0.8,
                "learning_rate": 50}]})");
  const TsneParams p = TsneParams::from_spec(SpecNode(j, "s.json"));
  EXPECT_EQ(p.affinity.k, 40);
  EXPECT_EQ(p.init.type, "random");
  EXPECT_EQ(p.init.std, 0.01);
  EXPECT_EQ(p.repulsion, "bh");
  EXPECT_EQ(p.theta, 0.8);
  EXPECT_EQ(p.dof, 0.5);
  EXPECT_EQ(*p.learning_rate, 100.0);
  EXPECT_EQ(p.log_every, 10);
  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(*p.phases[1].learning_rate, 50.0);
  EXPECT_FALSE(p.phases[0].learning_rate.has_value());

  const json b = json::parse(
      R"({"type": "tsne", "affinity": {"type": "binary_knn"},
          "learning_rate": "auto"})");
  const TsneParams q = TsneParams::from_spec(SpecNode(b, "s.json"));
  EXPECT_EQ(q.affinity.type, "binary_knn");
  EXPECT_EQ(q.affinity.k, 15);
  EXPECT_FALSE(q.learning_rate.has_value());
}

TEST(TsneParams, ErrorsNameTheJsonPath) {
  EXPECT_EQ(spec_error(R"({"type": "tsne", "phases": [
                {"iters": 1, "momentum": 0.5}, {"iters": 1, "momentum": 1.0}]})"),
            "s.json: runs[0].method.phases[1].momentum: must be in [0, 1), "
            "got 1");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "phases": []})"),
            "s.json: runs[0].method.phases: must not be empty");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "phases": {"iters": 1}})"),
            "s.json: runs[0].method.phases: must be a non-empty array of "
            "phase objects, got object");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "perplexity": 30})")
                .rfind("s.json: runs[0].method.perplexity: unknown key", 0),
            0u);
  EXPECT_EQ(spec_error(R"({"type": "tsne", "affinity": {"perplexity": "30"}})"),
            "s.json: runs[0].method.affinity.perplexity: must be a number, got "
            "string");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "affinity": {"perplexity": 1}})"),
      "s.json: runs[0].method.affinity.perplexity: must be in (1, 10000], "
      "got 1");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "phases": [{"iters": 2.5}]})"),
      "s.json: runs[0].method.phases[0].iters: must be an integer, got 2.5");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "phases": [{"exaggeration": 4}]})"),
            "s.json: runs[0].method.phases[0].iters: required key is missing");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "phases": [{"iters": 5, "rho": 4}]})")
          .rfind("s.json: runs[0].method.phases[0].rho: unknown key", 0),
      0u);
  EXPECT_EQ(spec_error(R"({"type": "tsne", "learning_rate": "fast"})"),
            "s.json: runs[0].method.learning_rate: must be one of {auto}, got "
            "\"fast\"");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "learning_rate": true})"),
      "s.json: runs[0].method.learning_rate: must be \"auto\" or a number "
      "> 0, got boolean");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "repulsion": "fast"})"),
            "s.json: runs[0].method.repulsion: must be one of {auto, exact, "
            "bh, fft}, "
            "got \"fast\"");
  EXPECT_EQ(spec_error(R"({"type": "tsne", "theta": 4})"),
            "s.json: runs[0].method.theta: must be in [0, 3], got 4");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "affinity": {"perplexity": 30, "k": 20}})")
          .rfind("s.json: runs[0].method.affinity.k: must be greater than "
                 "the perplexity",
                 0),
      0u);
  EXPECT_EQ(spec_error(R"({"type": "tsne", "init": {"type": "umap"}})"),
            "s.json: runs[0].method.init.type: must be one of {pca, random, "
            "spectral}, got \"umap\"");
  EXPECT_EQ(
      spec_error(R"({"type": "tsne", "affinity": {"type": "graph", "k": 5}})"),
      "s.json: runs[0].method.affinity.k: unknown key (known here: type)");
  EXPECT_EQ(spec_error(R"j({"type": "tsne", "phases": [{"iters": 5,
                "exaggeration": "max(12,$rho)"}]})j"),
            "s.json: runs[0].method.phases[0].exaggeration: must be a number, "
            "got string");
}

TEST(MethodRegistry, DispatchesOnTypeAndListsKnownTypes) {
  const json j = json::parse(R"({"type": "tsne", "affinity": {"k": 60}})");
  const auto m = make_method(SpecNode(j, "s.json", "runs[0].method"));
  EXPECT_EQ(m->type(), "tsne");
  EXPECT_EQ(m->neighbors_needed(), 60);
  const auto types = method_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "tsne"), types.end());
  const std::string err = spec_error(R"({"type": "no_such_method"})");
  EXPECT_EQ(err.rfind("s.json: runs[0].method.type: must be one of {", 0), 0u)
      << err;
  EXPECT_NE(err.find("tsne"), std::string::npos);
  EXPECT_EQ(spec_error(R"({"perplexity": 30})"),
            "s.json: runs[0].method.type: required key is missing");
}

} // namespace
} // namespace nebench
