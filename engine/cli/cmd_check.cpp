#include "engine/cli/commands.h"
#include "engine/core/errors.h"
#include "engine/core/spec_node.h"
#include "engine/spec/spec.h"
#include "engine/store/result_file.h"
#include "metrics/baseline.h"

#include <fmt/format.h>

namespace nebench::cli {

namespace {
/// Claims re-evaluated from the stored summary with the stored spec, so a
/// verdict always follows from the metrics in the file.
std::vector<ClaimResult> recheck_claims(const ResultFile &file) {
  const Provenance prov = file.read_provenance();
  // Ordered parse: sweep keys keep their written order, so run ids match.
  nlohmann::ordered_json resolved =
      parse_spec_text(prov.spec_json, prov.spec_file);
  resolved.erase("profiles"); // already applied when the file was written
  const Spec spec = parse_spec(resolved, prov.spec_file, "full");
  const auto rows = file.read_summary();
  std::vector<ClaimResult> out;
  if (spec.claims.is_array()) {
    SpecNode claims(spec.claims, spec.file, "claims");
    for (std::size_t i = 0; i < claims.size(); ++i)
      out.push_back(evaluate_claim(
          ClaimSpec::from_spec(claims.at(i), spec.run_sweep_params), rows));
  }
  return out;
}
} // namespace

void add_check(CLI::App &app, Action &action) {
  auto *cmd = app.add_subcommand(
      "check", "re-evaluate the claims of a result file and compare its "
               "metrics with a CI baseline");
  auto file = std::make_shared<std::string>();
  auto baseline = std::make_shared<std::string>();
  cmd->add_option("file", *file, "result file (.h5)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--baseline", *baseline,
                  "experiments/baselines/<spec>.json: fail when a metric "
                  "leaves its band")
      ->check(CLI::ExistingFile);
  cmd->callback([&action, file, baseline] {
    action = [file, baseline] {
      ResultFile f = ResultFile::open(*file);
      if (f.status() != "complete")
        throw DataError(*file, "result file is incomplete (status " +
                                   f.status() + "); rerun `nebench run`");
      const auto claims = recheck_claims(f);
      const auto stored = f.read_claims();
      std::map<std::string, std::string> verdicts;
      int mismatched = 0;
      for (const auto &c : claims) {
        verdicts[c.id] = c.verdict;
        fmt::print("{:<14} {}: {}\n", "[" + c.verdict + "]", c.id,
                   c.explanation);
        for (const auto &s : stored)
          if (s.id == c.id && s.verdict != c.verdict) {
            fmt::print(
                stderr,
                "  stored verdict '{}' differs from the recomputed one\n",
                s.verdict);
            ++mismatched;
          }
      }
      if (baseline->empty())
        return mismatched > 0 ? 1 : 0;
      const Baseline expected = load_baseline(*baseline);
      const Provenance prov = f.read_provenance();
      // Another spec's or profile's baseline would fail every row as
      // "run missing"; say what is wrong instead.
      if (expected.spec_id != prov.spec_id || expected.profile != prov.profile)
        throw UsageError("--baseline " + *baseline + ": is for " +
                         expected.spec_id + " [" + expected.profile +
                         "], but " + *file + " holds " + prov.spec_id + " [" +
                         prov.profile + "]");
      const auto rows =
          compare_to_baseline(expected, f.read_summary(), verdicts);
      std::vector<BaselineRow> failures;
      for (const auto &r : rows)
        if (!r.ok)
          failures.push_back(r);
      fmt::print("{}", format_baseline_table(rows));
      if (!failures.empty()) {
        // The failing rows again, last, so that a long table (hundreds of
        // rows for the CNE specs) does not bury them in a CI log.
        fmt::print(stderr,
                   "REGRESSION: {} of {} baseline checks failed for {}:\n{}",
                   failures.size(), rows.size(), *file,
                   format_baseline_table(failures));
        return 1;
      }
      fmt::print("baseline: all {} checks within their bands\n", rows.size());
      return mismatched > 0 ? 1 : 0;
    };
  });
}

} // namespace nebench::cli
