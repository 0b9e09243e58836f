#pragma once
// Where a result came from: git state of the repo, library versions, host,
// UTC timestamps.

#include <nlohmann/json.hpp>
#include <string>

namespace nebench {

struct GitState {
  std::string commit; ///< HEAD, or the commit the binary was built from
  bool dirty = false; ///< uncommitted changes to tracked files
};

GitState git_state(const std::string &repo_root);
nlohmann::json library_versions();
std::string host_name();
std::string utc_now();

} // namespace nebench
