// The runner's checkpoint files (RunContext::checkpoint_path): each run gets
// its own path beside the partial result, an interrupted run finds its
// checkpoint again when the command is repeated, and nothing is left once
// the result is complete. A stand-in method, installed under the hook of the
// engine/torch types, records what the runner gives it.

#include "engine/ne/method_registry.h"
#include "tests/run/spec_run_fixture.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>

namespace nebench {
namespace {

namespace fs = std::filesystem;

/// Paths the stand-in saw, whether its checkpoint existed at the start, and
/// a run to interrupt once.
struct Seen {
  std::vector<std::string> paths;
  std::vector<bool> existed;
  bool interrupt_next = false;
};
Seen &seen() {
  static Seen s;
  return s;
}

/// Writes its checkpoint, then returns the data's first two columns (or
/// throws Interrupted when asked to, after writing the checkpoint).
class CheckpointingMethod : public Method {
public:
  std::string type() const override { return "tsimcne"; }
  int neighbors_needed() const override { return 0; }
  double estimated_bytes(std::int64_t) const override { return 0; }
  MethodOutput run(const Problem &problem, const RunContext &ctx) override {
    seen().paths.push_back(ctx.checkpoint_path);
    seen().existed.push_back(fs::exists(ctx.checkpoint_path));
    std::ofstream(ctx.checkpoint_path) << "state";
    if (seen().interrupt_next) {
      seen().interrupt_next = false;
      throw Interrupted();
    }
    MethodOutput out;
    out.embedding = MatrixD(problem.X->rows, 2);
    for (std::int64_t i = 0; i < problem.X->rows; ++i)
      for (int j = 0; j < 2; ++j)
        out.embedding(i, j) = (*problem.X)(i, j);
    return out;
  }
};

class CheckpointPath : public SpecRunTest {
protected:
  void SetUp() override {
    SpecRunTest::SetUp();
    seen() = Seen{};
    set_torch_method_factory("tsimcne", [](const SpecNode &node) {
      node.finish();
      return std::make_unique<CheckpointingMethod>();
    });
  }
  void TearDown() override {
    set_torch_method_factory("tsimcne", {});
    SpecRunTest::TearDown();
  }
  std::string spec() {
    return write({{"id", "test/checkpoint"},
                  {"paper", "tsimcne"},
                  {"title", "checkpoint paths"},
                  {"dataset",
                   {{"name", "gaussian-mixture"},
                    {"options",
                     {{"n_clusters", 2}, {"n_per_cluster", 20}, {"dim", 3}}}}},
                  {"graph", {{"knn", {{"k", 5}}}}},
                  {"runs",
                   {{{"name", "a"}, {"method", {{"type", "tsimcne"}}}},
                    {{"name", "b"}, {"method", {{"type", "tsimcne"}}}}}},
                  {"seeds", {0, 1}},
                  {"metrics", {{{"type", "knn_recall"}, {"k", 5}}}}},
                 "spec");
  }
};

TEST_F(CheckpointPath, OnePerRunResumedAfterAnInterruptAndRemovedAtTheEnd) {
  const std::string out = (dir_ / "r.h5").string();
  const std::string path = spec();
  seen().interrupt_next = true;
  const RunOutcome first = run(path, out);
  EXPECT_TRUE(first.interrupted);
  ASSERT_EQ(seen().paths.size(), 1u);
  EXPECT_FALSE(seen().existed[0]);
  EXPECT_TRUE(fs::exists(seen().paths[0])); // kept for the resume

  const RunOutcome second = run(path, out);
  EXPECT_FALSE(second.interrupted);
  ASSERT_EQ(seen().paths.size(), 5u); // the interrupted run again + 3 more
  EXPECT_EQ(seen().paths[1], seen().paths[0]);
  EXPECT_TRUE(seen().existed[1]); // the resumed run found its checkpoint
  for (std::size_t i = 2; i < 5; ++i)
    EXPECT_FALSE(seen().existed[i]);
  const std::set<std::string> distinct(seen().paths.begin() + 1,
                                       seen().paths.end());
  EXPECT_EQ(distinct.size(), 4u);
  for (const std::string &p : seen().paths)
    EXPECT_EQ(fs::path(p).parent_path(), fs::path(out + ".ckpt"));
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
  EXPECT_TRUE(fs::exists(out));
}

} // namespace
} // namespace nebench
