#pragma once
// Finding the spec files of a repository (experiments/**/*.json without the
// schema and the CI baselines).

#include <string>
#include <vector>

namespace nebench::cli {

std::vector<std::string> find_spec_files(const std::string &dir);

} // namespace nebench::cli
