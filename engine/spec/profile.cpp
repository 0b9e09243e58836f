#include "engine/spec/profile.h"

#include "engine/core/errors.h"

#include <cctype>
#include <vector>

namespace nebench {

namespace {

struct Component {
  enum class Kind { key, index, wildcard } kind = Kind::key;
  std::string key;       ///< object key (also tried as an index on arrays)
  std::size_t index = 0; ///< for Kind::index
  std::string text;      ///< as written, for messages
};

bool all_digits(const std::string &s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

std::size_t to_index(const std::string &digits) {
  if (digits.size() > 9)
    return static_cast<std::size_t>(-1); // certainly out of range
  return static_cast<std::size_t>(std::stoul(digits));
}

template <class Json> class ProfileApplier {
public:
  ProfileApplier(const std::string &file, const std::string &profile,
                 const std::string &override_key)
      : file_(file), where_("profiles." + profile + "." + override_key),
        key_(override_key) {}

  [[noreturn]] void fail(const std::string &message) const {
    throw SpecError(file_, where_, message);
  }

  std::vector<Component> parse_path() const {
    std::vector<Component> out;
    if (key_.empty())
      fail("empty override path");
    std::size_t start = 0;
    for (;;) {
      const std::size_t dot = key_.find('.', start);
      const std::string seg = key_.substr(
          start, dot == std::string::npos ? std::string::npos : dot - start);
      parse_segment(seg, out);
      if (dot == std::string::npos)
        break;
      start = dot + 1;
    }
    const std::string &first = out.front().key;
    if (out.front().kind == Component::Kind::key &&
        (first == "id" || first == "paper" || first == "profiles"))
      fail("a profile cannot override \"" + first + "\"");
    return out;
  }

  void parse_segment(const std::string &seg,
                     std::vector<Component> &out) const {
    if (seg.empty())
      fail("empty component in path \"" + key_ + "\"");
    const std::size_t bracket = seg.find('[');
    const std::string head = seg.substr(0, bracket);
    if (head.empty())
      fail("component \"" + seg + "\" must start with a key or \"*\"");
    if (head.find(']') != std::string::npos)
      fail("unbalanced ']' in component \"" + seg + "\"");
    Component c;
    c.text = head;
    if (head == "*")
      c.kind = Component::Kind::wildcard;
    else
      c.key = head;
    out.push_back(c);
    std::size_t p = bracket;
    while (p != std::string::npos && p < seg.size()) {
      if (seg[p] != '[')
        fail("expected '[' in component \"" + seg + "\"");
      const std::size_t close = seg.find(']', p);
      if (close == std::string::npos)
        fail("missing ']' in component \"" + seg + "\"");
      const std::string inner = seg.substr(p + 1, close - p - 1);
      Component ic;
      ic.text = "[" + inner + "]";
      if (inner == "*") {
        ic.kind = Component::Kind::wildcard;
      } else if (all_digits(inner)) {
        ic.kind = Component::Kind::index;
        ic.index = to_index(inner);
      } else {
        fail("\"[" + inner + "]\" in component \"" + seg +
             "\" must be an index or [*]");
      }
      out.push_back(ic);
      p = close + 1;
    }
  }

  /// Applies the override; returns the number of values set.
  std::size_t apply(Json &spec, const Json &value) {
    comps_ = parse_path();
    value_ = &value;
    count_ = 0;
    walk(spec, 0, false, "");
    if (count_ == 0)
      fail("matches nothing in the spec (wildcards only select existing "
           "values)");
    return count_;
  }

private:
  static std::string join(const std::string &base, const std::string &key) {
    return base.empty() ? key : base + "." + key;
  }
  static std::string describe(const std::string &path) {
    return path.empty() ? "the spec root" : path;
  }
  static std::string type_name(const Json &v) {
    if (v.is_object())
      return "an object";
    if (v.is_array())
      return "an array";
    if (v.is_string())
      return "a string";
    if (v.is_number())
      return "a number";
    if (v.is_boolean())
      return "a boolean";
    return "null";
  }

  void set(Json &slot) {
    slot = *value_;
    ++count_;
  }

  /// Visits `node` (at JSON path `path`) with component i. `wild` is true
  /// once a wildcard was passed: then missing parts skip instead of failing.
  void walk(Json &node, std::size_t i, bool wild, const std::string &path) {
    const Component &c = comps_[i];
    const bool last = i + 1 == comps_.size();
    auto step = [&](Json &child, const std::string &child_path, bool w) {
      if (last)
        set(child);
      else
        walk(child, i + 1, w, child_path);
    };

    if (c.kind == Component::Kind::wildcard) {
      if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it)
          step(it.value(), join(path, it.key()), true);
      } else if (node.is_array()) {
        for (std::size_t j = 0; j < node.size(); ++j)
          step(node[j], path + "[" + std::to_string(j) + "]", true);
      } else if (!wild) {
        fail("\"*\" needs an object or array, but " + describe(path) + " is " +
             type_name(node));
      }
      return;
    }

    if (node.is_array()) {
      std::size_t j = c.index;
      if (c.kind == Component::Kind::key) {
        if (!all_digits(c.key)) {
          if (wild)
            return;
          fail("component \"" + c.text + "\": " + describe(path) +
               " is an array; use an index or \"*\"");
        }
        j = to_index(c.key);
      }
      if (j >= node.size()) {
        if (wild)
          return;
        fail("component \"" + c.text + "\": index out of range, " +
             describe(path) + " has " + std::to_string(node.size()) +
             " element" + (node.size() == 1 ? "" : "s"));
      }
      step(node[j], path + "[" + std::to_string(j) + "]", wild);
      return;
    }

    if (c.kind == Component::Kind::index || !node.is_object()) {
      if (wild)
        return;
      fail("component \"" + c.text + "\": " + describe(path) + " is " +
           type_name(node) + ", not " +
           (c.kind == Component::Kind::index ? "an array" : "an object"));
    }

    auto it = node.find(c.key);
    if (it == node.end()) {
      if (wild)
        return;
      if (!last)
        fail("component \"" + c.text + "\": no key \"" + c.key + "\" in " +
             describe(path));
      set(node[c.key]); // a missing last key is created
      return;
    }
    step(it.value(), join(path, c.key), wild);
  }

  const std::string &file_;
  std::string where_;
  std::string key_;
  std::vector<Component> comps_;
  const Json *value_ = nullptr;
  std::size_t count_ = 0;
};

template <class Json>
void apply_profile_impl(Json &spec, const Json &overrides,
                        const std::string &file,
                        const std::string &profile_name) {
  if (!overrides.is_object())
    throw SpecError(file, "profiles." + profile_name,
                    "must be an object of {\"path\": value} overrides");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    ProfileApplier<Json> applier(file, profile_name, it.key());
    applier.apply(spec, it.value());
  }
}

} // namespace

void apply_profile(nlohmann::json &spec, const nlohmann::json &overrides,
                   const std::string &file, const std::string &profile_name) {
  apply_profile_impl(spec, overrides, file, profile_name);
}

void apply_profile(nlohmann::ordered_json &spec,
                   const nlohmann::ordered_json &overrides,
                   const std::string &file, const std::string &profile_name) {
  apply_profile_impl(spec, overrides, file, profile_name);
}

} // namespace nebench
