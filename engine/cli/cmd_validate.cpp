#include "engine/cli/commands.h"
#include "engine/cli/spec_files.h"
#include "engine/run/plan.h"
#include "engine/spec/spec.h"

#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace nebench::cli {

namespace {
/// Validates one spec under the full profile and every profile it defines.
/// A spec that needs a feature this build lacks (MissingFeatureError) is
/// reported as skipped and does not count as invalid.
bool validate_file(const std::string &path) {
  try {
    std::vector<std::string> profiles{"full"};
    {
      std::ifstream in(path);
      const auto j = nlohmann::json::parse(in, nullptr, false);
      if (!j.is_discarded())
        for (const auto &p : list_profiles(j))
          if (p != "full")
            profiles.push_back(p);
    }
    std::string summary;
    std::string id;
    for (const auto &profile : profiles) {
      const Plan plan = make_plan(load_spec(path, profile));
      id = plan.spec.id;
      summary += fmt::format("{}{}: {} runs", summary.empty() ? "" : ", ",
                             profile, plan.runs.size());
    }
    fmt::print("ok     {} ({})\n", id, summary);
    return true;
  } catch (const MissingFeatureError &e) {
    fmt::print("skip   {} ({})\n", path, e.what());
    return true;
  } catch (const SpecError &e) {
    fmt::print(stderr, "error: {}\n", e.what());
  } catch (const NebenchError &e) {
    fmt::print(stderr, "error: {}: {}\n", path, e.what());
  }
  return false;
}
} // namespace

void add_validate(CLI::App &app, Action &action) {
  auto *cmd = app.add_subcommand(
      "validate", "check specs strictly (every profile) without running them");
  auto files = std::make_shared<std::vector<std::string>>();
  auto all = std::make_shared<std::string>();
  cmd->add_option("specs", *files, "spec files");
  cmd->add_option(
      "--all", *all,
      "validate every spec under this directory (e.g. experiments)");
  cmd->callback([&action, files, all] {
    action = [files, all] {
      std::vector<std::string> paths = *files;
      if (!all->empty())
        for (const auto &f : find_spec_files(*all))
          paths.push_back(f);
      if (paths.empty())
        throw UsageError("validate: give spec files or --all DIR");
      int bad = 0;
      for (const auto &p : paths)
        bad += validate_file(p) ? 0 : 1;
      if (bad > 0)
        fmt::print(stderr, "{} of {} specs are invalid\n", bad, paths.size());
      return bad > 0 ? 2 : 0;
    };
  });
}

} // namespace nebench::cli
