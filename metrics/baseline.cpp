#include "metrics/baseline.h"

#include "engine/core/errors.h"
#include "engine/core/spec_node.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace nebench {

using json = nlohmann::json;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double v) {
  if (std::isnan(v))
    return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
} // namespace

Baseline Baseline::from_json(const json &j, const std::string &file) {
  const SpecNode root(j, file);
  if (!root.is_object())
    root.fail("a baseline must be a JSON object, got " + json_type_name(j));
  Baseline b;
  b.spec_id = root.string("spec_id");
  b.profile = root.string("profile");
  b.generated_utc = root.string("generated_utc", std::string());
  root.string("note", std::string()); // free text: how the bands were made
  const SpecNode metrics = root.child("metrics");
  if (!metrics.is_object())
    metrics.fail("must be an object {run id: {metric: band}}, got " +
                 json_type_name(metrics.raw()));
  for (auto run = metrics.raw().begin(); run != metrics.raw().end(); ++run) {
    const SpecNode rn = metrics.child(run.key());
    if (!rn.is_object())
      rn.fail("must be an object {metric: {expected, tolerance}}, got " +
              json_type_name(rn.raw()));
    auto &bands = b.metrics[run.key()];
    for (auto m = rn.raw().begin(); m != rn.raw().end(); ++m) {
      const SpecNode band = rn.child(m.key());
      if (!band.is_object())
        band.fail("must be an object {expected, tolerance}, got " +
                  json_type_name(band.raw()));
      BaselineBand bb;
      bb.expected = band.number("expected");
      bb.tolerance = band.number("tolerance", std::nullopt, Range::at_least(0));
      band.finish();
      bands[m.key()] = bb;
    }
  }
  if (const auto claims = root.optional_child("claims")) {
    if (!claims->is_object())
      claims->fail("must be an object {claim id: verdict}, got " +
                   json_type_name(claims->raw()));
    for (auto c = claims->raw().begin(); c != claims->raw().end(); ++c)
      b.claims[c.key()] = claims->string(c.key(), std::nullopt,
                                         {"pass", "fail", "inconclusive"});
  }
  root.finish();
  return b;
}

Baseline load_baseline(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw DataError(path, "cannot open baseline file");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error &e) {
    throw DataError::at_offset(path, static_cast<std::int64_t>(e.byte),
                               std::string("invalid JSON: ") + e.what());
  }
  return Baseline::from_json(j, path);
}

std::string baseline_file_name(const std::string &spec_id) {
  std::string out;
  for (char ch : spec_id) {
    if (ch == '/')
      out += "__";
    else
      out += ch;
  }
  return out + ".json";
}

std::vector<BaselineRow>
compare_to_baseline(const Baseline &baseline,
                    const std::vector<SummaryRow> &rows,
                    const std::map<std::string, std::string> &claim_verdicts) {
  std::map<std::string, const SummaryRow *> by_id;
  for (const auto &r : rows)
    by_id.emplace(r.run_id, &r); // first row wins on a duplicate id
  std::vector<BaselineRow> out;
  for (const auto &[run_id, bands] : baseline.metrics) {
    const auto it = by_id.find(run_id);
    for (const auto &[metric, band] : bands) {
      BaselineRow row;
      row.run_id = run_id;
      row.metric = metric;
      row.expected = band.expected;
      row.tolerance = band.tolerance;
      row.observed = kNaN;
      if (it == by_id.end()) {
        row.note = "run missing from the results";
      } else if (it->second->status != "ok") {
        row.note = "run " + it->second->status +
                   (it->second->error.empty() ? "" : ": " + it->second->error);
      } else {
        const auto m = it->second->metrics.find(metric);
        if (m == it->second->metrics.end() || std::isnan(m->second)) {
          row.note = "metric missing";
        } else {
          row.observed = m->second;
          row.ok = row.observed >= band.expected - band.tolerance &&
                   row.observed <= band.expected + band.tolerance;
          if (!row.ok)
            row.note = "outside band";
        }
      }
      out.push_back(row);
    }
  }
  for (const auto &[id, expected] : baseline.claims) {
    BaselineRow row;
    row.kind = "claim";
    row.run_id = "(claim)";
    row.metric = id;
    row.expected = row.tolerance = row.observed = kNaN;
    row.expected_verdict = expected;
    const auto it = claim_verdicts.find(id);
    if (it == claim_verdicts.end()) {
      row.note = "claim not evaluated";
    } else {
      row.observed_verdict = it->second;
      row.ok = it->second == expected;
      if (!row.ok)
        row.note = "verdict changed";
    }
    out.push_back(row);
  }
  return out;
}

std::vector<BaselineRow>
compare_to_baseline(const json &baseline, const std::vector<SummaryRow> &rows,
                    const std::map<std::string, std::string> &claim_verdicts,
                    const std::string &file) {
  return compare_to_baseline(Baseline::from_json(baseline, file), rows,
                             claim_verdicts);
}

bool baseline_passed(const std::vector<BaselineRow> &rows) {
  return std::all_of(rows.begin(), rows.end(),
                     [](const BaselineRow &r) { return r.ok; });
}

std::string format_baseline_table(const std::vector<BaselineRow> &rows) {
  std::vector<std::array<std::string, 5>> cells;
  cells.push_back({"run", "metric", "expected band", "observed", "status"});
  std::size_t failed = 0;
  for (const auto &r : rows) {
    std::array<std::string, 5> c;
    c[0] = r.run_id;
    c[1] = r.metric;
    if (r.kind == "claim") {
      c[2] = r.expected_verdict;
      c[3] = r.observed_verdict.empty() ? "-" : r.observed_verdict;
    } else {
      c[2] = "[" + num(r.expected - r.tolerance) + ", " +
             num(r.expected + r.tolerance) + "]";
      c[3] = num(r.observed);
    }
    c[4] = r.ok ? "ok" : "FAIL (" + r.note + ")";
    failed += r.ok ? 0 : 1;
    cells.push_back(c);
  }
  std::array<std::size_t, 5> width{};
  for (const auto &c : cells)
    for (std::size_t i = 0; i < 5; ++i)
      width[i] = std::max(width[i], c[i].size());
  std::ostringstream s;
  auto line = [&](const std::array<std::string, 5> &c) {
    for (std::size_t i = 0; i < 5; ++i) {
      s << c[i];
      if (i + 1 < 5)
        s << std::string(width[i] - c[i].size(), ' ') << " | ";
    }
    s << "\n";
  };
  line(cells[0]);
  std::size_t total = 0;
  for (std::size_t i = 0; i < 5; ++i)
    total += width[i] + (i + 1 < 5 ? 3 : 0);
  s << std::string(total, '-') << "\n";
  for (std::size_t r = 1; r < cells.size(); ++r)
    line(cells[r]);
  s << failed << " of " << rows.size() << " checks failed\n";
  return s.str();
}

json make_baseline(const std::string &spec_id, const std::string &profile,
                   const std::string &generated_utc,
                   const std::vector<SummaryRow> &rows,
                   const std::map<std::string, std::string> &claim_verdicts,
                   const BaselineTolerance &tolerance) {
  json metrics = json::object();
  for (const auto &r : rows) {
    if (r.status != "ok")
      continue;
    json bands = json::object();
    for (const auto &[name, value] : r.metrics)
      if (std::isfinite(value))
        bands[name] = {
            {"expected", value},
            {"tolerance", std::max(tolerance.absolute,
                                   tolerance.relative * std::fabs(value))}};
    if (!bands.empty())
      metrics[r.run_id] = bands;
  }
  json claims = json::object();
  for (const auto &[id, verdict] : claim_verdicts)
    claims[id] = verdict;
  return {{"spec_id", spec_id},
          {"profile", profile},
          {"generated_utc", generated_utc},
          {"metrics", metrics},
          {"claims", claims}};
}

} // namespace nebench
