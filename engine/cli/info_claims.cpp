#include "engine/cli/info_claims.h"

#include <cmath>
#include <fmt/format.h>

namespace nebench::cli {

namespace {
std::string get_string(const nlohmann::json &j, const char *key) {
  if (j.is_object() && j.contains(key) && j[key].is_string())
    return j[key].get<std::string>();
  return "?";
}

/// "tsne(rho=4)" for a check side {"run", "params"}.
std::string selection(const nlohmann::json &side) {
  if (!side.is_object())
    return "?";
  std::string inner;
  if (side.contains("params") && side["params"].is_object())
    for (const auto &[k, v] : side["params"].items())
      inner += (inner.empty() ? "" : ",") + k + "=" + report_number(v);
  const std::string run = get_string(side, "run");
  return inner.empty() ? run : run + "(" + inner + ")";
}

/// "[lo, hi]"; an end may be {"run", "metric"} (a seed mean of another run).
std::string range(const nlohmann::json &r) {
  if (!r.is_array() || r.size() != 2)
    return report_number(r);
  std::string ends[2];
  for (int i = 0; i < 2; ++i)
    ends[i] = r[i].is_object()
                  ? get_string(r[i], "run") + ":" + get_string(r[i], "metric")
                  : report_number(r[i]);
  return "[" + ends[0] + ", " + ends[1] + "]";
}

nlohmann::json value_or(const nlohmann::json &j, const char *key,
                        nlohmann::json fallback) {
  return j.contains(key) ? j[key] : fallback;
}
} // namespace

std::string report_number(const nlohmann::json &value) {
  if (value.is_null())
    return "-";
  if (value.is_boolean())
    return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer())
    return value.dump();
  if (value.is_number_float()) {
    const double x = value.get<double>();
    if (std::isnan(x))
      return "-";
    if (x != 0 && (std::fabs(x) >= 1e5 || std::fabs(x) < 1e-3))
      return fmt::format("{:.3g}", x);
    return fmt::format("{:.4g}", x);
  }
  if (value.is_string())
    return value.get<std::string>();
  return value.dump();
}

std::string claim_target(const nlohmann::json &check) {
  if (!check.is_object())
    return "-";
  const std::string type = get_string(check, "type");
  const std::string m = get_string(check, "metric");
  const std::string over = get_string(check, "over");
  if (type == "monotone") {
    const auto tol = value_or(check, "tolerance", nullptr);
    const bool has_tol = tol.is_number() && tol.get<double>() != 0;
    return m + " " + get_string(check, "direction") + " over " + over +
           (has_tol ? " (tolerance " + report_number(tol) + ")" : "");
  }
  if (type == "greater")
    return m + ": " + selection(value_or(check, "a", nullptr)) + " > " +
           selection(value_or(check, "b", nullptr)) + " + " +
           report_number(value_or(check, "margin", 0));
  if (type == "argmax_in") {
    const auto slack = value_or(check, "slack_steps", nullptr);
    const bool has_slack = slack.is_number() && slack.get<double>() != 0;
    return "argmax of " + m + " over " + over + " in " +
           range(value_or(check, "range", nullptr)) +
           (has_slack ? " (+-" + report_number(slack) + " steps)" : "");
  }
  if (type == "within")
    return m + " = " + report_number(value_or(check, "reference", nullptr)) +
           " +- " + report_number(value_or(check, "tolerance", nullptr));
  if (type == "ratio_in") {
    const auto a = value_or(check, "a", nlohmann::json::object());
    const auto b = value_or(check, "b", nlohmann::json::object());
    return get_string(a, "metric") + " of " + selection(a) + " / " +
           get_string(b, "metric") + " of " + selection(b) + " in " +
           range(value_or(check, "range", nullptr));
  }
  if (type == "close")
    return m + ": |" + selection(value_or(check, "a", nullptr)) + " - " +
           selection(value_or(check, "b", nullptr)) +
           "| <= " + report_number(value_or(check, "tolerance", nullptr));
  if (type == "slope") {
    const auto log = value_or(check, "log", true);
    const std::string l = log.is_boolean() && !log.get<bool>() ? "" : "log ";
    return "slope of " + l + m + " vs " + l + over + " in " +
           range(value_or(check, "range", nullptr));
  }
  if (type == "bound") {
    std::string parts;
    if (check.contains("above"))
      parts = "> " + report_number(check["above"]);
    if (check.contains("below"))
      parts += (parts.empty() ? "" : " and ") + std::string("< ") +
               report_number(check["below"]);
    return m + " of " + selection(check) + " " + parts;
  }
  return check.dump();
}

} // namespace nebench::cli
