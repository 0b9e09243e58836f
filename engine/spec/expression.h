#pragma once
// Arithmetic expressions inside a spec's method object ("max(12,$rho)",
// "2*$rho+1"): the sweep parameters and $seed are the variables. A small
// recursive-descent evaluator, so that a typo names the character where it
// happened instead of silently producing a wrong run.
//
// Grammar (whitespace allowed between tokens):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary ('^' unary)?          right-associative, binds tighter
//                                            than unary minus: -2^2 = -4
//   primary := number | '$' name | name '(' expr (',' expr)* ')' | '(' expr ')'
//   number  := digits ['.' digits] [('e' | 'E') ['+' | '-'] digits] | '.'
//   digits
// Functions: min, max (2 or more arguments), pow (2), log, log2, log10, exp,
// sqrt, abs (1).

#include "engine/core/errors.h"

#include <cstddef>
#include <map>
#include <string>

namespace nebench {

/// A malformed expression, an unknown variable or a non-finite result.
/// what() is "<message> at position <p>", p the 1-based character position.
class ExpressionError : public NebenchError {
public:
  ExpressionError(const std::string &message, std::size_t position)
      : NebenchError(message + " at position " + std::to_string(position)),
        message_(message), position_(position) {}
  /// The message without the position.
  const std::string &message() const { return message_; }
  /// 1-based character position in the expression text.
  std::size_t position() const { return position_; }

private:
  std::string message_;
  std::size_t position_;
};

/// Evaluates `text`; `$name` looks up `variables` (keys without the '$').
/// Throws ExpressionError on any syntax error, unknown variable or function,
/// division by zero, or a result (or intermediate function value) that is
/// not finite.
double evaluate_expression(const std::string &text,
                           const std::map<std::string, double> &variables);

/// True when a spec string is an expression (contains '$').
bool is_expression(const std::string &text);

} // namespace nebench
