#include "engine/run/runner.h"

#include "datasets/registry.h"
#include "engine/core/threads.h"
#include "engine/ne/method_registry.h"
#include "engine/run/interrupt.h"
#include "engine/run/problem.h"
#include "engine/run/provenance.h"
#include "engine/spec/spec.h"
#include "metrics/compute_metrics.h"
#include "metrics/cross_run_metrics.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace nebench {

namespace fs = std::filesystem;

std::string resolve_repo_root(const std::string &start) {
  if (const char *env = std::getenv("NEBENCH_ROOT"); env && *env)
    return env;
  const std::string found = find_repo_root(start);
  return found.empty() ? fs::current_path().string() : found;
}

std::string default_result_path(const std::string &repo_root,
                                const std::string &profile,
                                const std::string &spec_id) {
  return (fs::path(repo_root) / "results" / profile / (spec_id + ".h5"))
      .string();
}

namespace {

using clock = std::chrono::steady_clock;

bool wanted(const RunOptions &o, const std::string &name) {
  if (o.only.empty())
    return true;
  for (const auto &n : o.only)
    if (n == name)
      return true;
  return false;
}

/// Progress: one redrawn line on a terminal, a log line every 10% otherwise.
struct ProgressPrinter {
  bool line = false;
  std::string prefix;
  int last_decile = -1;

  void operator()(std::int64_t done, std::int64_t total,
                  const std::string &what) {
    if (total <= 0)
      return;
    if (line) {
      std::fprintf(stderr, "\r%s: %s %lld/%lld   ", prefix.c_str(),
                   what.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total));
      if (done == total)
        std::fprintf(stderr, "\n");
      std::fflush(stderr);
      return;
    }
    const int decile = static_cast<int>(10 * done / total);
    if (decile != last_decile && decile % 2 == 0) {
      last_decile = decile;
      spdlog::info("{}: {} {}/{}", prefix, what, done, total);
    }
  }
};

void check_finite(const MatrixD &y, const char *what = "embedding") {
  for (double v : y.data)
    if (!std::isfinite(v))
      throw NumericalError(std::string("final ") + what +
                           " contains NaN or Inf");
}

/// A file name for a run id ("tsimcne@seed=0"): characters other than
/// letters, digits and ._=- become '_', plus ".ckpt".
std::string file_name_of(const std::string &run_id) {
  std::string name = run_id;
  for (char &ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' &&
        ch != '_' && ch != '=' && ch != '-')
      ch = '_';
  return name + ".ckpt";
}

RunRecord execute_run(const PlannedRun &run, const Plan &plan,
                      const PreparedProblem &problem, RunContext ctx) {
  RunRecord rec;
  rec.id = run.spec.id;
  rec.name = run.spec.name;
  rec.params = run.spec.params;
  rec.seed = run.spec.seed;
  rec.method = run.spec.method;
  rec.started_utc = utc_now();
  const auto t0 = clock::now();
  try {
    ctx.seed = run.spec.seed;
    MethodOutput out = run.method->run(problem.view(), ctx);
    check_finite(out.embedding);
    MetricInput input;
    input.X = &problem.dataset.X;
    input.input_graph = &problem.graph;
    input.affinities = out.affinities ? &*out.affinities : nullptr;
    input.embedding = &out.embedding;
    input.labels = &problem.dataset.labels;
    input.seed = run.spec.seed;
    input.trace = &out.trace;
    if (out.features) {
      check_finite(*out.features, "features");
      input.features = &*out.features;
    }
    input.adjacency = &problem.adjacency;
    if (out.training_rows)
      input.training_rows = &*out.training_rows;
    rec.metrics = compute_metrics(plan.metrics, input);
    rec.embedding = convert<float>(out.embedding);
    rec.trace = std::move(out.trace);
  } catch (const Interrupted &) {
    throw;
  } catch (const std::exception &e) {
    // A failed run is a result: record why, let the others go on.
    rec.status = "failed";
    rec.error = e.what();
    rec.metrics.clear();
    spdlog::error("run {} failed: {}", rec.id, rec.error);
  }
  rec.wall_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return rec;
}

/// Post-pass after all runs: metrics comparing two runs (dcor_to_<run>) are
/// computed from the stored embeddings, added to the summary rows and
/// persisted with each run, so that a resumed file does not recompute them.
void add_cross_run_metrics(const Plan &plan, std::vector<SummaryRow> &rows,
                           ResultFile &file) {
  const CrossRunResult cross =
      compute_cross_run_metrics(plan.metrics, rows, [&](const std::string &id) {
        return file.read_embedding(id);
      });
  for (const auto &w : cross.warnings)
    spdlog::warn("{}", w);
  for (const auto &[id, values] : cross.added)
    file.add_run_metrics(id, values);
  if (!cross.added.empty()) {
    file.flush();
    spdlog::info("cross-run metrics added to {} run(s)", cross.added.size());
  }
}

// The last logged value of a trace column of a stored run (RunValueRef):
// the file holds every finished run, resumed ones included.
double stored_run_value(const ResultFile &file, const std::string &id,
                        const std::string &column) {
  if (!file.has_run(id))
    throw NebenchError("run " + id +
                       " is not stored yet (a run that takes "
                       "a value from it must come later; did --only skip "
                       "it?)");
  const RunRecord rec = file.read_run(id, false);
  if (rec.status != "ok")
    throw NebenchError("run " + id + " failed, so its trace column \"" +
                       column + "\" has no value: " + rec.error);
  const auto it = rec.trace.columns.find(column);
  if (it == rec.trace.columns.end() || it->second.empty()) {
    std::string have;
    for (const auto &[name, values] : rec.trace.columns)
      have += (have.empty() ? "" : ", ") + name;
    throw NebenchError("run " + id + " has no trace column \"" + column +
                       "\" (it has: " + have + ")");
  }
  return it->second.back();
}

bool same_spec(const ResultFile &f, const std::string &spec_json,
               const std::string &profile) {
  try {
    const auto p = f.read_provenance();
    return p.spec_json == spec_json && p.profile == profile;
  } catch (const std::exception &) {
    return false;
  }
}

} // namespace

RunOutcome run_spec(const RunOptions &o) {
  const auto &stop = install_interrupt_handlers();
  set_threads(o.threads);
  // --device places the LibTorch methods (engine/torch registers "cuda"
  // when its LibTorch sees a GPU); native methods always run on the CPU.
  select_method_device(o.device);

  Spec spec = load_spec(o.spec_path, o.profile);
  Plan plan = make_plan(spec);
  std::erase_if(plan.runs,
                [&](const PlannedRun &r) { return !wanted(o, r.spec.name); });
  if (plan.runs.empty())
    throw UsageError("--only: no run of " + o.spec_path + " is named that");

  RunOutcome outcome;
  outcome.total = static_cast<int>(plan.runs.size());
  outcome.out_path = o.out_path.empty()
                         ? default_result_path(o.repo_root, o.profile, spec.id)
                         : o.out_path;
  const std::string tmp_path = outcome.out_path + ".tmp";
  // Checkpoints of long runs (RunContext::checkpoint_path), one file per
  // run, kept only while the result is partial.
  const fs::path checkpoint_dir = outcome.out_path + ".ckpt";
  const std::string spec_json = spec.resolved.dump();

  if (!o.force && fs::exists(outcome.out_path)) {
    try {
      auto done = ResultFile::open(outcome.out_path);
      if (done.status() == "complete" &&
          same_spec(done, spec_json, o.profile)) {
        outcome.up_to_date = true;
        outcome.claims = done.read_claims();
        spdlog::info("{} is complete and matches the spec; nothing to do "
                     "(--force reruns)",
                     outcome.out_path);
        return outcome;
      }
    } catch (const DataError &e) {
      spdlog::warn("{}; it will be replaced", e.what());
    }
  }

  // Resume a partial file of the same spec and profile; otherwise start over.
  std::optional<ResultFile> file;
  if (!o.force && fs::exists(tmp_path)) {
    try {
      ResultFile partial = ResultFile::open(tmp_path, true);
      if (same_spec(partial, spec_json, o.profile)) {
        file.emplace(std::move(partial));
        spdlog::info("resuming {}", tmp_path);
      } else {
        spdlog::warn("{} belongs to another spec or profile; starting over",
                     tmp_path);
      }
    } catch (const DataError &e) {
      spdlog::warn("{}; starting over", e.what());
    }
  }

  RunContext ctx;
  ctx.stop = &stop;
  ProgressPrinter printer{o.progress_line, "prepare"};
  ctx.progress = [&](std::int64_t d, std::int64_t t, const std::string &w) {
    printer(d, t, w);
  };

  PreparedProblem problem =
      prepare_problem(plan, o.repo_root, file ? &*file : nullptr, ctx);

  if (!file) {
    // A new partial file: checkpoints of an abandoned one must not resume.
    fs::remove_all(checkpoint_dir);
    file.emplace(ResultFile::create(tmp_path));
    Provenance prov;
    prov.spec_id = spec.id;
    prov.paper = spec.paper;
    prov.title = spec.title;
    prov.profile = o.profile;
    prov.spec_file = spec.file;
    prov.spec_json = spec_json;
    const auto git = git_state(o.repo_root);
    prov.git_commit = git.commit;
    prov.git_dirty = git.dirty;
    prov.versions = library_versions();
    prov.host = host_name();
    prov.threads = current_threads();
    prov.device = o.device;
    prov.started_utc = utc_now();
    file->write_provenance(prov);
    file->write_dataset(problem.record(plan.dataset));
    // A graph dataset has no kNN graph (its own graph is the input).
    if (!problem.dataset.is_graph())
      file->write_graph(problem.graph, plan.graph.index, problem.graph_seconds);
    file->flush();
  }

  std::vector<SummaryRow> rows;
  int index = 0;
  for (const auto &run : plan.runs) {
    ++index;
    if (file->has_run(run.spec.id)) {
      rows.push_back(summary_row_of(file->read_run(run.spec.id, false)));
      ++outcome.resumed;
      continue;
    }
    printer =
        ProgressPrinter{o.progress_line, "[" + std::to_string(index) + "/" +
                                             std::to_string(outcome.total) +
                                             "] " + run.spec.id};
    spdlog::info("[{}/{}] {}", index, outcome.total, run.spec.id);
    ctx.run_value = [&file, seed = run.spec.seed](const std::string &name,
                                                  const std::string &column) {
      return stored_run_value(*file, name + "@seed=" + std::to_string(seed),
                              column);
    };
    fs::create_directories(checkpoint_dir);
    ctx.checkpoint_path = (checkpoint_dir / file_name_of(run.spec.id)).string();
    RunRecord rec;
    try {
      rec = execute_run(run, plan, problem, ctx);
    } catch (const Interrupted &) {
      outcome.interrupted = true;
      file->flush();
      file->close();
      spdlog::warn("interrupted: {} of {} runs are stored in {}; run the same "
                   "command again to resume",
                   rows.size(), outcome.total, tmp_path);
      return outcome;
    }
    file->write_run(rec);
    fs::remove(ctx.checkpoint_path);
    // Close and reopen so that a crash during the next run cannot damage the
    // runs already written.
    file->close();
    file.emplace(ResultFile::open(tmp_path, true));
    (rec.status == "ok" ? outcome.ok : outcome.failed) += 1;
    rows.push_back(summary_row_of(rec));
    if (rec.status == "ok") {
      std::string line;
      for (const auto &[m, v] : rec.metrics)
        if (m.rfind("norm_", 0) != 0)
          line += fmt::format(" {}={:.4f}", m, v);
      spdlog::info("  {:.1f} s{}", rec.wall_seconds, line);
    }
    if (stop.load()) {
      outcome.interrupted = true;
      file->close();
      spdlog::warn("interrupted after run {}; run the same command to resume",
                   rec.id);
      return outcome;
    }
  }

  add_cross_run_metrics(plan, rows, *file);
  for (const auto &claim : plan.claims)
    outcome.claims.push_back(evaluate_claim(claim, rows));
  file->write_summary(rows);
  file->write_claims(outcome.claims);
  file->set_status("complete", utc_now());
  file->close();
  fs::rename(tmp_path, outcome.out_path);
  fs::remove_all(checkpoint_dir);
  return outcome;
}

} // namespace nebench
