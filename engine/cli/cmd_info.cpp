#include "engine/cli/commands.h"
#include "engine/store/result_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nebench::cli {

namespace {
int print_info(const std::string &path) {
  ResultFile f = ResultFile::open(path);
  const Provenance p = f.read_provenance();
  fmt::print("{}\n  spec     {} ({}) [{}]\n  title    {}\n  status   {}\n",
             path, p.spec_id, p.spec_file, p.profile, p.title, f.status());
  fmt::print("  commit   {}{}\n  host     {}, {} threads, {}\n  started  {}\n",
             p.git_commit, p.git_dirty ? " (dirty)" : "", p.host, p.threads,
             p.device, p.started_utc);
  fmt::print("  versions {}\n", p.versions.dump());
  if (f.has_dataset()) {
    const auto d = f.read_dataset();
    fmt::print("  dataset  {}: n = {}, d = {} (raw {}), sha256 {}\n", d.name,
               d.n, d.d, d.d_raw, d.sha256.substr(0, 16));
    if (!d.image_shape.empty())
      fmt::print("           images: {} (pixel max {:g})\n",
                 fmt::join(d.image_shape, " x "), d.pixel_max);
  }
  auto rows = f.read_summary();
  if (rows.empty())
    for (const auto &id : f.run_ids())
      if (f.has_run(id))
        rows.push_back(summary_row_of(f.read_run(id, false)));
  std::set<std::string> metrics;
  for (const auto &r : rows)
    for (const auto &[m, v] : r.metrics)
      if (m.rfind("norm_", 0) != 0)
        metrics.insert(m);
  fmt::print("\n  {:<32} {:>7} {:>8}", "run", "status", "seconds");
  for (const auto &m : metrics)
    fmt::print(" {:>22}", m);
  fmt::print("\n");
  for (const auto &r : rows) {
    fmt::print("  {:<32} {:>7} {:>8.1f}", r.run_id, r.status, r.wall_seconds);
    for (const auto &m : metrics) {
      auto it = r.metrics.find(m);
      if (it == r.metrics.end())
        fmt::print(" {:>22}", "-");
      else
        fmt::print(" {:>22.4f}", it->second);
    }
    fmt::print("\n");
    if (r.status != "ok")
      fmt::print("      error: {}\n", r.error);
  }
  const auto claims = f.read_claims();
  if (!claims.empty())
    fmt::print("\n");
  for (const auto &c : claims)
    fmt::print("  {:<14} {}: {}\n", "[" + c.verdict + "]", c.id, c.explanation);
  return 0;
}
} // namespace

void add_info(CLI::App &app, Action &action) {
  auto *cmd = app.add_subcommand("info", "summarize a result file");
  auto file = std::make_shared<std::string>();
  cmd->add_option("file", *file, "result file (.h5 or partial .h5.tmp)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback(
      [&action, file] { action = [file] { return print_info(*file); }; });
}

} // namespace nebench::cli
