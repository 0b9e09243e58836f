#pragma once
// One-line texts of a stored claim for `nebench info`: the reference value,
// range or threshold its check holds it to. They match reports/build.py
// (fmt_target, fmt_number) so that the terminal and the site's spec page say
// the same thing.

#include <nlohmann/json.hpp>
#include <string>

namespace nebench::cli {

/// A number as the report shows it: integers as they are, floats with 4
/// significant digits (3 beyond [1e-3, 1e5)), NaN and null as "-" (the site
/// writes an en dash; the terminal keeps to ASCII).
std::string report_number(const nlohmann::json &value);

/// What the check asks for, e.g. "argmax of dcor_to_umap over rho in [2, 8]"
/// or "last_grad_cos = 0 +- 1e-06"; the check's JSON for unknown types.
std::string claim_target(const nlohmann::json &check);

} // namespace nebench::cli
