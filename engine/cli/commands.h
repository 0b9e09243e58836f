#pragma once
// The subcommands of the nebench CLI (DESIGN section 5), one file each.

#include <CLI/CLI.hpp>
#include <functional>

namespace nebench::cli {

/// Global options every subcommand sees.
struct GlobalOptions {
  int threads = 0;
  bool verbose = false;
  bool quiet = false;
};

/// Each add_* registers a subcommand and sets `action` to run when chosen;
/// the action returns the process exit code.
using Action = std::function<int()>;

void add_validate(CLI::App &app, Action &action);
void add_run(CLI::App &app, const GlobalOptions &g, Action &action);
void add_check(CLI::App &app, Action &action);
void add_list(CLI::App &app, Action &action);
void add_data(CLI::App &app, const GlobalOptions &g, Action &action);
void add_info(CLI::App &app, Action &action);

} // namespace nebench::cli
