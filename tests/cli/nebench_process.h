#pragma once
// What the end-to-end tests of the nebench binary share: running it (to
// completion through a shell, or in the background with a log for signal
// tests) and a scratch folder per test.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace nebench::testing {

struct ProcessResult {
  int code = -1;      ///< exit status, -1 when killed by a signal
  std::string output; ///< stdout and stderr together
};

/// Runs `NEBENCH_BINARY args` through the shell and waits for it.
inline ProcessResult run_nebench(const std::string &args) {
  const std::string cmd = std::string(NEBENCH_BINARY) + " " + args + " 2>&1";
  ProcessResult r;
  FILE *pipe = popen(cmd.c_str(), "r");
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), pipe))
    r.output += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Starts `nebench --threads 1 run SPEC --profile full --out OUT [--force]`
/// in the background, stderr to `log` and stdout to /dev/null.
inline pid_t start_nebench_run(const std::string &spec, const std::string &out,
                               const std::string &log, bool force = false) {
  const pid_t pid = fork();
  if (pid != 0)
    return pid;
  if (!freopen(log.c_str(), "w", stderr) || !freopen("/dev/null", "w", stdout))
    _exit(127);
  std::vector<const char *> argv = {NEBENCH_BINARY, "--threads",  "1",
                                    "run",          spec.c_str(), "--profile",
                                    "full",         "--out",      out.c_str()};
  if (force)
    argv.push_back("--force");
  argv.push_back(nullptr);
  execv(NEBENCH_BINARY, const_cast<char *const *>(argv.data()));
  _exit(127);
}

/// Exit status of `pid` once it ends, -1 when a signal killed it.
inline int wait_exit(pid_t pid, bool *signaled = nullptr,
                     int *signal = nullptr) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (signaled)
    *signaled = WIFSIGNALED(status);
  if (signal)
    *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A fresh folder for the current test, named after it, with NEBENCH_ROOT
/// set to the repository; removed afterwards unless the test failed (kept
/// for a look).
class ScratchDir {
public:
  explicit ScratchDir(const std::string &prefix) {
    std::string test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char &c : test)
      if (c == '/')
        c = '_'; // parameterized tests: "Name/1threads"
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(::getpid()) + "_" + test);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    setenv("NEBENCH_ROOT", NEBENCH_SOURCE_DIR, 1);
  }
  ~ScratchDir() {
    if (!::testing::Test::HasFailure())
      std::filesystem::remove_all(path_);
  }
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  const std::filesystem::path &path() const { return path_; }
  std::filesystem::path operator/(const std::string &name) const {
    return path_ / name;
  }

  /// Writes `spec` as NAME.json; returns its path.
  std::string write_json(const std::string &name,
                         const nlohmann::json &spec) const {
    const auto file = path_ / (name + ".json");
    std::ofstream(file) << spec.dump(1);
    return file.string();
  }

private:
  std::filesystem::path path_;
};

} // namespace nebench::testing
