#include "engine/spec/spec.h"

#include "engine/core/errors.h"
#include "engine/core/spec_node.h"
#include "engine/spec/expression.h"
#include "engine/spec/profile.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace nebench {

namespace {

using ojson = nlohmann::ordered_json;

const std::vector<std::string> kPapers = {"spectrum", "cne",   "tsimcne",
                                          "medical",  "norms", "graph"};

bool is_identifier(const std::string &s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z'))
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

/// ^[a-z0-9_]+(/[a-z0-9_]+)*$ : the id becomes results/<profile>/<id>.h5, so
/// it must not be able to climb out of results/ or be absolute.
bool is_spec_id(const std::string &s) {
  if (s.empty() || s.front() == '/' || s.back() == '/')
    return false;
  char prev = '/';
  for (char c : s) {
    if (c == '/') {
      if (prev == '/')
        return false;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_')) {
      return false;
    }
    prev = c;
  }
  return true;
}

std::string join_path(const std::string &base, const std::string &key) {
  return base.empty() ? key : base + "." + key;
}

std::string index_path(const std::string &base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

/// "$name" references in an expression string, in order of appearance.
std::vector<std::string> referenced_variables(const std::string &text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$')
      continue;
    std::size_t j = i + 1;
    while (
        j < text.size() &&
        (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
      ++j;
    if (j > i + 1)
      out.push_back(text.substr(i + 1, j - i - 1));
    i = j - 1;
  }
  return out;
}

void collect_references(const json &v, std::set<std::string> &out) {
  if (v.is_string()) {
    for (auto &name : referenced_variables(v.get<std::string>()))
      out.insert(name);
  } else if (v.is_structured()) {
    for (const auto &e : v)
      collect_references(e, out);
  }
}

/// A JSON number with an integral value becomes an integer, so that
/// {"rho": 4.0} and {"rho": 4} are the same run and "$iters" fills an
/// integer field.
json normalize_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9.0e15)
    return json(static_cast<std::int64_t>(d));
  return json(d);
}

json normalize_value(const json &v) {
  if (v.is_number_float())
    return normalize_number(v.get<double>());
  return v;
}

std::vector<std::uint64_t> parse_seeds(const SpecNode &node) {
  const json &a = node.raw();
  if (!a.is_array())
    node.fail("must be an array of integers >= 0, got " + json_type_name(a));
  if (a.empty())
    node.fail("must not be empty");
  std::vector<std::uint64_t> seeds;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const json &e = a[i];
    const std::string p = index_path(node.path(), i);
    std::uint64_t s = 0;
    if (e.is_number_unsigned()) {
      s = e.get<std::uint64_t>();
    } else if (e.is_number_integer()) {
      if (e.get<std::int64_t>() < 0)
        throw SpecError(node.file(), p,
                        "must be an integer >= 0, got " + e.dump());
      s = static_cast<std::uint64_t>(e.get<std::int64_t>());
    } else if (e.is_number_float()) {
      const double d = e.get<double>();
      if (d < 0 || std::floor(d) != d || d > 9.0e15)
        throw SpecError(node.file(), p,
                        "must be an integer >= 0, got " + e.dump());
      s = static_cast<std::uint64_t>(d);
    } else {
      throw SpecError(node.file(), p,
                      "must be an integer >= 0, got " + json_type_name(e));
    }
    for (std::size_t j = 0; j < seeds.size(); ++j)
      if (seeds[j] == s)
        throw SpecError(node.file(), p,
                        "duplicate seed " + std::to_string(s) + " (also " +
                            index_path(node.path(), j) + ")");
    seeds.push_back(s);
  }
  return seeds;
}

/// Characters that would make a run id ambiguous or an invalid HDF5 name.
bool valid_sweep_string(const std::string &s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c == '/' || c == ',' || c == '=' || c == '@' ||
        static_cast<unsigned char>(c) < 0x20)
      return false;
  return true;
}

struct SweepParam {
  std::string name;
  std::vector<json> values; ///< normalized numbers or strings
};

struct RunDecl {
  std::string name;
  std::size_t index = 0;
  std::string method_path;
  json method;
  std::vector<SweepParam> sweep; ///< in the order written
  std::vector<std::uint64_t> seeds;
};

/// Substitutes every $-expression in `v` (found at JSON path `path`).
class Substituter {
public:
  Substituter(const std::string &file, const std::string &run_id,
              const std::map<std::string, double> &numbers,
              const std::map<std::string, std::string> &strings)
      : file_(file), run_id_(run_id), numbers_(numbers), strings_(strings) {}

  json operator()(const json &v, const std::string &path) const {
    if (v.is_string()) {
      const auto &text = v.get_ref<const std::string &>();
      return is_expression(text) ? evaluate(text, path) : v;
    }
    if (v.is_object()) {
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it)
        out[it.key()] = (*this)(it.value(), join_path(path, it.key()));
      return out;
    }
    if (v.is_array()) {
      json out = json::array();
      for (std::size_t i = 0; i < v.size(); ++i)
        out.push_back((*this)(v[i], index_path(path, i)));
      return out;
    }
    return v;
  }

private:
  json evaluate(const std::string &text, const std::string &path) const {
    const std::string where = " in \"" + text + "\" (run " + run_id_ + ")";
    for (const auto &name : referenced_variables(text)) {
      const auto it = strings_.find(name);
      if (it == strings_.end())
        continue;
      if (text == "$" + name)
        return json(it->second);
      throw SpecError(file_, path,
                      "$" + name +
                          " is a string sweep parameter; it can only stand "
                          "alone as \"$" +
                          name + "\"" + where);
    }
    try {
      return normalize_number(evaluate_expression(text, numbers_));
    } catch (const ExpressionError &e) {
      throw SpecError(file_, path, std::string(e.what()) + where);
    }
  }

  const std::string &file_;
  const std::string &run_id_;
  const std::map<std::string, double> &numbers_;
  const std::map<std::string, std::string> &strings_;
};

RunDecl parse_run(const SpecNode &run, const ojson &ordered_run,
                  std::size_t index,
                  const std::vector<std::uint64_t> &top_seeds) {
  RunDecl d;
  d.index = index;
  if (!run.is_object())
    run.fail("must be an object, got " + json_type_name(run.raw()));
  d.name = run.string("name");
  if (!is_identifier(d.name))
    run.fail_at("name", "must be an identifier matching ^[a-z][a-z0-9_]*$, "
                        "got \"" +
                            d.name + "\"");

  const SpecNode method = run.child("method");
  if (!method.is_object())
    method.fail("must be an object with a \"type\", got " +
                json_type_name(method.raw()));
  const std::string type = method.string("type");
  if (!is_identifier(type))
    method.fail_at("type", "must be a method name matching ^[a-z][a-z0-9_]*$ "
                           "(not an expression), got \"" +
                               type + "\"");
  d.method_path = method.path();
  d.method = method.raw();

  std::set<std::string> used;
  collect_references(d.method, used);

  if (const auto sweep = run.optional_child("sweep")) {
    if (!sweep->is_object())
      sweep->fail("must be an object {param: [values]}, got " +
                  json_type_name(sweep->raw()));
    // Keys in the order written (the ordered parse), values from the
    // validated node.
    const ojson &osweep = ordered_run.at("sweep");
    for (auto it = osweep.begin(); it != osweep.end(); ++it) {
      const std::string &key = it.key();
      const SpecNode list = sweep->child(key);
      if (!is_identifier(key))
        list.fail("sweep parameter names must match ^[a-z][a-z0-9_]*$");
      if (key == "seed")
        list.fail("\"seed\" is reserved ($seed is the run's seed; use "
                  "\"seeds\" to list seeds)");
      if (!list.is_array())
        list.fail("must be an array of numbers or strings, got " +
                  json_type_name(list.raw()));
      if (list.size() == 0)
        list.fail("must not be empty");
      SweepParam p;
      p.name = key;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const json &e = list.raw()[i];
        const std::string ep = index_path(list.path(), i);
        if (e.is_string()) {
          if (!valid_sweep_string(e.get<std::string>()))
            throw SpecError(run.file(), ep,
                            "string sweep values must be non-empty and "
                            "contain none of / , = @ (they become part of "
                            "the run id), got " +
                                e.dump());
        } else if (!e.is_number()) {
          throw SpecError(run.file(), ep,
                          "must be a number or a string, got " +
                              json_type_name(e));
        }
        p.values.push_back(normalize_value(e));
      }
      if (!used.count(key))
        list.fail("is never used: no string in " + d.method_path +
                  " refers to $" + key);
      d.sweep.push_back(std::move(p));
    }
  }

  if (const auto seeds = run.optional_child("seeds"))
    d.seeds = parse_seeds(*seeds);
  else
    d.seeds = top_seeds;
  run.finish();
  return d;
}

void expand_run(const RunDecl &d, const std::string &file,
                std::vector<RunSpec> &out) {
  std::vector<std::size_t> at(d.sweep.size(), 0);
  for (;;) {
    std::map<std::string, double> numbers;
    std::map<std::string, std::string> strings;
    json params = json::object();
    std::string label;
    for (std::size_t p = 0; p < d.sweep.size(); ++p) {
      const json &v = d.sweep[p].values[at[p]];
      const std::string &name = d.sweep[p].name;
      params[name] = v;
      label += name + "=" + format_sweep_value(v) + ",";
      if (v.is_string())
        strings[name] = v.get<std::string>();
      else
        numbers[name] = v.get<double>();
    }
    for (std::uint64_t seed : d.seeds) {
      RunSpec r;
      r.name = d.name;
      r.id = d.name + "@" + label + "seed=" + std::to_string(seed);
      r.params = params;
      r.seed = seed;
      r.method_path = d.method_path;
      r.run_index = d.index;
      numbers["seed"] = static_cast<double>(seed);
      r.method =
          Substituter(file, r.id, numbers, strings)(d.method, d.method_path);
      out.push_back(std::move(r));
    }
    // Odometer: the last sweep key varies fastest.
    std::size_t p = d.sweep.size();
    for (;;) {
      if (p == 0)
        return; // every key wrapped (or no sweep): all combinations done
      --p;
      if (++at[p] < d.sweep[p].values.size())
        break;
      at[p] = 0;
    }
  }
}

void validate_resources(const SpecNode &r) {
  if (!r.is_object())
    r.fail("must be an object, got " + json_type_name(r.raw()));
  r.integer("threads", 1, Range::at_least(1));
  r.number("memory_gb", 1.0, Range::positive());
  r.integer("gpus", 0, Range::at_least(0));
  r.number("minutes", 1.0, Range::positive());
  r.finish();
}

/// "report": {"marks": [{"param", "value", "label"}, ...]}: labelled
/// values the report marks on a sweep axis of that parameter (Damrich et
/// al. 2023, Fig. S4 marks Z-bar(UMAP) = n^2 / m, i.e. c = 1). The
/// parameter must be swept by some run (checked once the runs are read).
void validate_report(const SpecNode &r) {
  if (!r.is_object())
    r.fail("must be an object, got " + json_type_name(r.raw()));
  if (const auto marks = r.optional_child("marks")) {
    if (!marks->is_array())
      marks->fail("must be an array of {\"param\", \"value\", \"label\"}, "
                  "got " +
                  json_type_name(marks->raw()));
    for (std::size_t i = 0; i < marks->size(); ++i) {
      const SpecNode m = marks->at(i);
      if (!m.is_object())
        m.fail("must be an object, got " + json_type_name(m.raw()));
      if (m.string("param").empty())
        m.fail_at("param", "must not be empty");
      m.number("value");
      if (m.string("label").empty())
        m.fail_at("label", "must not be empty");
      m.finish();
    }
  }
  r.finish();
}

json array_of_objects(const std::optional<SpecNode> &node) {
  if (!node)
    return json::array();
  if (!node->is_array())
    node->fail("must be an array of objects, got " +
               json_type_name(node->raw()));
  for (std::size_t i = 0; i < node->size(); ++i) {
    const SpecNode e = node->at(i);
    if (!e.is_object())
      e.fail("must be an object, got " + json_type_name(e.raw()));
  }
  return node->raw();
}

/// "profiles" is an object of profile name -> object of overrides.
void check_profiles_shape(const ojson &spec, const std::string &file) {
  if (!spec.contains("profiles"))
    return;
  const ojson &profiles = spec.at("profiles");
  if (!profiles.is_object())
    throw SpecError(file, "profiles",
                    "must be an object {profile name: {path: value}}");
  for (auto it = profiles.begin(); it != profiles.end(); ++it) {
    if (!is_identifier(it.key()))
      throw SpecError(file, "profiles." + it.key(),
                      "profile names must match ^[a-z][a-z0-9_]*$");
    if (!it.value().is_object())
      throw SpecError(file, "profiles." + it.key(),
                      "must be an object of {\"path\": value} overrides");
  }
}

/// Every profile's paths must resolve against the base spec, so that
/// `validate` catches a broken smoke profile even when another profile is
/// loaded. (Values set by other profiles are validated when those profiles
/// are loaded: `nebench validate` loads each of list_profiles().)
void check_profile_paths(const ojson &spec, const std::string &file) {
  if (!spec.contains("profiles"))
    return;
  const ojson &profiles = spec.at("profiles");
  for (auto it = profiles.begin(); it != profiles.end(); ++it) {
    ojson copy = spec;
    apply_profile(copy, it.value(), file, it.key());
  }
}

std::string dir_of(const std::string &file) {
  const std::string d = std::filesystem::path(file).parent_path().string();
  return d.empty() ? "." : d;
}

} // namespace

std::string format_sweep_value(const json &v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return v.dump();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9.0e15)
      return std::to_string(static_cast<std::int64_t>(d));
    // Shortest digits that read back to the same double, in %g style
    // (fixed for 1e-4 <= |d| < 1e6, else scientific): "0.5", "0.0001",
    // "1e-05", "1.5e+07".
    char buf[64];
    const auto r =
        std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general);
    return std::string(buf, r.ptr);
  }
  return v.dump();
}

ojson parse_spec_text(const std::string &text, const std::string &file) {
  // Duplicate keys are legal JSON but almost always a mistake (the second
  // silently wins), so the parse callback tracks each object's keys and the
  // JSON path, to name the duplicate.
  struct Frame {
    bool object = false;
    std::string path;
    std::size_t index = 0;
    std::set<std::string> keys;
    std::string key;
  };
  std::vector<Frame> stack;
  auto child_path = [&]() -> std::string {
    if (stack.empty())
      return "";
    const Frame &f = stack.back();
    return f.object ? join_path(f.path, f.key) : index_path(f.path, f.index);
  };
  auto advance = [&] {
    if (!stack.empty() && !stack.back().object)
      ++stack.back().index;
  };
  const ojson::parser_callback_t callback = [&](int, ojson::parse_event_t event,
                                                ojson &parsed) -> bool {
    switch (event) {
    case ojson::parse_event_t::object_start:
    case ojson::parse_event_t::array_start: {
      Frame f;
      f.object = event == ojson::parse_event_t::object_start;
      f.path = child_path();
      stack.push_back(std::move(f));
      break;
    }
    case ojson::parse_event_t::key: {
      Frame &f = stack.back();
      f.key = parsed.get<std::string>();
      if (!f.keys.insert(f.key).second)
        throw SpecError(file, join_path(f.path, f.key),
                        "duplicate key (each key may appear only once in an "
                        "object)");
      break;
    }
    case ojson::parse_event_t::object_end:
    case ojson::parse_event_t::array_end:
      stack.pop_back();
      advance();
      break;
    case ojson::parse_event_t::value:
      advance();
      break;
    }
    return true;
  };
  try {
    return ojson::parse(text, callback);
  } catch (const ojson::parse_error &e) {
    // e.byte counts the characters read, so the offending one is at
    // e.byte - 1 (0-based).
    const std::size_t pos =
        std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < pos; ++i)
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    const std::size_t column = pos - line_start + 1;
    std::string message = e.what();
    const auto at = message.find("parse error");
    const auto colon = message.find(": ", at == std::string::npos ? 0 : at);
    if (colon != std::string::npos)
      message = message.substr(colon + 2);
    throw SpecError(file, "",
                    "line " + std::to_string(line) + ", column " +
                        std::to_string(column) + ": " + message);
  } catch (const ojson::exception &e) {
    // E.g. a number that overflows a double ("1e400"): no byte offset, but
    // the callback's stack still names the value being read.
    throw SpecError(file, child_path(),
                    std::string("invalid JSON: ") + e.what());
  }
}

std::vector<std::string> list_profiles(const ojson &j) {
  std::vector<std::string> out = {"full"};
  if (j.is_object() && j.contains("profiles") && j["profiles"].is_object())
    for (auto it = j["profiles"].begin(); it != j["profiles"].end(); ++it)
      if (it.key() != "full")
        out.push_back(it.key());
  return out;
}

std::vector<std::string> list_profiles(const json &j) {
  return list_profiles(ojson(j));
}

Spec parse_spec(const json &j, const std::string &file,
                const std::string &profile) {
  return parse_spec(ojson(j), file, profile);
}

Spec parse_spec(const ojson &j, const std::string &file,
                const std::string &profile) {
  if (!j.is_object())
    throw SpecError(file, "",
                    "a spec must be a JSON object, got " +
                        json_type_name(json(j)));
  check_profiles_shape(j, file);
  const bool defined =
      j.contains("profiles") && j.at("profiles").contains(profile);
  if (profile != "full" && !defined) {
    std::string known;
    for (const auto &p : list_profiles(j))
      known += (known.empty() ? "" : ", ") + p;
    throw SpecError(file, "profiles",
                    "unknown profile \"" + profile +
                        "\" (this spec defines: " + known + ")");
  }
  ojson ordered = j;
  if (defined)
    apply_profile(ordered, j.at("profiles").at(profile), file, profile);

  Spec s;
  s.file = file;
  s.dir = dir_of(file);
  s.profile = profile;
  s.resolved = ordered;
  const json resolved(ordered); // SpecNode reads plain json
  SpecNode root(resolved, file);

  s.id = root.string("id");
  if (s.id.find("..") != std::string::npos)
    root.fail_at("id", "must not contain \"..\" (the id becomes "
                       "results/<profile>/<id>.h5), got \"" +
                           s.id + "\"");
  if (!is_spec_id(s.id) || s.id.size() > 200)
    root.fail_at("id", "must match ^[a-z0-9_]+(/[a-z0-9_]+)*$ (at most 200 "
                       "characters), got \"" +
                           s.id + "\"");
  s.paper = root.string("paper", {}, kPapers);
  s.title = root.string("title");
  if (s.title.empty())
    root.fail_at("title", "must not be empty");
  s.description = root.string("description", "");

  const SpecNode dataset = root.child("dataset");
  if (!dataset.is_object())
    dataset.fail("must be an object ({\"name\": ...} or {\"path\": ...}), "
                 "got " +
                 json_type_name(dataset.raw()));
  s.dataset = dataset.raw();

  s.graph = json::object();
  if (const auto graph = root.optional_child("graph")) {
    if (!graph->is_object())
      graph->fail("must be an object, got " + json_type_name(graph->raw()));
    s.graph = graph->raw();
  }

  if (const auto seeds = root.optional_child("seeds"))
    s.seeds = parse_seeds(*seeds);
  else
    s.seeds = {0};

  s.metrics = array_of_objects(root.optional_child("metrics"));
  s.claims = array_of_objects(root.optional_child("claims"));

  s.resources = json::object();
  if (const auto resources = root.optional_child("resources")) {
    validate_resources(*resources);
    s.resources = resources->raw();
  }
  const auto report = root.optional_child("report");
  if (report)
    validate_report(*report);
  root.accept("profiles"); // checked by check_profiles

  const SpecNode runs = root.child("runs");
  if (!runs.is_array())
    runs.fail("must be an array of runs, got " + json_type_name(runs.raw()));
  if (runs.size() == 0)
    runs.fail("must not be empty");
  std::vector<RunDecl> decls;
  std::map<std::string, std::size_t> names;
  std::size_t total = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const SpecNode run = runs.at(i);
    RunDecl d = parse_run(run, ordered.at("runs").at(i), i, s.seeds);
    if (const auto it = names.find(d.name); it != names.end())
      run.fail_at("name", "duplicate run name \"" + d.name + "\" (also " +
                              index_path("runs", it->second) + ")");
    names[d.name] = i;
    // Saturating count: a huge product must not overflow past the check.
    std::size_t count = d.seeds.size();
    for (const auto &p : d.sweep)
      count = std::min(count * p.values.size(), kMaxExpandedRuns + 1);
    total = std::min(total + count, kMaxExpandedRuns + 1);
    auto &params = s.run_sweep_params[d.name];
    for (const auto &p : d.sweep)
      params.insert(p.name);
    decls.push_back(std::move(d));
  }
  root.finish();
  if (report && report->has("marks")) {
    const SpecNode marks = report->child("marks");
    for (std::size_t i = 0; i < marks.size(); ++i) {
      const std::string param = marks.at(i).string("param");
      bool swept = false;
      for (const auto &[run, params] : s.run_sweep_params)
        swept = swept || params.count(param) > 0;
      if (!swept)
        marks.at(i).fail_at("param", "no run sweeps \"" + param + "\"");
    }
  }
  if (total > kMaxExpandedRuns)
    runs.fail("expands to more than " + std::to_string(kMaxExpandedRuns) +
              " runs (sweep combinations x seeds); split the spec or "
              "shorten the sweeps");

  for (const auto &d : decls)
    expand_run(d, file, s.runs);
  std::map<std::string, std::size_t> ids;
  for (const auto &r : s.runs) {
    if (const auto it = ids.find(r.id); it != ids.end())
      throw SpecError(file, index_path("runs", r.run_index) + ".sweep",
                      "run id \"" + r.id +
                          "\" occurs twice (repeated sweep values, e.g. 4 "
                          "and 4.0?)");
    ids[r.id] = r.run_index;
  }
  check_profile_paths(j, file);
  return s;
}

Spec load_spec(const std::string &path, const std::string &profile) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw SpecError(path, "", "spec file not found");
  if (!fs::is_regular_file(st))
    throw SpecError(path, "", "not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec)
    throw SpecError(path, "", "cannot read file size: " + ec.message());
  if (size > kMaxSpecBytes)
    throw SpecError(path, "",
                    "spec file is " + std::to_string(size) +
                        " bytes, more than the 4 MB limit");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw SpecError(path, "", "cannot open spec file");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof())
    throw SpecError(path, "", "error while reading spec file");
  return parse_spec(parse_spec_text(text.str(), path), path, profile);
}

} // namespace nebench
