#include "engine/core/errors.h"
#include "engine/core/spec_node.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(SpecNode, ReadsValuesWithDefaults) {
  const json j = json::parse(R"({"k": 15, "perplexity": 30.5, "name": "tsne",
                                 "on": true, "rhos": [1, 2]})");
  SpecNode n(j, "s.json");
  EXPECT_EQ(n.integer("k"), 15);
  EXPECT_DOUBLE_EQ(n.number("perplexity"), 30.5);
  EXPECT_EQ(n.string("name", {}, {"tsne", "umap"}), "tsne");
  EXPECT_TRUE(n.boolean("on"));
  EXPECT_EQ(n.numbers("rhos").size(), 2u);
  EXPECT_EQ(n.integer("missing", 7), 7);
  n.finish();
}

TEST(SpecNode, ErrorsNameFileAndPath) {
  const json j = json::parse(
      R"({"method": {"k": -1, "x": "a", "phases": [{"iters": 1.5}], "typo": 1}})");
  SpecNode root(j, "spec.json");
  auto m = root.child("method");
  EXPECT_EQ(error_of([&] { m.integer("k", {}, Range::at_least(1)); }),
            "spec.json: method.k: must be in [1, inf], got -1");
  EXPECT_EQ(error_of([&] { m.number("x"); }),
            "spec.json: method.x: must be a number, got string");
  EXPECT_EQ(error_of([&] { m.child("phases").at(0).integer("iters"); }),
            "spec.json: method.phases[0].iters: must be an integer, got 1.5");
  EXPECT_EQ(error_of([&] { m.number("absent"); }),
            "spec.json: method.absent: required key is missing");
  m.accept("k");
  m.accept("x");
  EXPECT_NE(error_of([&] { m.finish(); }).find("method.typo: unknown key"),
            std::string::npos);
  EXPECT_EQ(error_of([&] {
              m.string("x", {}, {"a1", "b"});
            }),
            "spec.json: method.x: must be one of {a1, b}, got \"a\"");
}

} // namespace
} // namespace nebench
