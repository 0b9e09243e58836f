// `nebench info FILE`: the terminal summary of a result file says what the
// report site's spec page says (issue 10): spec, profile, provenance, the
// claim table with verdicts, key numbers and the reference each check holds
// the claim to, the runs with status and time, failed runs with their
// reasons, and the metrics.

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/store/result_file.h"
#include "tests/cli/nebench_process.h"

namespace nebench {
namespace {

/// A small synthetic spec: t-SNE over rho = 1, 4 (one seed, few iterations),
/// a run that fails (its external embedding is missing) and four claims of
/// different check types.
nlohmann::json info_spec() {
  const nlohmann::json tsne_method = {
      {"type", "tsne"},
      {"affinity", {{"type", "perplexity"}, {"perplexity", 10}}},
      {"phases",
       {{{"iters", 40}, {"exaggeration", "max(12,$rho)"}, {"momentum", 0.5}},
        {{"iters", 40}, {"exaggeration", "$rho"}, {"momentum", 0.8}}}}};
  return {
      {"id", "test/info"},
      {"paper", "spectrum"},
      {"title", "Info test"},
      {"dataset",
       {{"name", "gaussian-mixture"},
        {"options", {{"n_clusters", 3}, {"n_per_cluster", 60}, {"dim", 8}}}}},
      {"graph", {{"knn", {{"k", 15}}}}},
      {"runs",
       {{{"name", "tsne"},
         {"sweep", {{"rho", {1, 4}}}},
         {"method", tsne_method}},
        {{"name", "peer"},
         {"method", {{"type", "external"}, {"path", "missing_peer.npy"}}}}}},
      {"seeds", {0}},
      {"metrics",
       {{{"type", "knn_recall"}, {"k", 10}},
        {{"type", "knn_accuracy"}, {"k", 10}}}},
      {"claims",
       {{{"id", "S1-info-monotone"},
         {"text", "recall falls with rho"},
         {"check",
          {{"type", "monotone"},
           {"run", "tsne"},
           {"over", "rho"},
           {"metric", "knn_recall@10"},
           {"direction", "decreasing"},
           {"tolerance", 0.01}}}},
        {{"id", "S1-info-greater"},
         {"text", "recall at rho 1 beats rho 4"},
         {"check",
          {{"type", "greater"},
           {"metric", "knn_recall@10"},
           {"a", {{"run", "tsne"}, {"params", {{"rho", 1}}}}},
           {"b", {{"run", "tsne"}, {"params", {{"rho", 4}}}}},
           {"margin", 0}}}},
        {{"id", "S1-info-within"},
         {"text", "accuracy near one half"},
         {"caveat", "a deliberately loose reference"},
         {"check",
          {{"type", "within"},
           {"run", "tsne"},
           {"params", {{"rho", 1}}},
           {"metric", "knn_accuracy@10"},
           {"reference", 0.5},
           {"tolerance", 0.001}}}},
        {{"id", "S1-info-bound"},
         {"text", "the failed peer has no recall"},
         {"check",
          {{"type", "bound"},
           {"run", "peer"},
           {"metric", "knn_recall@10"},
           {"above", 0.25}}}}}}};
}

bool has(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST(InfoCommand, PrintsTheSpecPageSummary) {
  testing::ScratchDir dir("nebench_info");
  const auto spec = dir.write_json("info", info_spec());
  const auto out = (dir / "info.h5").string();
  const auto run = testing::run_nebench("--threads 1 run " + spec +
                                        " --profile full --out " + out);
  ASSERT_EQ(run.code, 0) << run.output;

  const auto info = testing::run_nebench("info " + out);
  ASSERT_EQ(info.code, 0) << info.output;
  const std::string &o = info.output;

  // Spec, profile and provenance.
  auto f = ResultFile::open(out);
  const auto p = f.read_provenance();
  EXPECT_TRUE(has(o, "spec     test/info")) << o;
  EXPECT_TRUE(has(o, "profile  full")) << o;
  EXPECT_TRUE(has(o, "paper    spectrum")) << o;
  EXPECT_TRUE(has(o, "status   complete")) << o;
  EXPECT_TRUE(has(o, "commit   " + p.git_commit)) << o;
  EXPECT_TRUE(has(o, "1 threads, " + p.device)) << o;
  ASSERT_TRUE(p.versions.contains("faiss"));
  EXPECT_TRUE(has(o, "faiss " + p.versions["faiss"].get<std::string>())) << o;
  EXPECT_TRUE(has(o, "dataset  gaussian-mixture: n = 180")) << o;

  // The claim table: every stored verdict and key numbers, and the reference
  // of each check type.
  const auto claims = f.read_claims();
  ASSERT_EQ(claims.size(), 4u);
  for (const auto &c : claims) {
    EXPECT_TRUE(has(o, "[" + c.verdict + "]")) << c.id << "\n" << o;
    EXPECT_TRUE(has(o, c.id)) << o;
    EXPECT_TRUE(has(o, c.text)) << o;
    EXPECT_TRUE(has(o, "key numbers: " + c.explanation)) << o;
  }
  EXPECT_TRUE(has(o, "claims: ")) << o;
  EXPECT_TRUE(has(o, "reference:   knn_recall@10 decreasing over rho "
                     "(tolerance 0.01)"))
      << o;
  EXPECT_TRUE(has(o, "reference:   knn_recall@10: tsne(rho=1) > tsne(rho=4) "
                     "+ 0"))
      << o;
  EXPECT_TRUE(has(o, "reference:   knn_accuracy@10 = 0.5 +- 0.001")) << o;
  EXPECT_TRUE(has(o, "reference:   knn_recall@10 of peer > 0.25")) << o;
  // The failed peer leaves its bound claim inconclusive, which shows no
  // caveat; the within claim's caveat shows unless it passed.
  for (const auto &c : claims)
    if (c.id == "S1-info-within")
      EXPECT_EQ(has(o, "caveat:      a deliberately loose reference"),
                c.verdict != "pass")
          << o;

  // Runs with status and time, the failed run with its reason, the metrics.
  EXPECT_TRUE(has(o, "runs: 3 (2 ok, 1 failed), total wall time")) << o;
  const auto rows = f.read_summary();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto &r : rows)
    EXPECT_TRUE(has(o, r.run_id)) << o;
  EXPECT_TRUE(has(o, "failed runs:\n  peer@seed=0 (failed): ")) << o;
  EXPECT_TRUE(has(o, "missing_peer.npy")) << o;
  EXPECT_TRUE(has(o, "knn_recall@10")) << o;
  EXPECT_TRUE(has(o, "knn_accuracy@10")) << o;
  char recall[32];
  std::snprintf(recall, sizeof recall, "%.4f",
                rows[0].metrics.at("knn_recall@10"));
  EXPECT_TRUE(has(o, recall)) << o;
}

TEST(InfoCommand, MissingFileFailsNamingIt) {
  const auto r = testing::run_nebench("info /nonexistent/result.h5");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(has(r.output, "/nonexistent/result.h5")) << r.output;
}

} // namespace
} // namespace nebench
