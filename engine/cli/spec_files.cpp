#include "engine/cli/spec_files.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <filesystem>

namespace nebench::cli {

std::vector<std::string> find_spec_files(const std::string &dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir))
    throw UsageError(dir + ": not a directory");
  std::vector<std::string> files;
  for (const auto &e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".json")
      continue;
    const auto rel = fs::relative(e.path(), dir).string();
    if (rel == "schema.json" || rel.rfind("baselines/", 0) == 0)
      continue;
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace nebench::cli
