#include "engine/cli/commands.h"
#include "engine/core/errors.h"
#include "engine/run/runner.h"

#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

namespace nebench::cli {

void add_run(CLI::App &app, const GlobalOptions &g, Action &action) {
  auto *cmd = app.add_subcommand(
      "run", "run a spec and write results/<profile>/<spec id>.h5 (resumes a "
             "partial FILE.tmp)");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("spec", o->spec_path, "spec file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", o->profile, "full, quick or smoke")
      ->capture_default_str();
  cmd->add_option("--out", o->out_path,
                  "result file (default results/<profile>/<spec id>.h5)");
  cmd->add_option("--only", o->only, "run only these run names");
  cmd->add_option("--device", o->device, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_flag("--force", o->force,
                "recompute even if the result is complete");
  cmd->callback([&action, o, &g] {
    action = [o, &g] {
      o->threads = g.threads;
      // Refused before any work: the final rename onto a folder would
      // fail only after every run had finished.
      if (std::error_code ec; !o->out_path.empty() &&
                              std::filesystem::is_directory(o->out_path, ec))
        throw UsageError("--out " + o->out_path +
                         ": is a folder; give the result file's path");
      o->repo_root = resolve_repo_root(o->spec_path);
      o->progress_line = isatty(STDERR_FILENO) && !g.quiet;
      const RunOutcome r = run_spec(*o);
      if (r.interrupted)
        return 130;
      if (!r.up_to_date)
        fmt::print("{}: {} runs ({} ok, {} failed, {} resumed)\n", r.out_path,
                   r.total, r.ok, r.failed, r.resumed);
      for (const auto &c : r.claims)
        fmt::print("  {:<13} {}: {}\n", "[" + c.verdict + "]", c.id,
                   c.explanation);
      return 0;
    };
  });
}

} // namespace nebench::cli
