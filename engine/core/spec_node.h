#pragma once
// Strict, path-aware reading of one JSON object of a spec. Every read names
// its JSON path, so errors read "spec.json: runs[0].method.perplexity: must be
// in (1, 1e4]". finish() rejects keys nobody read (typos must not be silently
// ignored). Parameter structs are filled with these readers in their
// from_spec() functions; `nebench validate` runs all of them without running
// any method.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nebench {

using json = nlohmann::json;

/// Closed/open numeric interval for range checks.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range closed(double lo, double hi) { return {lo, hi, false, false}; }
  static Range positive() {
    return {0.0, std::numeric_limits<double>::infinity(), true, false};
  }
  static Range at_least(double lo) {
    return {lo, std::numeric_limits<double>::infinity(), false, false};
  }
  static Range half_open(double lo, double hi) { return {lo, hi, false, true}; }
  bool contains(double v) const;
  std::string describe() const;
};

class SpecNode {
public:
  SpecNode(const json &value, std::string file, std::string path = "");

  const json &raw() const { return *value_; }
  const std::string &file() const { return file_; }
  const std::string &path() const { return path_; }
  /// Path of a key below this node ("runs[0].method" + "k").
  std::string path_of(const std::string &key) const;

  [[noreturn]] void fail(const std::string &message) const;
  [[noreturn]] void fail_at(const std::string &key,
                            const std::string &message) const;

  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool has(const std::string &key) const;

  /// Object member (required: error when absent).
  SpecNode child(const std::string &key) const;
  std::optional<SpecNode> optional_child(const std::string &key) const;
  /// Array element and size (the node must be an array).
  SpecNode at(std::size_t index) const;
  std::size_t size() const;

  double number(const std::string &key, std::optional<double> fallback = {},
                Range range = {}) const;
  std::int64_t integer(const std::string &key,
                       std::optional<std::int64_t> fallback = {},
                       Range range = {}) const;
  std::string string(const std::string &key,
                     std::optional<std::string> fallback = {},
                     const std::vector<std::string> &allowed = {}) const;
  bool boolean(const std::string &key, std::optional<bool> fallback = {}) const;
  std::vector<double> numbers(const std::string &key, Range range = {},
                              bool allow_empty = false) const;
  std::vector<std::int64_t> integers(const std::string &key, Range range = {},
                                     bool allow_empty = false) const;

  /// Marks a key as read without reading it (for keys handled elsewhere).
  void accept(const std::string &key) const { used_.insert(key); }
  /// Error on the first key that was never read.
  void finish() const;

private:
  void require_object() const;
  const json *member(const std::string &key) const;

  const json *value_;
  std::string file_;
  std::string path_;
  mutable std::set<std::string> used_;
};

/// Name of a JSON type for messages ("string", "number", ...).
std::string json_type_name(const json &v);

} // namespace nebench
