// Interruption stress test of the nebench binary (issue 9): SIGINT and SIGTERM
// at seeded random points of a multi-run spec finish the current write and
// leave a resumable FILE.tmp (exit 130), and resuming after every interrupt
// ends in the same metrics and the same embedding bits as one uninterrupted
// run; SIGKILL during a --force re-run leaves the complete FILE untouched.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "engine/core/rng.h"
#include "engine/store/result_file.h"
#include "tests/cli/nebench_process.h"

namespace nebench {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::start_nebench_run;
using testing::wait_exit;
using Clock = std::chrono::steady_clock;

/// Exit code of an interrupted `nebench run` (README: exit codes).
constexpr int kInterruptedExit = 130;

/// True once the process catches both SIGINT and SIGTERM (SigCgt in
/// /proc/PID/status). A signal that arrives before nebench installed its
/// handlers kills it before it has opened any file; the test is about
/// signals during the work, so it waits for the handlers.
bool handlers_installed(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("SigCgt:", 0) == 0) {
      const std::uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
      const std::uint64_t want =
          (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1));
      return (mask & want) == want;
    }
  return false;
}

/// Waits for the handlers (or for the process to end); false on timeout.
bool wait_for_handlers(pid_t pid) {
  for (int i = 0; i < 30000; ++i) {
    if (handlers_installed(pid))
      return true;
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info,
               WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid)
      return true; // already done; the caller's waitpid reaps it
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

class InterruptStress : public ::testing::Test {
protected:
  void SetUp() override { spec_ = write_spec(); }

  /// Eight short runs of five native methods on 400 synthetic points (about
  /// 2 s with one thread), so that interrupts land in the data preparation,
  /// inside runs, between runs and in the final summary write.
  std::string write_spec() const {
    const nlohmann::json spec = {
        {"id", "test/interrupt_stress"},
        {"paper", "spectrum"},
        {"title", "interrupt stress"},
        {"dataset",
         {{"name", "gaussian-mixture"},
          {"options",
           {{"n_clusters", 4},
            {"n_per_cluster", 100},
            {"dim", 10},
            {"separation", 2.0}}}}},
        {"graph", {{"knn", {{"k", 30}}}}},
        {"runs",
         {{{"name", "tsne"},
           {"sweep", {{"rho", {1, 4, 12}}}},
           {"method",
            {{"type", "tsne"},
             {"affinity", {{"type", "perplexity"}, {"perplexity", 10}}},
             {"phases",
              {{{"iters", 100},
                {"exaggeration", "max(12,$rho)"},
                {"momentum", 0.5}},
               {{"iters", 150},
                {"exaggeration", "$rho"},
                {"momentum", 0.8}}}}}}},
          {{"name", "umap"},
           {"method", {{"type", "umap"}, {"k", 15}, {"epochs", 300}}}},
          {{"name", "cne"},
           {"sweep", {{"loss", {"infonce", "nce"}}}},
           {"method",
            {{"type", "cne"}, {"loss", "$loss"}, {"k", 15}, {"epochs", 150}}}},
          {{"name", "fa2"},
           {"method", {{"type", "fa2"}, {"k", 15}, {"iters", 300}}}},
          {{"name", "le"},
           {"method", {{"type", "laplacian_eigenmaps"}, {"k", 15}}}}}},
        {"seeds", {0}},
        {"metrics",
         {{{"type", "knn_recall"}, {"k", 10}},
          {{"type", "knn_accuracy"}, {"k", 10}}}}};
    return dir_.write_json("stress", spec);
  }

  /// Runs the spec to completion into `out`; returns the seconds it took
  /// (only to place the interrupts, never asserted).
  double run_uninterrupted(const std::string &out, bool force = false) {
    const auto t0 = Clock::now();
    const auto log = (dir_ / "reference.log").string();
    const pid_t pid = start_nebench_run(spec_, out, log, force);
    EXPECT_EQ(wait_exit(pid), 0) << slurp(log);
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

  /// Every run of `b` has the metrics and embedding bits of `a`'s.
  static void expect_same_results(const std::string &a_path,
                                  const std::string &b_path) {
    auto a = ResultFile::open(a_path);
    auto b = ResultFile::open(b_path);
    EXPECT_EQ(b.status(), "complete");
    const auto ra = a.read_summary();
    const auto rb = b.read_summary();
    ASSERT_EQ(ra.size(), rb.size());
    ASSERT_EQ(ra.size(), 8u);
    for (std::size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].run_id, rb[i].run_id);
      EXPECT_EQ(ra[i].metrics, rb[i].metrics) << ra[i].run_id;
      const Matrix ea = a.read_embedding(ra[i].run_id);
      const Matrix eb = b.read_embedding(rb[i].run_id);
      EXPECT_FALSE(ea.data.empty()) << ra[i].run_id;
      EXPECT_EQ(ea.data, eb.data) << ra[i].run_id;
    }
  }

  testing::ScratchDir dir_{"nebench_interrupt"};
  std::string spec_;
};

TEST_F(InterruptStress, RandomInterruptsResumeToTheUninterruptedResult) {
  const auto reference = (dir_ / "reference.h5").string();
  const double seconds = run_uninterrupted(reference);
  ASSERT_TRUE(fs::exists(reference));

  const auto out = (dir_ / "stressed.h5").string();
  const auto tmp = out + ".tmp";
  // Delays uniform in (0, T/4] after the handlers are up: with the runs
  // that finished kept by every interrupted process, successive interrupts
  // walk through the whole spec (preparation, every run, the final write).
  Rng rng(20250609);
  const int wanted_interrupts = 12;
  int interrupts = 0, attempts = 0, completions = 0;
  std::size_t runs_before = 0;
  while (interrupts < wanted_interrupts) {
    ASSERT_LT(attempts, 60)
        << "too many attempts without " << wanted_interrupts << " interrupts";
    const int sig = (attempts % 2 == 0) ? SIGINT : SIGTERM;
    const auto log =
        (dir_ / ("attempt" + std::to_string(attempts) + ".log")).string();
    const bool had_tmp = fs::exists(tmp);
    ++attempts;
    const pid_t pid = start_nebench_run(spec_, out, log, false);
    ASSERT_TRUE(wait_for_handlers(pid)) << slurp(log);
    const double delay = seconds / 4 * (0.02 + 0.98 * rng.uniform());
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    const bool tmp_before_signal = fs::exists(tmp);
    kill(pid, sig);
    bool signaled = false;
    int killed_by = 0;
    const int code = wait_exit(pid, &signaled, &killed_by);
    const std::string text = slurp(log);
    ASSERT_FALSE(signaled) << "killed by signal " << killed_by << "\n" << text;
    if (had_tmp) {
      EXPECT_NE(text.find("resuming"), std::string::npos) << text;
    }

    if (code == 0) {
      // The signal came during the final write, which the runner finishes,
      // or after the end: a complete result, so compare it and start over.
      ++completions;
      EXPECT_FALSE(fs::exists(tmp));
      expect_same_results(reference, out);
      fs::remove(out);
      runs_before = 0;
      continue;
    }
    ASSERT_EQ(code, kInterruptedExit)
        << "signal " << sig << " after " << delay << " s\n"
        << text;
    ++interrupts;
    EXPECT_FALSE(fs::exists(out)) << "complete file after an interrupt";
    if (tmp_before_signal) {
      ASSERT_TRUE(fs::exists(tmp)) << text;
    }
    if (fs::exists(tmp)) {
      // Readable, marked partial, and no finished run was lost.
      auto partial = ResultFile::open(tmp);
      EXPECT_EQ(partial.status(), "partial");
      const std::size_t runs_now = partial.run_ids().size();
      EXPECT_GE(runs_now, runs_before) << text;
      runs_before = runs_now;
    }
  }

  const pid_t pid =
      start_nebench_run(spec_, out, (dir_ / "final.log").string(), false);
  ASSERT_EQ(wait_exit(pid), 0) << slurp((dir_ / "final.log").string());
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_FALSE(fs::exists(out + ".ckpt"));
  expect_same_results(reference, out);
  std::printf("%d interrupts (SIGINT/SIGTERM alternating), %d completions "
              "during the final write, %d attempts; uninterrupted run %.1f s\n",
              interrupts, completions, attempts, seconds);
}

TEST_F(InterruptStress, KillDuringForcedRerunLeavesTheCompleteFileUntouched) {
  const auto out = (dir_ / "complete.h5").string();
  const double seconds = run_uninterrupted(out);
  const std::string before = slurp(out);
  ASSERT_FALSE(before.empty());

  Rng rng(7);
  int kills = 0;
  for (int attempt = 0; kills < 3; ++attempt) {
    ASSERT_LT(attempt, 12);
    const auto log =
        (dir_ / ("kill" + std::to_string(attempt) + ".log")).string();
    const pid_t pid = start_nebench_run(spec_, out, log, true);
    // Anywhere from start-up to most of the way through the runs.
    const double delay = seconds * (0.02 + 0.7 * rng.uniform());
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      // It finished first and replaced FILE (legitimately): put it back.
      std::ofstream(out, std::ios::binary) << before;
      continue;
    }
    kill(pid, SIGKILL);
    bool signaled = false;
    int killed_by = 0;
    wait_exit(pid, &signaled, &killed_by);
    if (!signaled) {
      std::ofstream(out, std::ios::binary) << before;
      continue;
    }
    ASSERT_EQ(killed_by, SIGKILL);
    ++kills;
    ASSERT_TRUE(fs::exists(out)) << "after kill -9 at " << delay << " s";
    EXPECT_TRUE(slurp(out) == before)
        << "FILE changed by kill -9 at " << delay << " s";
  }
  // The file is still the complete result: a plain run finds it up to date
  // (and leaves it as it is), and a forced run over the stale FILE.tmp of
  // a killed process completes.
  const auto up_to_date = (dir_ / "up_to_date.log").string();
  ASSERT_EQ(wait_exit(start_nebench_run(spec_, out, up_to_date, false)), 0)
      << slurp(up_to_date);
  EXPECT_NE(slurp(up_to_date).find("nothing to do"), std::string::npos)
      << slurp(up_to_date);
  EXPECT_TRUE(slurp(out) == before);
  const auto again = (dir_ / "again.h5").string();
  fs::copy_file(out, again);
  run_uninterrupted(out, true);
  expect_same_results(again, out);
}

} // namespace
} // namespace nebench
