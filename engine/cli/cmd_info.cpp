#include "engine/cli/commands.h"
#include "engine/cli/info_claims.h"
#include "engine/store/result_file.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

namespace nebench::cli {

namespace {
/// "nebench 0.1.0, faiss 1.7.3, ..." (empty versions left out), as on the
/// site's provenance table.
std::string versions_text(const nlohmann::json &versions) {
  if (!versions.is_object())
    return versions.dump();
  std::string out;
  for (const auto &[k, v] : versions.items()) {
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty()))
      continue;
    out += (out.empty() ? "" : ", ") + k + " " +
           (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

/// The claim table of the site's spec page: verdict counts, then per claim
/// its verdict, id, text, key numbers (the explanation), the reference the
/// check holds it to and, when it did not pass, the spec's caveat.
void print_claims(const std::vector<ClaimResult> &claims) {
  std::map<std::string, int> counts;
  for (const auto &c : claims)
    ++counts[c.verdict];
  std::string tally;
  for (const auto *v : {"pass", "fail", "inconclusive"})
    tally += fmt::format("{}{} {}", tally.empty() ? "" : ", ", counts[v], v);
  const int other = static_cast<int>(claims.size()) - counts["pass"] -
                    counts["fail"] - counts["inconclusive"];
  if (other > 0)
    tally += fmt::format(", {} other", other);
  fmt::print("\nclaims: {}\n", claims.empty() ? "none recorded" : tally);
  for (const auto &c : claims) {
    fmt::print("  {:<14} {}\n", "[" + c.verdict + "]", c.id);
    if (!c.text.empty())
      fmt::print("      {}\n", c.text);
    fmt::print("      key numbers: {}\n", c.explanation);
    fmt::print("      reference:   {}\n", claim_target(c.check));
    if (c.verdict != "pass" && !c.caveat.empty())
      fmt::print("      caveat:      {}\n", c.caveat);
  }
}

int print_info(const std::string &path) {
  ResultFile f = ResultFile::open(path);
  const Provenance p = f.read_provenance();
  fmt::print("{}\n  spec     {} ({}) [{}]\n  title    {}\n  paper    {}\n"
             "  profile  {}\n  status   {}\n",
             path, p.spec_id, p.spec_file, p.profile, p.title, p.paper,
             p.profile, f.status());
  fmt::print("  commit   {}{}\n  host     {}, {} threads, {}\n  started  {}\n",
             p.git_commit, p.git_dirty ? " (dirty)" : "", p.host, p.threads,
             p.device, p.started_utc);
  fmt::print("  versions {}\n", versions_text(p.versions));
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
  print_claims(f.read_claims());

  std::set<std::string> metrics;
  for (const auto &r : rows)
    for (const auto &[m, v] : r.metrics)
      if (m.rfind("norm_", 0) != 0)
        metrics.insert(m);
  double total = 0;
  int failed = 0;
  for (const auto &r : rows) {
    total += std::isfinite(r.wall_seconds) ? r.wall_seconds : 0.0;
    failed += r.status != "ok";
  }
  fmt::print("\nruns: {} ({} ok, {} failed), total wall time {:.1f} s\n",
             rows.size(), rows.size() - failed, failed, total);
  fmt::print("  {:<32} {:>7} {:>8}", "run", "status", "seconds");
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
  if (failed > 0) {
    fmt::print("\nfailed runs:\n");
    for (const auto &r : rows)
      if (r.status != "ok")
        fmt::print("  {} ({}): {}\n", r.run_id, r.status,
                   r.error.empty() ? "(no error text recorded)" : r.error);
  }
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
