#include "engine/spec/expression.h"

#include <cmath>
#include <gtest/gtest.h>

namespace nebench {
namespace {

const std::map<std::string, double> kVars = {
    {"rho", 4.0}, {"seed", 3.0}, {"n", 1000.0}, {"zero", 0.0}};

double eval(const std::string &s) { return evaluate_expression(s, kVars); }

/// The error message of evaluating `s` ("" if it evaluates).
std::string error_of(const std::string &s) {
  try {
    eval(s);
  } catch (const ExpressionError &e) {
    return e.what();
  }
  return "";
}

TEST(Expression, NumbersAndVariables) {
  EXPECT_EQ(eval("42"), 42.0);
  EXPECT_EQ(eval("1e-3"), 0.001);
  EXPECT_EQ(eval("2.5E+2"), 250.0);
  EXPECT_EQ(eval(".5"), 0.5);
  EXPECT_EQ(eval("$rho"), 4.0);
  EXPECT_EQ(eval("  $seed  "), 3.0);
}

TEST(Expression, PrecedenceAndAssociativity) {
  EXPECT_EQ(eval("2*$rho+1"), 9.0);
  EXPECT_EQ(eval("1+2*3"), 7.0);
  EXPECT_EQ(eval("(1+2)*3"), 9.0);
  EXPECT_EQ(eval("10-4-3"), 3.0);  // left-associative
  EXPECT_EQ(eval("64/4/2"), 8.0);  // left-associative
  EXPECT_EQ(eval("2^3^2"), 512.0); // right-associative: 2^(3^2)
  EXPECT_EQ(eval("-2^2"), -4.0);   // ^ binds tighter than unary minus
  EXPECT_EQ(eval("2^-1"), 0.5);
  EXPECT_EQ(eval("-$rho*-2"), 8.0);
  EXPECT_EQ(eval("--3"), 3.0);
  EXPECT_EQ(eval("2*3^2"), 18.0);
  EXPECT_EQ(eval("$n/max(12,$rho)"), 1000.0 / 12.0);
}

TEST(Expression, Functions) {
  EXPECT_EQ(eval("max(12,$rho)"), 12.0);
  EXPECT_EQ(eval("max(1, 30, 2)"), 30.0);
  EXPECT_EQ(eval("min(3,$rho,-1)"), -1.0);
  EXPECT_EQ(eval("pow(2, 10)"), 1024.0);
  EXPECT_DOUBLE_EQ(eval("log(exp(2))"), 2.0);
  EXPECT_EQ(eval("log2(8)"), 3.0);
  EXPECT_EQ(eval("log10(1000)"), 3.0);
  EXPECT_EQ(eval("sqrt(16)"), 4.0);
  EXPECT_EQ(eval("abs(-2.5)"), 2.5);
  EXPECT_EQ(eval("sqrt(abs(-$rho)) + max(min(1,2), 0)"), 3.0);
}

TEST(Expression, ErrorsNamePosition) {
  // Positions are 1-based character positions in the string.
  EXPECT_EQ(error_of("max(12,$rh)"),
            "unknown variable $rh (known: $n, $rho, $seed, $zero) at "
            "position 8");
  EXPECT_EQ(error_of("(1+2"), "expected ')', found end of expression at "
                              "position 5");
  EXPECT_EQ(error_of("1/$zero"), "division by zero at position 2");
  EXPECT_EQ(error_of("log(0)"), "log(...) is not finite at position 1");
  EXPECT_EQ(error_of("sqrt(-1)"), "sqrt(...) is not finite at position 1");
  EXPECT_EQ(error_of("exp(1000)"), "exp(...) is not finite at position 1");
  EXPECT_EQ(error_of("10^400"), "power is not finite at position 3");
  EXPECT_EQ(error_of("1 + foo(2)"),
            "unknown function foo (known: min, max, pow, log, log2, log10, "
            "exp, sqrt, abs) at position 5");
  EXPECT_EQ(error_of("max(1)"),
            "max takes 2 or more arguments, got 1 at position 1");
  EXPECT_EQ(error_of("pow(1,2,3)"),
            "pow takes 2 arguments, got 3 at position 1");
  EXPECT_EQ(error_of("log(1,2)"), "log takes 1 argument, got 2 at position 1");
  EXPECT_EQ(error_of(""), "empty expression at position 1");
  EXPECT_EQ(error_of("2 3"), "unexpected '3' at position 3");
  EXPECT_EQ(error_of("2*"), "unexpected end of expression at position 3");
  EXPECT_EQ(error_of("$"), "expected a variable name after '$' at position 1");
  EXPECT_EQ(error_of("1.2.3"), "malformed number at position 1");
  EXPECT_EQ(error_of("2e"), "malformed exponent in number at position 2");
  EXPECT_EQ(error_of("2*rho"),
            "unknown name rho (variables are written $rho) at position 3");
  EXPECT_EQ(error_of("log 2"), "expected '(' after function log at position 5");
  EXPECT_EQ(error_of("2 # 3"), "unexpected '#' at position 3");
}

TEST(Expression, ErrorCarriesPositionSeparately) {
  try {
    eval("2*$rho+$x");
    FAIL() << "no error";
  } catch (const ExpressionError &e) {
    EXPECT_EQ(e.position(), 8u);
    EXPECT_EQ(e.message().rfind("unknown variable $x", 0), 0u);
  }
}

TEST(Expression, IsExpression) {
  EXPECT_TRUE(is_expression("$rho"));
  EXPECT_TRUE(is_expression("max(12,$rho)"));
  EXPECT_FALSE(is_expression("pca"));
  EXPECT_FALSE(is_expression("2*3"));
}

} // namespace
} // namespace nebench
