// nebench re-executes itself once to give OpenBLAS kernels for this CPU
// (engine/cli/openblas_core.h). OPENBLAS_VERBOSE=2 makes OpenBLAS print the
// core it loads ("Core: X") at every load, so both processes are visible.

#include <array>
#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

/// The "Core: X" names printed by the processes of `env ... nebench
/// --version`, in order.
std::vector<std::string> loaded_cores(const std::string &env) {
  const std::string cmd = "env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 " + env +
                          " " + NEBENCH_BINARY + " --version 2>&1";
  FILE *pipe = popen(cmd.c_str(), "r");
  std::vector<std::string> cores;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), pipe)) {
    std::string line = buf.data();
    if (line.rfind("Core: ", 0) == 0)
      cores.push_back(line.substr(6, line.find_last_not_of("\r\n") - 5));
  }
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0);
  return cores;
}

bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

TEST(OpenblasCore, GenericKernelsAreReplacedOnAvx2Cpus) {
  const auto cores = loaded_cores("");
  if (cores.empty())
    GTEST_SKIP() << "this build loads no OpenBLAS";
  if (cores.front() != "Prescott") {
    // OpenBLAS knew this CPU: one process, nothing to change.
    EXPECT_EQ(cores.size(), 1u);
    return;
  }
  if (!cpu_has_avx2_fma()) {
    EXPECT_EQ(cores.size(), 1u) << "no re-exec without AVX2/FMA";
    return;
  }
  ASSERT_EQ(cores.size(), 2u) << "expected one re-exec";
  __builtin_cpu_init();
  EXPECT_EQ(cores.back(),
            __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell");
}

TEST(OpenblasCore, TheUsersChoiceIsKept) {
  const auto cores = loaded_cores("OPENBLAS_CORETYPE=Prescott");
  if (cores.empty())
    GTEST_SKIP() << "this build loads no OpenBLAS";
  EXPECT_EQ(cores, std::vector<std::string>{"Prescott"});
}

} // namespace
