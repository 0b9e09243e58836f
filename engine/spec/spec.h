#pragma once
// A spec file (experiments/<paper>/<name>.json, DESIGN section 3) parsed
// strictly: the top level and every run are checked here; the sub-objects
// owned by other parts of the engine (dataset, graph, metrics, claims, the
// method parameters) are handed on raw and validated by their owners'
// from_spec() functions. Each run's sweep is expanded (Cartesian product of
// its lists, in the order written, times the seeds) and the $-expressions in
// its method are evaluated per combination, so a RunSpec's method holds only
// plain values.
//
// Key order: files are parsed as nlohmann::ordered_json so that sweep keys
// (and profile overrides) keep the order written. `resolved` is an
// ordered_json too: it is what results store as spec_json, and re-parsing it
// (parse_spec_text + parse_spec, e.g. for `nebench check`) must give the same
// run ids, which follow the sweep key order. The other public JSON fields are
// plain nlohmann::json (keys sorted), as SpecNode reads them.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace nebench {

/// Hard limits that keep a typo from launching a runaway job.
constexpr std::size_t kMaxExpandedRuns = 10000;
constexpr std::uintmax_t kMaxSpecBytes = 4u * 1024u * 1024u;

/// One concrete run: a spec run with one sweep combination and one seed.
struct RunSpec {
  /// "<name>@<param>=<value>,...,seed=<s>" or "<name>@seed=<s>", e.g.
  /// "tsne@rho=4,seed=0" (results layout: /runs/<id>).
  std::string id;
  std::string name;       ///< the run's name in the spec
  nlohmann::json params;  ///< this run's sweep values, e.g. {"rho": 4}
  std::uint64_t seed = 0; ///< the run's seed ($seed in expressions)
  /// The method object with every $-expression replaced by its value.
  nlohmann::json method;
  /// JSON path of the method in the spec ("runs[0].method"), for errors.
  std::string method_path;
  std::size_t run_index = 0; ///< index into the spec's "runs"
};

struct Spec {
  std::string file;    ///< the spec file as given
  std::string dir;     ///< its directory ("." if none): dataset paths
                       ///< are relative to it
  std::string profile; ///< the profile applied ("full", "quick", ...)
  std::string id;      ///< e.g. "spectrum/fmnist_exaggeration"
  std::string paper;   ///< spectrum | cne | tsimcne | medical | norms |
                       ///< graph
  std::string title;
  std::string description; ///< "" when absent
  /// The whole spec after the profile was applied, in the order written
  /// (stored with results as spec_json).
  nlohmann::ordered_json resolved;
  /// Raw sub-objects, validated by their owners. Absent graph/resources are
  /// empty objects, absent metrics/claims empty arrays.
  nlohmann::json dataset, graph, metrics, claims, resources;
  std::vector<std::uint64_t> seeds; ///< top-level seeds (default [0])
  /// Expanded: run x sweep combination x seed, in spec order (the last
  /// sweep key varies fastest, the seed fastest of all).
  std::vector<RunSpec> runs;
  /// Run name -> its sweep parameter names (empty set when not swept).
  std::map<std::string, std::set<std::string>> run_sweep_params;
};

/// Reads, parses and validates a spec file with a profile applied.
/// Throws SpecError (file missing or over kMaxSpecBytes, JSON syntax error as
/// "FILE: line L, column C: ...", duplicate key, or any rule violation).
Spec load_spec(const std::string &path, const std::string &profile = "full");

/// Parses JSON text (as read from `file`) with key order kept; syntax errors
/// are SpecError(file, "", "line L, column C: <parser message>"), duplicate
/// object keys SpecError(file, <path of the key>, "duplicate key").
nlohmann::ordered_json parse_spec_text(const std::string &text,
                                       const std::string &file);

/// Validates and expands an already parsed spec. The ordered overload keeps
/// the written order of sweep keys and profile overrides; with plain
/// nlohmann::json they are taken in sorted key order, so run ids of specs
/// with several sweep keys can differ: to re-read a stored spec_json use
/// parse_spec(parse_spec_text(spec_json, file), file, "full").
Spec parse_spec(const nlohmann::json &j, const std::string &file,
                const std::string &profile);
Spec parse_spec(const nlohmann::ordered_json &j, const std::string &file,
                const std::string &profile);

/// "full" followed by every other profile the spec defines.
std::vector<std::string> list_profiles(const nlohmann::json &j);
std::vector<std::string> list_profiles(const nlohmann::ordered_json &j);

/// A sweep value as written in run ids: integers (also 4.0) without a
/// fraction, other numbers in shortest round-trip form ("0.5", "1e-05"),
/// strings as-is.
std::string format_sweep_value(const nlohmann::json &value);

} // namespace nebench
