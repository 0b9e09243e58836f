#include "datasets/registry.h"
#include "engine/cli/commands.h"
#include "engine/cli/spec_files.h"
#include "engine/ne/method_registry.h"
#include "engine/run/runner.h"
#include "engine/spec/spec.h"
#include "metrics/metric_spec.h"

#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nebench::cli {

namespace {
int list(const std::string &what) {
  const std::string root = resolve_repo_root(".");
  if (what == "methods") {
    for (const auto &m : method_types())
      fmt::print("{}\n", m);
  } else if (what == "metrics") {
    // One line per metric type with the stored names it produces (with its
    // defaults; placeholders for a cross-run metric's run and a trace
    // column).
    const std::string run = "<run>";
    for (const std::string &type : metric_types()) {
      json j = {{"type", type}};
      if (type == "distance_correlation_to_run")
        j["run"] = run;
      if (type == "trace_last")
        j["column"] = "COLUMN";
      const auto names =
          metric_names(MetricSpec::from_spec(SpecNode(j, ""), {{run, {}}}));
      fmt::print("{:<28} {}\n", type, fmt::join(names, ", "));
    }
  } else if (what == "datasets") {
    for (const auto &e : registry(root).entries) {
      const bool cached = std::filesystem::exists(cache_path(root, e.name));
      fmt::print("{:<18} {:<11} {:<9} {}\n", e.name, e.kind,
                 e.synthetic() ? "generated" : (cached ? "cached" : "-"),
                 e.description);
    }
  } else {
    for (const auto &f : find_spec_files(root + "/experiments")) {
      try {
        const Spec s = load_spec(f, "full");
        fmt::print("{:<36} {:<9} {}\n", s.id, s.paper, s.title);
      } catch (const SpecError &e) {
        fmt::print("{:<36} {:<9} invalid: {}\n", f, "-", e.what());
      }
    }
  }
  return 0;
}
} // namespace

void add_list(CLI::App &app, Action &action) {
  auto *cmd =
      app.add_subcommand("list", "list methods, metrics, datasets or specs");
  auto what = std::make_shared<std::string>();
  cmd->add_option("what", *what, "methods | metrics | datasets | specs")
      ->required()
      ->check(CLI::IsMember({"methods", "metrics", "datasets", "specs"}));
  cmd->callback([&action, what] { action = [what] { return list(*what); }; });
}

} // namespace nebench::cli
