#include "metrics/claim_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <regex>

namespace nebench {

using json = nlohmann::json;

// ---------------------------------------------------------------------------
// Parsing

namespace {

std::string join(const std::set<std::string> &names) {
  std::string out;
  for (const auto &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::string read_run(const SpecNode &node,
                     const std::map<std::string, std::set<std::string>> &runs) {
  const std::string run = node.string("run");
  if (!runs.count(run)) {
    std::set<std::string> names;
    for (const auto &[name, params] : runs)
      names.insert(name);
    node.fail_at("run",
                 "unknown run \"" + run + "\" (runs: " + join(names) + ")");
  }
  return run;
}

std::string
read_over(const SpecNode &node, const std::string &run,
          const std::map<std::string, std::set<std::string>> &runs) {
  const std::string over = node.string("over");
  const auto &swept = runs.at(run);
  if (!swept.count(over))
    node.fail_at("over", "\"" + over + "\" is not a sweep parameter of run \"" +
                             run + "\" (swept: " + join(swept) + ")");
  return over;
}

json read_params(const SpecNode &node, const std::string &run,
                 const std::map<std::string, std::set<std::string>> &runs) {
  const auto p = node.optional_child("params");
  if (!p)
    return json::object();
  if (!p->is_object())
    p->fail("must be an object of sweep values, got " +
            json_type_name(p->raw()));
  const auto &swept = runs.at(run);
  for (auto it = p->raw().begin(); it != p->raw().end(); ++it) {
    if (!swept.count(it.key()))
      p->fail_at(it.key(), "\"" + it.key() +
                               "\" is not a sweep parameter of run \"" + run +
                               "\" (swept: " + join(swept) + ")");
    if (!it.value().is_number() && !it.value().is_string())
      p->fail_at(it.key(), "must be a number or a string, got " +
                               json_type_name(it.value()));
  }
  return p->raw();
}

std::string read_metric(const SpecNode &node) {
  const std::string metric = node.string("metric");
  if (metric.empty())
    node.fail_at("metric", "must not be empty");
  return metric;
}

/// {run, params?} or, with `metric` given, {run, params?, metric}.
ClaimSelection
read_selection(const SpecNode &node,
               const std::map<std::string, std::set<std::string>> &runs,
               std::string *metric = nullptr) {
  if (!node.is_object())
    node.fail(std::string("must be an object {run, params") +
              (metric ? ", metric" : "") + "}, got " +
              json_type_name(node.raw()));
  ClaimSelection s;
  s.run = read_run(node, runs);
  s.params = read_params(node, s.run, runs);
  if (metric)
    *metric = read_metric(node);
  s.best = node.boolean("best", false);
  node.finish();
  return s;
}

/// One end of argmax_in's range: a number or {run, metric} of an unswept
/// run (its seed mean is one number only when the run has one row per seed).
ClaimBound
read_bound(const SpecNode &node,
           const std::map<std::string, std::set<std::string>> &runs) {
  ClaimBound b;
  if (node.raw().is_number()) {
    b.value = node.raw().get<double>();
    return b;
  }
  if (!node.is_object())
    node.fail("must be a number or {\"run\": NAME, \"metric\": M}, got " +
              json_type_name(node.raw()));
  b.run = read_run(node, runs);
  const auto &swept = runs.at(b.run);
  if (!swept.empty())
    node.fail_at("run", "run \"" + b.run + "\" is swept (over " + join(swept) +
                            "); a range end must refer to an unswept run (one "
                            "value per seed)");
  b.metric = read_metric(node);
  node.finish();
  return b;
}

/// "range": [lo, hi] of two plain numbers, lo <= hi (ratio_in, slope).
void read_number_range(const SpecNode &chk, ClaimSpec &c) {
  const auto range = chk.numbers("range");
  if (range.size() != 2)
    chk.fail_at("range", "must be [lo, hi], got " +
                             std::to_string(range.size()) + " numbers");
  c.lo = range[0];
  c.hi = range[1];
  if (c.lo > c.hi)
    chk.fail_at("range", "lo must be <= hi");
}

} // namespace

ClaimSpec
ClaimSpec::from_spec(const SpecNode &node,
                     const std::map<std::string, std::set<std::string>> &runs) {
  ClaimSpec c;
  c.id = node.string("id");
  // The id names an HDF5 group (/claims/<id>) and must trace to a CLAIMS.md
  // label; same pattern as experiments/schema.json.
  static const std::regex id_pattern("^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9_]+)*$");
  if (!std::regex_match(c.id, id_pattern))
    node.fail_at("id", "must start with a claim label such as \"S1\" and "
                       "continue with -word parts (letters, digits, '_'), "
                       "got \"" +
                           c.id + "\"");
  c.text = node.string("text");
  if (c.text.empty())
    node.fail_at("text", "must not be empty");
  if (node.has("caveat")) {
    c.caveat = node.string("caveat");
    if (c.caveat.empty())
      node.fail_at("caveat", "must not be empty (leave the key out instead)");
  }
  const SpecNode chk = node.child("check");
  if (!chk.is_object())
    chk.fail("must be an object, got " + json_type_name(chk.raw()));
  c.check = chk.raw();
  c.type = chk.string("type", std::nullopt,
                      {"monotone", "greater", "argmax_in", "within", "ratio_in",
                       "close", "slope", "bound"});
  if (c.type != "ratio_in") // ratio_in names a metric per side
    c.metric = read_metric(chk);
  if (c.type != "greater" && chk.has("paired"))
    chk.fail_at("paired", "only for check type \"greater\" (a paired "
                          "comparison of two runs over their seeds), not \"" +
                              c.type + "\"");

  if (c.type == "monotone") {
    c.target.run = read_run(chk, runs);
    c.over = read_over(chk, c.target.run, runs);
    c.direction =
        chk.string("direction", std::nullopt, {"increasing", "decreasing"});
    c.tolerance = chk.number("tolerance", 0.0, Range::at_least(0));
  } else if (c.type == "greater") {
    c.a = read_selection(chk.child("a"), runs);
    c.b = read_selection(chk.child("b"), runs);
    c.margin = chk.number("margin", 0.0, Range::at_least(0));
    c.paired = chk.boolean("paired", false);
  } else if (c.type == "argmax_in") {
    c.target.run = read_run(chk, runs);
    c.over = read_over(chk, c.target.run, runs);
    const SpecNode range = chk.child("range");
    if (!range.is_array() || range.size() != 2)
      range.fail("must be [lo, hi], two numbers or {\"run\", \"metric\"} "
                 "references, got " +
                 (range.is_array() ? std::to_string(range.size()) + " elements"
                                   : json_type_name(range.raw())));
    for (std::size_t i = 0; i < 2; ++i)
      c.range[i] = read_bound(range.at(i), runs);
    // Two references may come in either order (which Z is larger is what
    // the run measures); two numbers are written in order.
    if (c.range[0].run.empty() && c.range[1].run.empty() &&
        c.range[0].value > c.range[1].value)
      chk.fail_at("range", "lo must be <= hi");
    c.slack_steps =
        static_cast<int>(chk.integer("slack_steps", 0, Range::closed(0, 1e6)));
  } else if (c.type == "ratio_in") {
    c.a = read_selection(chk.child("a"), runs, &c.metric_a);
    c.b = read_selection(chk.child("b"), runs, &c.metric_b);
    read_number_range(chk, c);
  } else if (c.type == "slope") {
    c.target.run = read_run(chk, runs);
    c.over = read_over(chk, c.target.run, runs);
    c.log_axes = chk.boolean("log", true);
    read_number_range(chk, c);
  } else if (c.type == "close") {
    c.a = read_selection(chk.child("a"), runs);
    c.b = read_selection(chk.child("b"), runs);
    c.tolerance = chk.number("tolerance", std::nullopt, Range::at_least(0));
  } else if (c.type == "bound") {
    c.target.run = read_run(chk, runs);
    c.target.params = read_params(chk, c.target.run, runs);
    if (chk.has("above") == chk.has("below"))
      chk.fail("needs exactly one of \"above\" and \"below\" (the "
               "threshold the metric's mean must clear)");
    c.above = chk.has("above");
    c.threshold = chk.number(c.above ? "above" : "below");
  } else { // within
    c.target.run = read_run(chk, runs);
    c.target.params = read_params(chk, c.target.run, runs);
    c.reference = chk.number("reference");
    c.tolerance = chk.number("tolerance", std::nullopt, Range::at_least(0));
  }
  chk.finish();
  node.finish();
  return c;
}

// ---------------------------------------------------------------------------
// Evaluation

namespace {

constexpr double kRelTol = 1e-12;

bool same_number(double a, double b) {
  return a == b ||
         std::fabs(a - b) <= kRelTol * std::max(std::fabs(a), std::fabs(b));
}

bool params_match(const json &have, const json &want) {
  for (auto it = want.begin(); it != want.end(); ++it) {
    if (!have.is_object() || !have.contains(it.key()))
      return false;
    const json &h = have.at(it.key());
    if (it.value().is_number() && h.is_number()) {
      if (!same_number(h.get<double>(), it.value().get<double>()))
        return false;
    } else if (it.value().is_string() && h.is_string()) {
      if (h != it.value())
        return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string fmt(double v, const char *f = "%.3g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string fmt_value(const json &v) {
  return v.is_number() ? fmt(v.get<double>(), "%.6g") : v.get<std::string>();
}

std::string describe(const ClaimSelection &s) {
  std::string p;
  for (auto it = s.params.begin(); it != s.params.end(); ++it)
    p += (p.empty() ? "" : ",") + it.key() + "=" + fmt_value(it.value());
  if (s.best)
    p += std::string(p.empty() ? "" : ",") + "best setting";
  return p.empty() ? s.run : s.run + "(" + p + ")";
}

struct Stats {
  int n = 0;
  double mean = 0; ///< mean over rows (seeds)
  double sd = 0;   ///< sample standard deviation, 0 with one row
};

Stats stats_of(const std::vector<double> &xs) {
  Stats s;
  s.n = static_cast<int>(xs.size());
  if (s.n == 0)
    return s;
  for (double x : xs)
    s.mean += x;
  s.mean /= s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double x : xs)
      ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / (s.n - 1));
  }
  return s;
}

/// 2 sqrt(sd_a^2 + sd_b^2): the seed spread of a difference of two means.
double spread(const Stats &a, const Stats &b) {
  return 2.0 * std::sqrt(a.sd * a.sd + b.sd * b.sd);
}
bool has_spread(const Stats &a, const Stats &b) { return a.n >= 2 && b.n >= 2; }

/// The finite metric value of a usable row, or the reason it is excluded.
std::optional<double> usable(const SummaryRow &row, const std::string &metric,
                             json &excluded) {
  if (row.status != "ok") {
    excluded.push_back(
        {{"run_id", row.run_id},
         {"reason",
          "run " + row.status + (row.error.empty() ? "" : ": " + row.error)}});
    return std::nullopt;
  }
  const auto it = row.metrics.find(metric);
  if (it == row.metrics.end() || !std::isfinite(it->second)) {
    excluded.push_back({{"run_id", row.run_id},
                        {"reason", it == row.metrics.end()
                                       ? "metric " + metric + " missing"
                                       : "metric " + metric + " not finite"}});
    return std::nullopt;
  }
  return it->second;
}

/// One valid value of a metric and the seed of its row.
struct SeedValue {
  std::uint64_t seed = 0;
  double value = 0;
};

/// Valid values of `metric` of the rows a selection picks, with their seeds,
/// in row order.
std::vector<SeedValue> select_rows(const ClaimSelection &sel,
                                   const std::vector<SummaryRow> &rows,
                                   const std::string &metric, json &excluded) {
  std::vector<SeedValue> out;
  // "best": the matching sweep setting (params) with the highest seed mean,
  // the first in row order on ties.
  std::string best;
  if (sel.best) {
    std::map<std::string, std::pair<double, int>> sums; // params -> sum, n
    std::vector<std::string> order;
    json ignored = json::array();
    for (const auto &row : rows)
      if (row.run_name == sel.run && params_match(row.params, sel.params))
        if (auto v = usable(row, metric, ignored)) {
          const std::string key = row.params.dump();
          if (!sums.count(key))
            order.push_back(key);
          sums[key].first += *v;
          sums[key].second += 1;
        }
    double top = -std::numeric_limits<double>::infinity();
    for (const auto &key : order) {
      const double mean = sums[key].first / sums[key].second;
      if (mean > top) {
        top = mean;
        best = key;
      }
    }
  }
  for (const auto &row : rows)
    if (row.run_name == sel.run && params_match(row.params, sel.params) &&
        (!sel.best || row.params.dump() == best))
      if (auto v = usable(row, metric, excluded))
        out.push_back({row.seed, *v});
  return out;
}

/// Valid values of `metric` of the rows a selection picks.
std::vector<double> select_values(const ClaimSelection &sel,
                                  const std::vector<SummaryRow> &rows,
                                  const std::string &metric, json &excluded) {
  std::vector<double> out;
  for (const auto &sv : select_rows(sel, rows, metric, excluded))
    out.push_back(sv.value);
  return out;
}

std::vector<double> values_of(const std::vector<SeedValue> &svs) {
  std::vector<double> out;
  out.reserve(svs.size());
  for (const auto &sv : svs)
    out.push_back(sv.value);
  return out;
}

/// A run's rows grouped by the numeric value of the swept param `over`,
/// sorted by that value. Values whose every row was excluded are in
/// `missing`; other sweep params, if any, are pooled (named in `pooled`).
struct SweepGroups {
  std::vector<double> values;
  std::vector<Stats> stats;
  std::vector<double> missing;
  std::set<std::string> pooled;
  bool numeric = true;
  json excluded = json::array();
};

SweepGroups group_by(const std::vector<SummaryRow> &rows,
                     const std::string &run, const std::string &over,
                     const std::string &metric) {
  SweepGroups g;
  std::vector<std::pair<double, std::vector<double>>> groups; // value, metric
  auto slot = [&](double v) -> std::vector<double> & {
    for (auto &[value, xs] : groups)
      if (same_number(value, v))
        return xs;
    groups.emplace_back(v, std::vector<double>{});
    return groups.back().second;
  };
  for (const auto &row : rows) {
    if (row.run_name != run)
      continue;
    if (!row.params.is_object() || !row.params.contains(over)) {
      g.excluded.push_back(
          {{"run_id", row.run_id}, {"reason", "no value of " + over}});
      continue;
    }
    for (auto it = row.params.begin(); it != row.params.end(); ++it)
      if (it.key() != over)
        g.pooled.insert(it.key());
    const json &pv = row.params.at(over);
    if (!pv.is_number()) {
      g.numeric = false;
      continue;
    }
    auto &xs = slot(pv.get<double>()); // registers the value even if excluded
    if (auto v = usable(row, metric, g.excluded))
      xs.push_back(*v);
  }
  std::sort(groups.begin(), groups.end(),
            [](const auto &x, const auto &y) { return x.first < y.first; });
  for (const auto &[value, xs] : groups) {
    if (xs.empty()) {
      g.missing.push_back(value);
      continue;
    }
    g.values.push_back(value);
    g.stats.push_back(stats_of(xs));
  }
  return g;
}

void put_groups(json &obs, const SweepGroups &g) {
  json means = json::array(), sds = json::array(), ns = json::array();
  for (const auto &s : g.stats) {
    means.push_back(s.mean);
    sds.push_back(s.sd);
    ns.push_back(s.n);
  }
  obs["values"] = g.values;
  obs["means"] = means;
  obs["sds"] = sds;
  obs["n"] = ns;
  obs["missing_values"] = g.missing;
  if (!g.pooled.empty())
    obs["pooled_params"] = g.pooled;
  obs["excluded"] = g.excluded;
}

std::string list_values(const std::vector<double> &vs) {
  std::string out;
  for (double v : vs)
    out += (out.empty() ? "" : ", ") + fmt(v, "%.6g");
  return out;
}

void eval_monotone(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                   ClaimResult &r) {
  const SweepGroups g = group_by(rows, c.target.run, c.over, c.metric);
  json &obs = r.observed;
  put_groups(obs, g);
  const bool down = c.direction == "decreasing";
  const std::string what = c.metric + " over " + c.over + " of " + c.target.run;
  if (!g.numeric) {
    r.verdict = "inconclusive";
    r.explanation = what + ": the values of " + c.over +
                    " are not all numbers, so they have no order";
    return;
  }
  const std::size_t m = g.values.size();
  if (m < 2) {
    r.verdict = "inconclusive";
    r.explanation = what + ": only " + std::to_string(m) +
                    " sweep value(s) with valid runs, a trend needs 2";
    return;
  }
  const std::string wrong = down ? "increase" : "decrease";
  json steps = json::array(), violations = json::array();
  bool all_within_spread = true;
  double worst = -INFINITY; // largest wrong-way step (positive = wrong way)
  std::size_t worst_i = 0;
  double worst_violation_excess = -INFINITY;
  std::size_t worst_violation_i = 0;
  for (std::size_t i = 0; i + 1 < m; ++i) {
    const double step = g.stats[i + 1].mean - g.stats[i].mean;
    steps.push_back(step);
    const double against = down ? step : -step;
    if (against > worst) {
      worst = against;
      worst_i = i;
    }
    if (against <= c.tolerance)
      continue;
    const double excess = against - c.tolerance;
    const double sp = spread(g.stats[i], g.stats[i + 1]);
    const bool within = has_spread(g.stats[i], g.stats[i + 1]) && excess <= sp;
    all_within_spread = all_within_spread && within;
    violations.push_back({{"from", g.values[i]},
                          {"to", g.values[i + 1]},
                          {"step", step},
                          {"excess", excess},
                          {"spread", sp},
                          {"within_spread", within}});
    if (excess > worst_violation_excess) {
      worst_violation_excess = excess;
      worst_violation_i = i;
    }
  }
  obs["steps"] = steps;
  obs["violations"] = violations;
  obs["tolerance"] = c.tolerance;

  auto at = [&](std::size_t i) {
    return fmt(g.stats[i].mean) + " (" + c.over + "=" +
           fmt(g.values[i], "%.6g") + ")";
  };
  auto step_text = [&](std::size_t i) {
    return fmt(g.stats[i + 1].mean - g.stats[i].mean, "%+.3g") + " at " +
           c.over + "=" + fmt(g.values[i], "%.6g") + " -> " +
           fmt(g.values[i + 1], "%.6g");
  };
  const std::string ends = at(0) + " -> " + at(m - 1);
  const std::string verb = down ? "decreases" : "increases";
  if (violations.empty()) {
    std::string detail = worst > 0
                             ? "largest " + wrong + " " + step_text(worst_i) +
                                   " within tolerance " + fmt(c.tolerance)
                             : "every step goes that way";
    if (!g.missing.empty()) {
      r.verdict = "inconclusive";
      r.explanation = c.metric + " " + verb + " over " + c.over + ": " + ends +
                      "; " + detail + ", but " + c.over + "=" +
                      list_values(g.missing) + " has no valid runs";
    } else {
      r.verdict = "pass";
      r.explanation = c.metric + " " + verb + " over " + c.over + ": " + ends +
                      "; " + detail;
    }
    return;
  }
  const std::string count = std::to_string(violations.size()) + " of " +
                            std::to_string(m - 1) + " steps";
  const double sp =
      spread(g.stats[worst_violation_i], g.stats[worst_violation_i + 1]);
  if (all_within_spread) {
    r.verdict = "inconclusive";
    r.explanation = c.metric + " " + verb + " over " + c.over +
                    " only up to the seed spread: " + ends + "; " + count +
                    " " + wrong + " beyond tolerance " + fmt(c.tolerance) +
                    ", largest " + step_text(worst_violation_i) +
                    ", within 2x seed spread " + fmt(sp);
  } else {
    r.verdict = "fail";
    r.explanation =
        c.metric + " does not " + (down ? "decrease" : "increase") + " over " +
        c.over + ": " + ends + "; " + count + " " + wrong +
        " beyond tolerance " + fmt(c.tolerance) + ", largest " +
        step_text(worst_violation_i) +
        (has_spread(g.stats[worst_violation_i], g.stats[worst_violation_i + 1])
             ? ", beyond 2x seed spread " + fmt(sp)
             : " (fewer than 2 seeds, no spread)");
  }
}

/// The observed JSON of a group of rows.
json stats_json(const std::string &selection, const Stats &s) {
  return {{"selection", selection}, {"n", s.n}, {"mean", s.mean}, {"sd", s.sd}};
}

/// The valid rows of both sides of a two-sided check and their stats.
struct TwoSides {
  std::vector<SeedValue> a_rows, b_rows;
  Stats a, b;
};

/// The common start of the two-sided checks (greater, close, ratio_in):
/// selects the valid rows of a and b (ratio_in: each with its own metric),
/// puts their stats in observed["a"] and ["b"] (ratio_in: with the metric)
/// and the rows left out in observed["excluded"]. When a side has no valid
/// rows the verdict is inconclusive, the explanation names that side and
/// says the check `cannot` be done, and nullopt is returned: every check's
/// decision needs both means.
std::optional<TwoSides> two_sides(const ClaimSpec &c,
                                  const std::vector<SummaryRow> &rows,
                                  const std::string &cannot, ClaimResult &r) {
  const bool own_metrics = c.type == "ratio_in";
  const std::string &metric_a = own_metrics ? c.metric_a : c.metric;
  const std::string &metric_b = own_metrics ? c.metric_b : c.metric;
  json excluded = json::array();
  TwoSides s;
  s.a_rows = select_rows(c.a, rows, metric_a, excluded);
  s.b_rows = select_rows(c.b, rows, metric_b, excluded);
  s.a = stats_of(values_of(s.a_rows));
  s.b = stats_of(values_of(s.b_rows));
  json &obs = r.observed;
  obs["a"] = stats_json(describe(c.a), s.a);
  obs["b"] = stats_json(describe(c.b), s.b);
  if (own_metrics) {
    obs["a"]["metric"] = metric_a;
    obs["b"]["metric"] = metric_b;
  }
  obs["excluded"] = excluded;
  if (s.a.n > 0 && s.b.n > 0)
    return s;
  const bool a_empty = s.a.n == 0;
  const std::string side = describe(a_empty ? c.a : c.b);
  r.verdict = "inconclusive";
  r.explanation =
      own_metrics ? "no valid runs for " + (a_empty ? metric_a : metric_b) +
                        " of " + side + ", " + cannot
                  : c.metric + ": no valid runs for " + side + ", " + cannot;
  return std::nullopt;
}

std::string list_seeds(const std::vector<std::uint64_t> &seeds) {
  std::string out;
  for (auto s : seeds)
    out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

/// greater with "paired": rows matched by seed, d_s = a_s - b_s;
/// inconclusive when |mean(d) - margin| <= 2 sd(d) with >= 2 pairs, on either
/// side of the margin (the spread rule of the unpaired check with the spread
/// of the paired differences); else passes when mean(d) > margin, else fails.
void decide_greater_paired(const ClaimSpec &c, const TwoSides &s,
                           ClaimResult &r) {
  json &obs = r.observed;
  obs["paired"] = true;
  // One value per seed and side: with two, which one pairs is ambiguous
  // (a selection that pools sweep values needs more params).
  std::map<std::uint64_t, double> a, b;
  std::set<std::uint64_t> repeated;
  std::string repeating; // the side(s) with a repeated seed
  for (const auto *side : {&s.a_rows, &s.b_rows}) {
    auto &seen = side == &s.a_rows ? a : b;
    bool again = false;
    for (const auto &sv : *side)
      if (!seen.emplace(sv.seed, sv.value).second) {
        repeated.insert(sv.seed);
        again = true;
      }
    if (again)
      repeating += (repeating.empty() ? "" : " and ") +
                   describe(side == &s.a_rows ? c.a : c.b);
  }
  if (!repeated.empty()) {
    obs["repeated_seeds"] = repeated;
    r.verdict = "inconclusive";
    r.explanation = c.metric + ": " + repeating +
                    " has several valid rows of seed " +
                    list_seeds({repeated.begin(), repeated.end()}) +
                    ", a paired comparison needs one per seed (select one "
                    "sweep value with params)";
    return;
  }
  json pairs = json::array(), unpaired = json::array();
  std::vector<double> d;
  std::vector<std::uint64_t> lonely;
  for (const auto &[seed, va] : a) {
    const auto it = b.find(seed);
    if (it == b.end()) {
      unpaired.push_back({{"seed", seed}, {"side", "a"}});
      lonely.push_back(seed);
      continue;
    }
    d.push_back(va - it->second);
    pairs.push_back({{"seed", seed},
                     {"a", va},
                     {"b", it->second},
                     {"difference", d.back()}});
  }
  for (const auto &kv : b)
    if (!a.count(kv.first)) {
      unpaired.push_back({{"seed", kv.first}, {"side", "b"}});
      lonely.push_back(kv.first);
    }
  std::sort(lonely.begin(), lonely.end());
  const Stats ds = stats_of(d); // of the paired differences
  const double sp = 2.0 * ds.sd;
  obs["pairs"] = pairs;
  obs["unpaired_seeds"] = unpaired;
  obs["n_pairs"] = ds.n;
  obs["difference"] = ds.mean;
  obs["difference_sd"] = ds.sd;
  obs["spread"] = sp;
  const std::string unmatched = lonely.empty()
                                    ? ""
                                    : "; seed " + list_seeds(lonely) +
                                          " without a valid partner left out";
  if (ds.n == 0) {
    r.verdict = "inconclusive";
    r.explanation = c.metric + ": " + describe(c.a) + " and " + describe(c.b) +
                    " have no seed with valid runs on both sides, cannot "
                    "pair them" +
                    unmatched;
    return;
  }
  std::string per_seed;
  for (double x : d)
    per_seed += (per_seed.empty() ? "" : ", ") + fmt(x, "%+.3g");
  const std::string head = c.metric + ": " + describe(c.a) + " - " +
                           describe(c.b) + " paired over " +
                           std::to_string(ds.n) +
                           (ds.n == 1 ? " seed: " : " seeds: ") +
                           fmt(ds.mean, "%+.3g") + " (" + per_seed + ")";
  const std::string side = ds.mean > c.margin ? " > margin " : " <= margin ";
  if (ds.n >= 2 && std::fabs(ds.mean - c.margin) <= sp) {
    // Either way inside the seed-to-seed spread (CLAIMS.md): not a pass.
    r.verdict = "inconclusive";
    r.explanation = head + side + fmt(c.margin) +
                    " but within 2x spread of the paired differences " +
                    fmt(sp) + unmatched;
  } else if (ds.mean > c.margin) {
    r.verdict = "pass";
    r.explanation = head + " > margin " + fmt(c.margin) +
                    (ds.n >= 2 ? ", beyond 2x spread of the paired "
                                 "differences " +
                                     fmt(sp)
                               : " (one pair, no spread)") +
                    unmatched;
  } else {
    r.verdict = "fail";
    r.explanation =
        head + " <= margin " + fmt(c.margin) +
        (ds.n >= 2 ? ", beyond 2x spread of the paired differences " + fmt(sp)
                   : " (one pair, no spread)") +
        unmatched;
  }
}

void eval_greater(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                  ClaimResult &r) {
  r.observed["margin"] = c.margin;
  const auto s = two_sides(c, rows, "cannot compare", r);
  if (!s)
    return;
  if (c.paired) {
    decide_greater_paired(c, *s, r);
    return;
  }
  const Stats &a = s->a, &b = s->b;
  const double diff = a.mean - b.mean;
  const double sp = spread(a, b);
  json &obs = r.observed;
  obs["difference"] = diff;
  obs["spread"] = sp;
  const std::string head = c.metric + ": " + describe(c.a) + " " + fmt(a.mean) +
                           " vs " + describe(c.b) + " " + fmt(b.mean) +
                           ", difference " + fmt(diff, "%+.3g");
  const std::string side = diff > c.margin ? " > margin " : " <= margin ";
  if (has_spread(a, b) && std::fabs(diff - c.margin) <= sp) {
    // Either way inside the seed-to-seed spread (CLAIMS.md): not a pass.
    r.verdict = "inconclusive";
    r.explanation =
        head + side + fmt(c.margin) + " but within 2x seed spread " + fmt(sp);
  } else if (diff > c.margin) {
    r.verdict = "pass";
    r.explanation = head + " > margin " + fmt(c.margin) +
                    (has_spread(a, b) ? ", beyond 2x seed spread " + fmt(sp)
                                      : " (fewer than 2 seeds, no spread)");
  } else {
    r.verdict = "fail";
    r.explanation = head + " <= margin " + fmt(c.margin) +
                    (has_spread(a, b) ? ", beyond 2x seed spread " + fmt(sp)
                                      : " (fewer than 2 seeds, no spread)");
  }
}

/// [lo, hi] widened to the `steps`-th grid value below lo and above hi
/// (grid values equal to an end count as inside); an end with fewer grid
/// values beyond it becomes unbounded (+-inf).
std::pair<double, double> widen(double lo, double hi,
                                const std::vector<double> &grid, int steps) {
  if (steps == 0)
    return {lo, hi};
  std::vector<double> below, above;
  for (double v : grid) {
    if (v < lo && !same_number(v, lo))
      below.push_back(v);
    else if (v > hi && !same_number(v, hi))
      above.push_back(v);
  }
  std::sort(below.begin(), below.end());
  std::sort(above.begin(), above.end());
  const auto s = static_cast<std::size_t>(steps);
  return {below.size() >= s ? below[below.size() - s] : -INFINITY,
          above.size() >= s ? above[s - 1] : INFINITY};
}

/// A finite number, or null for an unbounded end.
json bound_json(double v) { return std::isfinite(v) ? json(v) : json(); }

void eval_argmax(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                 ClaimResult &r) {
  const SweepGroups g = group_by(rows, c.target.run, c.over, c.metric);
  json &obs = r.observed;
  put_groups(obs, g);
  const std::string what = c.metric + " over " + c.over + " of " + c.target.run;

  // Resolve the ends: a reference is the seed mean of its run's metric.
  json ends = json::array(), ref_excluded = json::array();
  double end_value[2];
  std::string unresolved;
  for (std::size_t i = 0; i < 2; ++i) {
    const ClaimBound &b = c.range[i];
    if (b.run.empty()) {
      end_value[i] = b.value;
      ends.push_back({{"value", b.value}});
      continue;
    }
    const Stats st = stats_of(select_values(
        ClaimSelection{b.run, json::object()}, rows, b.metric, ref_excluded));
    end_value[i] = st.mean;
    json e = stats_json(b.run, st);
    e["metric"] = b.metric;
    ends.push_back(e);
    if (st.n == 0)
      unresolved += (unresolved.empty() ? "" : "; ") + b.metric + " of " +
                    b.run + " has no valid runs";
  }
  obs["range_ends"] = ends;
  if (!ref_excluded.empty())
    obs["range_excluded"] = ref_excluded;
  obs["slack_steps"] = c.slack_steps;
  if (!unresolved.empty()) {
    r.verdict = "inconclusive";
    r.explanation =
        what + ": the range cannot be resolved (" + unresolved + ")";
    return;
  }
  const double lo = std::min(end_value[0], end_value[1]);
  const double hi = std::max(end_value[0], end_value[1]);
  obs["range"] = {lo, hi};
  std::vector<double> grid = g.values;
  grid.insert(grid.end(), g.missing.begin(), g.missing.end());
  const auto [wlo, whi] = widen(lo, hi, grid, c.slack_steps);
  if (c.slack_steps > 0)
    obs["widened_range"] = {bound_json(wlo), bound_json(whi)};
  const std::string range =
      "[" + fmt(lo, "%.6g") + ", " + fmt(hi, "%.6g") + "]" +
      (c.slack_steps > 0 ? " widened by " + std::to_string(c.slack_steps) +
                               " grid step(s) to [" + fmt(wlo, "%.6g") + ", " +
                               fmt(whi, "%.6g") + "]"
                         : "");
  if (!g.numeric) {
    r.verdict = "inconclusive";
    r.explanation = what + ": the values of " + c.over + " are not all numbers";
    return;
  }
  if (g.values.size() < 2) {
    r.verdict = "inconclusive";
    r.explanation = what + ": only " + std::to_string(g.values.size()) +
                    " sweep value(s) with valid runs, an argmax needs 2";
    return;
  }
  if (!g.missing.empty()) {
    r.verdict = "inconclusive";
    r.explanation = what + ": " + c.over + "=" + list_values(g.missing) +
                    " has no valid runs and may hold the maximum";
    return;
  }
  std::size_t top = 0;
  for (std::size_t i = 1; i < g.values.size(); ++i)
    if (g.stats[i].mean > g.stats[top].mean)
      top = i;
  std::size_t second = top == 0 ? 1 : 0;
  for (std::size_t i = 0; i < g.values.size(); ++i)
    if (i != top && g.stats[i].mean > g.stats[second].mean)
      second = i;
  // Init-captures: clang before 16 cannot capture structured bindings.
  auto inside = [wlo = wlo, whi = whi](double v) {
    return (wlo <= v || same_number(wlo, v)) &&
           (v <= whi || same_number(whi, v));
  };
  const double sp = spread(g.stats[top], g.stats[second]);
  obs["argmax"] = g.values[top];
  obs["runner_up"] = g.values[second];
  obs["spread"] = sp;
  const std::string head =
      c.metric + " is largest at " + c.over + "=" + fmt(g.values[top], "%.6g") +
      " (" + fmt(g.stats[top].mean) + "; next " + c.over + "=" +
      fmt(g.values[second], "%.6g") + " " + fmt(g.stats[second].mean) + ")";
  const bool in_top = inside(g.values[top]);
  if (in_top != inside(g.values[second]) &&
      has_spread(g.stats[top], g.stats[second]) &&
      g.stats[top].mean - g.stats[second].mean <= sp) {
    r.verdict = "inconclusive";
    r.explanation = head + ": the top two are within 2x seed spread " +
                    fmt(sp) + " and on different sides of " + range;
    return;
  }
  r.verdict = in_top ? "pass" : "fail";
  r.explanation = head + ", " + (in_top ? "inside " : "outside ") + range;
}

void eval_ratio(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                ClaimResult &r) {
  r.observed["range"] = {c.lo, c.hi};
  const auto s = two_sides(c, rows, "cannot form the ratio", r);
  if (!s)
    return;
  const Stats &a = s->a, &b = s->b;
  json &obs = r.observed;
  const std::string na = c.metric_a + " of " + describe(c.a);
  const std::string nb = c.metric_b + " of " + describe(c.b);
  if (b.mean == 0.0) {
    r.verdict = "inconclusive";
    r.explanation =
        nb + " has mean 0, the ratio " + na + " / " + nb + " is undefined";
    return;
  }
  const double ratio = a.mean / b.mean;
  obs["ratio"] = ratio;
  const bool ok = (c.lo <= ratio || same_number(c.lo, ratio)) &&
                  (ratio <= c.hi || same_number(c.hi, ratio));
  r.verdict = ok ? "pass" : "fail";
  r.explanation = na + " / " + nb + " = " + fmt(a.mean, "%.4g") + " / " +
                  fmt(b.mean, "%.4g") + " = " + fmt(ratio, "%.4g") +
                  (ok ? ", inside " : ", outside ") + "[" + fmt(c.lo, "%.6g") +
                  ", " + fmt(c.hi, "%.6g") + "]";
}

void eval_close(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                ClaimResult &r) {
  r.observed["tolerance"] = c.tolerance;
  const auto s = two_sides(c, rows, "cannot compare", r);
  if (!s)
    return;
  const Stats &a = s->a, &b = s->b;
  json &obs = r.observed;
  const double diff = a.mean - b.mean;
  const double sp = spread(a, b);
  obs["difference"] = diff;
  obs["spread"] = sp;
  const std::string head = c.metric + ": " + describe(c.a) + " " +
                           fmt(a.mean, "%.4g") + " vs " + describe(c.b) + " " +
                           fmt(b.mean, "%.4g") + ", |difference| " +
                           fmt(std::fabs(diff));
  if (std::fabs(diff) > c.tolerance) {
    r.verdict = "fail";
    r.explanation = head + " > tolerance " + fmt(c.tolerance);
  } else if (has_spread(a, b) && sp > c.tolerance) {
    r.verdict = "inconclusive";
    r.explanation = head + " <= tolerance " + fmt(c.tolerance) +
                    ", but the seed spread of the difference " + fmt(sp) +
                    " exceeds the tolerance";
  } else {
    r.verdict = "pass";
    r.explanation = head + " <= tolerance " + fmt(c.tolerance) +
                    (has_spread(a, b) ? ", seed spread " + fmt(sp)
                                      : " (fewer than 2 seeds, no spread)");
  }
}

void eval_within(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                 ClaimResult &r) {
  json excluded = json::array();
  const Stats s = stats_of(select_values(c.target, rows, c.metric, excluded));
  json &obs = r.observed;
  obs["selection"] = describe(c.target);
  obs["n"] = s.n;
  obs["mean"] = s.mean;
  obs["sd"] = s.sd;
  obs["reference"] = c.reference;
  obs["tolerance"] = c.tolerance;
  obs["excluded"] = excluded;
  if (s.n == 0) {
    r.verdict = "inconclusive";
    r.explanation = c.metric + ": no valid runs for " + describe(c.target);
    return;
  }
  const double diff = s.mean - c.reference;
  obs["difference"] = diff;
  const bool ok = std::fabs(diff) <= c.tolerance;
  r.verdict = ok ? "pass" : "fail";
  r.explanation = c.metric + " of " + describe(c.target) + ": " +
                  fmt(s.mean, "%.4g") + " vs reference " +
                  fmt(c.reference, "%.4g") + ", |difference| " +
                  fmt(std::fabs(diff)) + (ok ? " <= " : " > ") + "tolerance " +
                  fmt(c.tolerance);
}

void eval_bound(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                ClaimResult &r) {
  json excluded = json::array();
  const Stats s = stats_of(select_values(c.target, rows, c.metric, excluded));
  json &obs = r.observed;
  obs["selection"] = describe(c.target);
  obs["n"] = s.n;
  obs["mean"] = s.mean;
  obs["sd"] = s.sd;
  obs[c.above ? "above" : "below"] = c.threshold;
  obs["excluded"] = excluded;
  if (s.n == 0) {
    r.verdict = "inconclusive";
    r.explanation = c.metric + ": no valid runs for " + describe(c.target);
    return;
  }
  const double spread = s.n >= 2 ? 2 * s.sd : 0.0;
  obs["spread"] = spread;
  const bool beyond = c.above ? s.mean > c.threshold : s.mean < c.threshold;
  const std::string head = c.metric + " of " + describe(c.target) + ": mean " +
                           fmt(s.mean, "%.4g") + " over " +
                           std::to_string(s.n) + " seed(s), " +
                           (beyond ? (c.above ? "above " : "below ")
                                   : (c.above ? "not above " : "not below ")) +
                           fmt(c.threshold, "%.4g");
  if (s.n >= 2 && std::fabs(s.mean - c.threshold) <= spread) {
    r.verdict = "inconclusive";
    r.explanation = head + " but within 2x seed spread " + fmt(spread);
    return;
  }
  r.verdict = beyond ? "pass" : "fail";
  r.explanation = head + (s.n >= 2 ? ", beyond 2x seed spread " + fmt(spread)
                                   : " (fewer than 2 seeds, no spread)");
}

/// Least-squares line y = intercept + slope x; nullopt with fewer than 2
/// distinct x.
struct LineFit {
  double slope = 0, intercept = 0, r2 = 0;
};
std::optional<LineFit> fit_line(const std::vector<double> &x,
                                const std::vector<double> &y) {
  const std::size_t n = x.size();
  if (n < 2)
    return std::nullopt;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (!(sxx > 0))
    return std::nullopt;
  LineFit f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1.0;
  return f;
}

/// Number of distinct values (equal within kRelTol).
std::size_t distinct(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t k = 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (i == 0 || !same_number(v[i], v[i - 1]))
      ++k;
  return k;
}

void eval_slope(const ClaimSpec &c, const std::vector<SummaryRow> &rows,
                ClaimResult &r) {
  json &obs = r.observed;
  json excluded = json::array(), points = json::array();
  std::set<std::string> pooled;
  std::vector<double> xs, ys, raw_x;
  std::map<std::uint64_t, std::pair<std::vector<double>, std::vector<double>>>
      by_seed;
  bool numeric = true;
  for (const auto &row : rows) {
    if (row.run_name != c.target.run)
      continue;
    if (!row.params.is_object() || !row.params.contains(c.over)) {
      excluded.push_back(
          {{"run_id", row.run_id}, {"reason", "no value of " + c.over}});
      continue;
    }
    for (auto it = row.params.begin(); it != row.params.end(); ++it)
      if (it.key() != c.over)
        pooled.insert(it.key());
    const json &pv = row.params.at(c.over);
    if (!pv.is_number()) {
      numeric = false;
      continue;
    }
    const auto v = usable(row, c.metric, excluded);
    if (!v)
      continue;
    const double x = pv.get<double>(), y = *v;
    if (c.log_axes && !(x > 0 && y > 0)) {
      excluded.push_back({{"run_id", row.run_id},
                          {"reason", (x > 0 ? c.metric : c.over) + " = " +
                                         fmt(x > 0 ? y : x, "%.6g") +
                                         " has no logarithm (<= 0)"}});
      continue;
    }
    points.push_back({{"x", x}, {"y", y}, {"seed", row.seed}});
    const double fx = c.log_axes ? std::log(x) : x;
    const double fy = c.log_axes ? std::log(y) : y;
    xs.push_back(fx);
    ys.push_back(fy);
    raw_x.push_back(x);
    by_seed[row.seed].first.push_back(fx);
    by_seed[row.seed].second.push_back(fy);
  }
  obs["log"] = c.log_axes;
  obs["range"] = {c.lo, c.hi};
  obs["points"] = points;
  obs["excluded"] = excluded;
  if (!pooled.empty())
    obs["pooled_params"] = pooled;
  const std::string axes =
      c.log_axes ? "log(" + c.metric + ") against log(" + c.over + ")"
                 : c.metric + " against " + c.over;
  const std::string what = "slope of " + axes + " of " + c.target.run;
  if (!numeric) {
    r.verdict = "inconclusive";
    r.explanation = what + ": the values of " + c.over + " are not all numbers";
    return;
  }
  const std::size_t nx = distinct(xs);
  const auto fit = nx >= 2 ? fit_line(xs, ys) : std::nullopt;
  if (!fit) {
    r.verdict = "inconclusive";
    r.explanation = what + ": " + std::to_string(nx) +
                    " distinct value(s) of " + c.over + " with valid runs (" +
                    std::to_string(xs.size()) + " points), a slope needs 2";
    return;
  }
  obs["slope"] = fit->slope;
  obs["intercept"] = fit->intercept;
  obs["r2"] = fit->r2;
  obs["n_points"] = xs.size();
  // Per-seed fits give the seed-to-seed spread of the slope.
  json seed_slopes = json::array();
  std::vector<double> slopes;
  for (const auto &[seed, pts] : by_seed)
    if (distinct(pts.first) >= 2)
      if (const auto f = fit_line(pts.first, pts.second)) {
        slopes.push_back(f->slope);
        seed_slopes.push_back({{"seed", seed}, {"slope", f->slope}});
      }
  const Stats ss = stats_of(slopes);
  const bool spread_known = ss.n >= 2;
  const double sp = 2.0 * ss.sd;
  obs["seed_slopes"] = seed_slopes;
  obs["slope_sd"] = ss.sd;
  obs["spread"] = sp;

  const auto [xmin, xmax] = std::minmax_element(raw_x.begin(), raw_x.end());
  const std::string head =
      what + ": " + fmt(fit->slope, "%.6g") + " from " +
      std::to_string(xs.size()) + " points (" + std::to_string(nx) + " " +
      c.over + " values in [" + fmt(*xmin, "%.6g") + ", " + fmt(*xmax, "%.6g") +
      "], r^2 " + fmt(fit->r2, "%.6f") + ")" +
      (spread_known ? ", per-seed slopes sd " + fmt(ss.sd) + " over " +
                          std::to_string(ss.n) + " seeds"
                    : "");
  const std::string range =
      "[" + fmt(c.lo, "%.6g") + ", " + fmt(c.hi, "%.6g") + "]";
  const bool ok = (c.lo <= fit->slope || same_number(c.lo, fit->slope)) &&
                  (fit->slope <= c.hi || same_number(c.hi, fit->slope));
  const double off = fit->slope < c.lo ? c.lo - fit->slope : fit->slope - c.hi;
  if (ok) {
    r.verdict = "pass";
    r.explanation = head + ", inside " + range;
  } else if (spread_known && off <= sp) {
    r.verdict = "inconclusive";
    r.explanation = head + ", outside " + range + " by " + fmt(off) +
                    ", within 2x the per-seed spread " + fmt(sp);
  } else {
    r.verdict = "fail";
    r.explanation =
        head + ", outside " + range + " by " + fmt(off) +
        (spread_known ? ", beyond 2x the per-seed spread " + fmt(sp) : "");
  }
}

} // namespace

ClaimResult evaluate_claim(const ClaimSpec &claim,
                           const std::vector<SummaryRow> &rows) {
  ClaimResult r;
  r.id = claim.id;
  r.text = claim.text;
  r.check = claim.check;
  r.caveat = claim.caveat;
  r.observed = json::object();
  if (claim.type == "monotone")
    eval_monotone(claim, rows, r);
  else if (claim.type == "greater")
    eval_greater(claim, rows, r);
  else if (claim.type == "argmax_in")
    eval_argmax(claim, rows, r);
  else if (claim.type == "within")
    eval_within(claim, rows, r);
  else if (claim.type == "ratio_in")
    eval_ratio(claim, rows, r);
  else if (claim.type == "close")
    eval_close(claim, rows, r);
  else if (claim.type == "slope")
    eval_slope(claim, rows, r);
  else if (claim.type == "bound")
    eval_bound(claim, rows, r);
  else {
    r.verdict = "inconclusive";
    r.explanation = "unknown check type \"" + claim.type + "\"";
  }
  return r;
}

} // namespace nebench
