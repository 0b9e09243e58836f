#include "engine/spec/expression.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace nebench {

namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

class Parser {
public:
  Parser(const std::string &text, const std::map<std::string, double> &vars)
      : s_(text), vars_(vars) {}

  double parse() {
    skip_space();
    if (pos_ == s_.size())
      fail("empty expression", pos_);
    const double v = expr();
    skip_space();
    if (pos_ != s_.size())
      fail(std::string("unexpected '") + s_[pos_] + "'", pos_);
    return v;
  }

private:
  [[noreturn]] void fail(const std::string &message, std::size_t at) const {
    throw ExpressionError(message, at + 1);
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }

  /// Consumes `c` (after spaces) if it is next.
  bool accept(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!accept(c))
      fail(std::string("expected '") + c + "'" +
               (pos_ < s_.size() ? std::string(", found '") + s_[pos_] + "'"
                                 : std::string(", found end of expression")),
           pos_);
  }

  /// Every value the user can produce must stay finite: a NaN or inf
  /// parameter would only fail much later, far from its cause.
  double finite(double v, const std::string &what, std::size_t at) const {
    if (!std::isfinite(v))
      fail(what + " is not finite", at);
    return v;
  }

  double expr() {
    double v = term();
    for (;;) {
      skip_space();
      const std::size_t at = pos_;
      if (accept('+'))
        v = finite(v + term(), "sum", at);
      else if (accept('-'))
        v = finite(v - term(), "difference", at);
      else
        return v;
    }
  }

  double term() {
    double v = unary();
    for (;;) {
      skip_space();
      const std::size_t at = pos_;
      if (accept('*')) {
        v = finite(v * unary(), "product", at);
      } else if (accept('/')) {
        const double d = unary();
        if (d == 0.0)
          fail("division by zero", at);
        v = finite(v / d, "quotient", at);
      } else {
        return v;
      }
    }
  }

  double unary() {
    if (accept('-'))
      return -unary();
    if (accept('+'))
      return unary();
    return power();
  }

  double power() {
    const double base = primary();
    skip_space();
    const std::size_t at = pos_;
    if (accept('^')) {
      // The exponent is parsed as a unary, so 2^-1 works and 2^3^2 = 2^(3^2).
      const double e = unary();
      return finite(std::pow(base, e), "power", at);
    }
    return base;
  }

  double number() {
    const std::size_t start = pos_;
    // Scan the accepted grammar first: from_chars alone would also take
    // "inf", "nan" and hex forms that have no place in a spec.
    while (pos_ < s_.size() && is_digit(s_[pos_]))
      ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      const std::size_t frac = pos_;
      while (pos_ < s_.size() && is_digit(s_[pos_]))
        ++pos_;
      if (pos_ == frac && pos_ - 1 == start)
        fail("malformed number", start);
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < s_.size() && (s_[p] == '+' || s_[p] == '-'))
        ++p;
      if (p >= s_.size() || !is_digit(s_[p]))
        fail("malformed exponent in number", pos_);
      while (p < s_.size() && is_digit(s_[p]))
        ++p;
      pos_ = p;
    }
    if (pos_ < s_.size() && (is_name_char(s_[pos_]) || s_[pos_] == '.'))
      fail("malformed number", start);
    double v = 0.0;
    const auto r = std::from_chars(s_.data() + start, s_.data() + pos_, v);
    if (r.ec != std::errc() || r.ptr != s_.data() + pos_)
      fail("malformed number", start);
    return finite(v, "number", start);
  }

  std::string name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  double primary() {
    skip_space();
    if (pos_ == s_.size())
      fail("unexpected end of expression", pos_);
    const std::size_t at = pos_;
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      const double v = expr();
      expect(')');
      return v;
    }
    if (is_digit(c) || c == '.')
      return number();
    if (c == '$') {
      ++pos_;
      if (pos_ == s_.size() || !is_name_start(s_[pos_]))
        fail("expected a variable name after '$'", at);
      const std::string n = name();
      const auto it = vars_.find(n);
      if (it == vars_.end()) {
        std::string known;
        for (const auto &[k, v] : vars_)
          known += (known.empty() ? "$" : ", $") + k;
        fail("unknown variable $" + n +
                 (known.empty() ? " (no variables defined)"
                                : " (known: " + known + ")"),
             at);
      }
      return finite(it->second, "variable $" + n, at);
    }
    if (is_name_start(c))
      return call(name(), at);
    fail(std::string("unexpected '") + c + "'", at);
  }

  double call(const std::string &fn, std::size_t at) {
    static const std::map<std::string, std::pair<int, int>> arity = {
        {"min", {2, -1}}, {"max", {2, -1}}, {"pow", {2, 2}},
        {"log", {1, 1}},  {"log2", {1, 1}}, {"log10", {1, 1}},
        {"exp", {1, 1}},  {"sqrt", {1, 1}}, {"abs", {1, 1}}};
    const auto it = arity.find(fn);
    skip_space();
    const bool paren = pos_ < s_.size() && s_[pos_] == '(';
    if (it == arity.end() && !paren)
      fail("unknown name " + fn + " (variables are written $" + fn + ")", at);
    if (it == arity.end())
      fail("unknown function " + fn +
               " (known: min, max, pow, log, log2, log10, exp, sqrt, abs)",
           at);
    if (!paren)
      fail("expected '(' after function " + fn, pos_);
    ++pos_;
    std::vector<double> args{expr()};
    while (accept(','))
      args.push_back(expr());
    expect(')');
    const auto [lo, hi] = it->second;
    const int n = static_cast<int>(args.size());
    if (n < lo || (hi >= 0 && n > hi))
      fail(fn + " takes " +
               (lo == hi ? std::to_string(lo)
                         : std::to_string(lo) + " or more") +
               " argument" + (lo == 1 && hi == 1 ? "" : "s") + ", got " +
               std::to_string(n),
           at);
    double v = 0.0;
    if (fn == "min" || fn == "max") {
      v = args[0];
      for (double a : args)
        v = fn == "min" ? std::min(v, a) : std::max(v, a);
    } else if (fn == "pow") {
      v = std::pow(args[0], args[1]);
    } else if (fn == "log") {
      v = std::log(args[0]);
    } else if (fn == "log2") {
      v = std::log2(args[0]);
    } else if (fn == "log10") {
      v = std::log10(args[0]);
    } else if (fn == "exp") {
      v = std::exp(args[0]);
    } else if (fn == "sqrt") {
      v = std::sqrt(args[0]);
    } else {
      v = std::fabs(args[0]);
    }
    return finite(v, fn + "(...)", at);
  }

  const std::string &s_;
  const std::map<std::string, double> &vars_;
  std::size_t pos_ = 0;
};

} // namespace

double evaluate_expression(const std::string &text,
                           const std::map<std::string, double> &variables) {
  return Parser(text, variables).parse();
}

bool is_expression(const std::string &text) {
  return text.find('$') != std::string::npos;
}

} // namespace nebench
