#include "engine/core/spec_node.h"

#include "engine/core/errors.h"

#include <cmath>
#include <sstream>

namespace nebench {

namespace {
std::string format_number(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s << v;
  return s.str();
}
} // namespace

bool Range::contains(double v) const {
  if (std::isnan(v))
    return false;
  if (lo_open ? !(v > lo) : !(v >= lo))
    return false;
  if (hi_open ? !(v < hi) : !(v <= hi))
    return false;
  return true;
}

std::string Range::describe() const {
  return std::string(lo_open ? "(" : "[") + format_number(lo) + ", " +
         format_number(hi) + (hi_open ? ")" : "]");
}

std::string json_type_name(const json &v) {
  switch (v.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "boolean";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    return "integer";
  case json::value_t::number_float:
    return "number";
  case json::value_t::string:
    return "string";
  case json::value_t::array:
    return "array";
  case json::value_t::object:
    return "object";
  default:
    return "value";
  }
}

SpecNode::SpecNode(const json &value, std::string file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

std::string SpecNode::path_of(const std::string &key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void SpecNode::fail(const std::string &message) const {
  throw SpecError(file_, path_, message);
}

void SpecNode::fail_at(const std::string &key,
                       const std::string &message) const {
  throw SpecError(file_, path_of(key), message);
}

void SpecNode::require_object() const {
  if (!value_->is_object())
    fail("must be an object, got " + json_type_name(*value_));
}

bool SpecNode::has(const std::string &key) const {
  return value_->is_object() && value_->contains(key);
}

const json *SpecNode::member(const std::string &key) const {
  require_object();
  used_.insert(key);
  auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

SpecNode SpecNode::child(const std::string &key) const {
  const json *m = member(key);
  if (!m)
    fail_at(key, "required key is missing");
  return SpecNode(*m, file_, path_of(key));
}

std::optional<SpecNode> SpecNode::optional_child(const std::string &key) const {
  const json *m = member(key);
  if (!m)
    return std::nullopt;
  return SpecNode(*m, file_, path_of(key));
}

SpecNode SpecNode::at(std::size_t index) const {
  if (!value_->is_array())
    fail("must be an array, got " + json_type_name(*value_));
  if (index >= value_->size())
    fail("index " + std::to_string(index) + " out of range");
  return SpecNode((*value_)[index], file_,
                  path_ + "[" + std::to_string(index) + "]");
}

std::size_t SpecNode::size() const {
  if (!value_->is_array())
    fail("must be an array, got " + json_type_name(*value_));
  return value_->size();
}

double SpecNode::number(const std::string &key, std::optional<double> fallback,
                        Range range) const {
  const json *m = member(key);
  if (!m) {
    if (fallback)
      return *fallback;
    fail_at(key, "required key is missing");
  }
  if (!m->is_number())
    fail_at(key, "must be a number, got " + json_type_name(*m));
  const double v = m->get<double>();
  if (!std::isfinite(v) || !range.contains(v))
    fail_at(key,
            "must be in " + range.describe() + ", got " + format_number(v));
  return v;
}

std::int64_t SpecNode::integer(const std::string &key,
                               std::optional<std::int64_t> fallback,
                               Range range) const {
  const json *m = member(key);
  if (!m) {
    if (fallback)
      return *fallback;
    fail_at(key, "required key is missing");
  }
  if (m->is_number_float()) {
    const double d = m->get<double>();
    if (std::floor(d) != d || std::fabs(d) > 9.0e15)
      fail_at(key, "must be an integer, got " + format_number(d));
  } else if (!m->is_number_integer()) {
    fail_at(key, "must be an integer, got " + json_type_name(*m));
  }
  if (m->is_number_unsigned() &&
      m->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail_at(key, "integer too large");
  const auto v = m->is_number_float()
                     ? static_cast<std::int64_t>(m->get<double>())
                     : m->get<std::int64_t>();
  if (!range.contains(static_cast<double>(v)))
    fail_at(key,
            "must be in " + range.describe() + ", got " + std::to_string(v));
  return v;
}

std::string SpecNode::string(const std::string &key,
                             std::optional<std::string> fallback,
                             const std::vector<std::string> &allowed) const {
  const json *m = member(key);
  if (!m) {
    if (fallback)
      return *fallback;
    fail_at(key, "required key is missing");
  }
  if (!m->is_string())
    fail_at(key, "must be a string, got " + json_type_name(*m));
  auto v = m->get<std::string>();
  if (!allowed.empty()) {
    for (const auto &a : allowed)
      if (a == v)
        return v;
    std::string list;
    for (const auto &a : allowed)
      list += (list.empty() ? "" : ", ") + a;
    fail_at(key, "must be one of {" + list + "}, got \"" + v + "\"");
  }
  return v;
}

bool SpecNode::boolean(const std::string &key,
                       std::optional<bool> fallback) const {
  const json *m = member(key);
  if (!m) {
    if (fallback)
      return *fallback;
    fail_at(key, "required key is missing");
  }
  if (!m->is_boolean())
    fail_at(key, "must be a boolean, got " + json_type_name(*m));
  return m->get<bool>();
}

std::vector<double> SpecNode::numbers(const std::string &key, Range range,
                                      bool allow_empty) const {
  SpecNode arr = child(key);
  if (!arr.is_array())
    arr.fail("must be an array of numbers, got " + json_type_name(arr.raw()));
  if (arr.size() == 0 && !allow_empty)
    arr.fail("must not be empty");
  std::vector<double> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json &e = arr.raw()[i];
    const std::string p = arr.path() + "[" + std::to_string(i) + "]";
    if (!e.is_number())
      throw SpecError(file_, p, "must be a number, got " + json_type_name(e));
    const double v = e.get<double>();
    if (!range.contains(v))
      throw SpecError(file_, p,
                      "must be in " + range.describe() + ", got " +
                          format_number(v));
    out.push_back(v);
  }
  return out;
}

std::vector<std::int64_t> SpecNode::integers(const std::string &key,
                                             Range range,
                                             bool allow_empty) const {
  const auto values = numbers(key, range, allow_empty);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::floor(values[i]) != values[i] || std::fabs(values[i]) > 9.0e15)
      throw SpecError(file_, path_of(key) + "[" + std::to_string(i) + "]",
                      "must be an integer, got " + format_number(values[i]));
    out.push_back(static_cast<std::int64_t>(values[i]));
  }
  return out;
}

void SpecNode::finish() const {
  if (!value_->is_object())
    return;
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    if (used_.count(it.key()))
      continue;
    std::string known;
    for (const auto &k : used_)
      known += (known.empty() ? "" : ", ") + k;
    fail_at(it.key(),
            "unknown key" + (known.empty() ? std::string()
                                           : " (known here: " + known + ")"));
  }
}

} // namespace nebench
