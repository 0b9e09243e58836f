#pragma once
// Profiles (full, quick, smoke, ...) scale a spec without changing what it
// measures: each is an object of overrides {"dotted.path": value}, applied to
// the spec before it is validated.
//
// Path syntax: components separated by '.', each an object key, an array
// index ("runs.0" or "runs[0]") or "*" (every element of an array / every
// value of an object; "[*]" is the same). Examples:
//   "dataset.subsample", "runs[0].sweep.rho", "runs.*.method.phases.*.iters".
//
// Rules (chosen so that a typo is an error, never a silent no-op):
//  - Without a wildcard before it, a missing last key is created; a missing
//    intermediate key, an index out of range, or a path through a value that
//    is not an object/array is an error naming the failing component.
//  - Below a "*", branches where the rest of the path does not exist are
//    skipped (so "runs.*.method.phases.*.iters" changes the runs that have
//    phases and leaves e.g. a UMAP run alone), and nothing is created.
//  - An override that changes nothing at all is an error.
//  - "id", "paper" and "profiles" cannot be overridden: the profile is part
//    of the result path already, and a profile must not redefine profiles.
// Overrides are applied in the order they are written (with nlohmann::json
// that is key order; load_spec keeps the file's order).

#include <nlohmann/json.hpp>
#include <string>

namespace nebench {

/// Applies `overrides` (an object of path -> value) to `spec` in place.
/// Errors are SpecError(file, "profiles.<profile_name>.<override key>", ...).
void apply_profile(nlohmann::json &spec, const nlohmann::json &overrides,
                   const std::string &file, const std::string &profile_name);
/// The same for order-preserving JSON (what load_spec parses into).
void apply_profile(nlohmann::ordered_json &spec,
                   const nlohmann::ordered_json &overrides,
                   const std::string &file, const std::string &profile_name);

} // namespace nebench
