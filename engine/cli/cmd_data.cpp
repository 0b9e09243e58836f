#include "datasets/registry.h"
#include "engine/cli/commands.h"
#include "engine/run/plan.h"
#include "engine/run/problem.h"
#include "engine/run/runner.h"
#include "engine/spec/spec.h"
#include "engine/store/npy_writer.h"

#include <chrono>
#include <fmt/format.h>

namespace nebench::cli {

namespace {
int prepare(const std::vector<std::string> &names, bool force) {
  const std::string root = resolve_repo_root(".");
  for (const auto &name : names) {
    const auto t0 = std::chrono::steady_clock::now();
    const Dataset d = prepare_dataset(name, root, force);
    fmt::print(
        "{}: n = {}, d = {}, sha256 {} -> {} ({:.1f} s)\n", name, d.n(), d.d(),
        d.sha256.substr(0, 16), cache_path(root, name),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count());
  }
  return 0;
}

/// Writes a spec's preprocessed data (what its methods embed) as .npy, so
/// that peers run on exactly the same input.
int export_data(const std::string &spec_path, const std::string &profile,
                const std::string &out, const std::string &labels_out) {
  const Plan plan = make_plan(load_spec(spec_path, profile));
  const std::string root = resolve_repo_root(spec_path);
  Dataset d = load_dataset(plan.dataset, root);
  d.X = apply_preprocess(std::move(d.X), plan.dataset.preprocess);
  write_npy(out, d.X);
  if (!labels_out.empty())
    write_npy(labels_out, d.labels);
  fmt::print("{}: {} x {} ({} profile {})\n", out, d.X.rows, d.X.cols,
             plan.spec.id, profile);
  return 0;
}
} // namespace

void add_data(CLI::App &app, const GlobalOptions &, Action &action) {
  auto *cmd = app.add_subcommand("data", "prepare and export datasets");
  cmd->require_subcommand(1);
  auto *prep = cmd->add_subcommand(
      "prepare",
      "verify the sources (sha256) and write datasets/cache/NAME.h5");
  auto names = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  prep->add_option("names", *names, "registered dataset names")->required();
  prep->add_flag("--force", *force, "rebuild the cache even if present");
  prep->callback([&action, names, force] {
    action = [names, force] { return prepare(*names, *force); };
  });

  auto *exp = cmd->add_subcommand(
      "export", "write a spec's preprocessed data as .npy (input for peers)");
  auto spec = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>("full");
  auto out = std::make_shared<std::string>();
  auto labels = std::make_shared<std::string>();
  exp->add_option("spec", *spec, "spec file")
      ->required()
      ->check(CLI::ExistingFile);
  exp->add_option("--profile", *profile, "profile")->capture_default_str();
  exp->add_option("--out", *out, "output .npy (float32 n x d)")->required();
  exp->add_option("--labels", *labels, "also write labels (.npy int32)");
  exp->callback([&action, spec, profile, out, labels] {
    action = [=] { return export_data(*spec, *profile, *out, *labels); };
  });
}

} // namespace nebench::cli
