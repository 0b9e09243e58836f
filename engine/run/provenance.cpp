#include "engine/run/provenance.h"

#include "build_info.h"
#include "engine/core/openblas_core_name.h"

#include <H5Cpp.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <faiss/Index.h>
#include <torch/csrc/api/include/torch/version.h>
#include <unistd.h>

namespace nebench {

namespace {
std::string run_command(const std::string &cmd) {
  std::string out;
  FILE *pipe = popen(cmd.c_str(), "r");
  if (!pipe)
    return out;
  std::array<char, 256> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe))
    out += buf.data();
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}
// The kernel set OpenBLAS runs; "none" when no OpenBLAS is loaded.
std::string openblas_core() {
  const std::string core = openblas_core_name();
  return core.empty() ? "none" : core;
}
} // namespace

GitState git_state(const std::string &repo_root) {
  GitState s;
  s.commit =
      run_command("git -C '" + repo_root + "' rev-parse HEAD 2>/dev/null");
  if (s.commit.empty()) {
    s.commit = NEBENCH_BUILD_COMMIT;
    return s;
  }
  s.dirty =
      !run_command("git -C '" + repo_root +
                   "' status --porcelain --untracked-files=no 2>/dev/null")
           .empty();
  return s;
}

nlohmann::json library_versions() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return {{"nebench", NEBENCH_VERSION},
          {"faiss", std::to_string(FAISS_VERSION_MAJOR) + "." +
                        std::to_string(FAISS_VERSION_MINOR) + "." +
                        std::to_string(FAISS_VERSION_PATCH)},
          {"hdf5", std::to_string(maj) + "." + std::to_string(min) + "." +
                       std::to_string(rel)},
          {"torch", TORCH_VERSION},
          {"compiler", NEBENCH_COMPILER},
          {"build_type", NEBENCH_BUILD_TYPE},
          {"openblas_core", openblas_core()}};
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0)
    return "unknown";
  return buf;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace nebench
