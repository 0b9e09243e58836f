#pragma once
// Per-iteration log of an optimization: named columns of equal length
// (iteration, loss, grad_norm, norm_mean, seconds, Z, ...), stored as
// /runs/<id>/trace/<column> in the result file.

#include <map>
#include <string>
#include <vector>

namespace nebench {

struct Trace {
  std::map<std::string, std::vector<double>> columns;

  void push(const std::string &column, double value) {
    columns[column].push_back(value);
  }
  std::size_t length() const {
    return columns.empty() ? 0 : columns.begin()->second.size();
  }
};

} // namespace nebench
