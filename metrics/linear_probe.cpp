#include "metrics/linear_probe.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <string>

namespace nebench {

double softmax_objective(const Eigen::VectorXd &theta, const Eigen::MatrixXd &x,
                         const std::vector<int> &y, int classes, double l2,
                         Eigen::VectorXd &grad) {
  const Eigen::Index m = x.rows(), d = x.cols(), K = classes;
  const Eigen::Map<const Eigen::MatrixXd> W(theta.data(), d, K);
  const Eigen::Map<const Eigen::VectorXd> b(theta.data() + d * K, K);
  Eigen::MatrixXd P = x * W;
  P.rowwise() += b.transpose();
  double loss = 0.0;
  for (Eigen::Index i = 0; i < m; ++i) {
    // Log-sum-exp with the row maximum subtracted: no overflow.
    const double top = P.row(i).maxCoeff();
    P.row(i).array() = (P.row(i).array() - top).exp();
    const double sum = P.row(i).sum();
    loss += std::log(sum) - std::log(P(i, y[i]));
    P.row(i) /= sum;
    P(i, y[i]) -= 1.0; // dl/dlogits = p - onehot(y)
  }
  const double inv_m = 1.0 / static_cast<double>(m);
  grad.resize(theta.size());
  Eigen::Map<Eigen::MatrixXd> gW(grad.data(), d, K);
  Eigen::Map<Eigen::VectorXd> gb(grad.data() + d * K, K);
  gW.noalias() = inv_m * x.transpose() * P + l2 * W;
  gb = inv_m * P.colwise().sum().transpose();
  return loss * inv_m + 0.5 * l2 * W.squaredNorm();
}

namespace {

/// Eigen's OpenMP thread count for a scope. The probe's products are small
/// (m x d times d x K); a parallel region per product costs more than it
/// saves, and on a loaded machine each one waits for a descheduled thread
/// (a probe on 1,600 x 64 features took minutes instead of a second).
class EigenThreadsScope {
public:
  explicit EigenThreadsScope(int n) : saved_(Eigen::nbThreads()) {
    Eigen::setNbThreads(n);
  }
  ~EigenThreadsScope() { Eigen::setNbThreads(saved_); }
  EigenThreadsScope(const EigenThreadsScope &) = delete;
  EigenThreadsScope &operator=(const EigenThreadsScope &) = delete;

private:
  int saved_;
};

} // namespace

Eigen::VectorXd fit_softmax(const Eigen::MatrixXd &x, const std::vector<int> &y,
                            int classes, const LinearProbeParams &params) {
  const EigenThreadsScope one_thread(1);
  const Eigen::Index size = (x.cols() + 1) * classes;
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(size), grad, next_grad;
  double f = softmax_objective(theta, x, y, classes, params.l2, grad);
  // L-BFGS memory: pairs s = theta' - theta, t = grad' - grad.
  std::deque<std::pair<Eigen::VectorXd, Eigen::VectorXd>> memory;
  constexpr std::size_t kPairs = 10;
  for (int it = 0; it < params.max_iterations; ++it) {
    if (grad.lpNorm<Eigen::Infinity>() < params.gradient_tolerance)
      break;
    // Two-loop recursion: direction = -H grad.
    Eigen::VectorXd q = grad;
    std::vector<double> alpha(memory.size());
    for (std::size_t k = memory.size(); k-- > 0;) {
      const auto &[s, t] = memory[k];
      alpha[k] = s.dot(q) / t.dot(s);
      q -= alpha[k] * t;
    }
    if (!memory.empty()) {
      const auto &[s, t] = memory.back();
      q *= s.dot(t) / t.squaredNorm();
    } else {
      q /= std::max(1.0, grad.norm()); // first step of length <= 1
    }
    for (std::size_t k = 0; k < memory.size(); ++k) {
      const auto &[s, t] = memory[k];
      q += s * (alpha[k] - t.dot(q) / t.dot(s));
    }
    Eigen::VectorXd direction = -q;
    double slope = grad.dot(direction);
    if (!(slope < 0)) { // not a descent direction: restart from the gradient
      memory.clear();
      direction = -grad / std::max(1.0, grad.norm());
      slope = grad.dot(direction);
    }
    // Armijo backtracking from the full quasi-Newton step.
    double step = 1.0, next_f = 0.0;
    Eigen::VectorXd next;
    bool accepted = false;
    for (int tries = 0; tries < 40; ++tries, step *= 0.5) {
      next = theta + step * direction;
      next_f = softmax_objective(next, x, y, classes, params.l2, next_grad);
      if (next_f <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted)
      break; // no decrease representable: at the optimum to rounding
    Eigen::VectorXd s = next - theta, t = next_grad - grad;
    if (s.dot(t) > 1e-12 * s.norm() * t.norm()) {
      memory.emplace_back(std::move(s), std::move(t));
      if (memory.size() > kPairs)
        memory.pop_front();
    }
    theta = std::move(next);
    grad = next_grad;
    f = next_f;
  }
  return theta;
}

double linear_probe_accuracy_on_split(const MatrixD &x,
                                      const std::vector<std::int32_t> &labels,
                                      const Split &split,
                                      const LinearProbeParams &params) {
  if (static_cast<std::int64_t>(labels.size()) != x.rows)
    throw NebenchError("linear_probe: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(x.rows) + " points");
  if (split.train.empty() || split.test.empty())
    throw NebenchError("linear_probe: the split needs training and test "
                       "points");
  const Eigen::Index d = x.cols;
  // Classes of the training points, numbered in ascending label order.
  std::map<std::int32_t, int> class_of;
  for (std::int64_t i : split.train)
    class_of.emplace(labels[static_cast<std::size_t>(i)], 0);
  int classes = 0;
  for (auto &[label, c] : class_of)
    c = classes++;
  auto rows = [&](const std::vector<std::int64_t> &idx) {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(idx.size()), d);
    for (std::size_t r = 0; r < idx.size(); ++r)
      for (Eigen::Index j = 0; j < d; ++j)
        out(static_cast<Eigen::Index>(r), j) = x(idx[r], j);
    return out;
  };
  Eigen::MatrixXd train = rows(split.train), test = rows(split.test);
  // Standardise with the training statistics.
  const Eigen::RowVectorXd mean = train.colwise().mean();
  Eigen::RowVectorXd scale =
      ((train.rowwise() - mean).array().square().colwise().mean()).sqrt();
  for (Eigen::Index j = 0; j < d; ++j)
    scale[j] = scale[j] > 0 ? 1.0 / scale[j] : 1.0;
  train = (train.rowwise() - mean).array().rowwise() * scale.array();
  test = (test.rowwise() - mean).array().rowwise() * scale.array();
  std::vector<int> y;
  y.reserve(split.train.size());
  for (std::int64_t i : split.train)
    y.push_back(class_of.at(labels[static_cast<std::size_t>(i)]));
  if (classes < 2) // one class: every prediction is that class
    return static_cast<double>(std::count_if(
               split.test.begin(), split.test.end(),
               [&](std::int64_t i) {
                 return class_of.count(labels[static_cast<std::size_t>(i)]);
               })) /
           static_cast<double>(split.test.size());
  const Eigen::VectorXd theta = fit_softmax(train, y, classes, params);
  const Eigen::Map<const Eigen::MatrixXd> W(theta.data(), d, classes);
  const Eigen::Map<const Eigen::VectorXd> b(theta.data() + d * classes,
                                            classes);
  Eigen::MatrixXd logits = test * W;
  logits.rowwise() += b.transpose();
  std::vector<std::int32_t> label_of(static_cast<std::size_t>(classes));
  for (const auto &[label, c] : class_of)
    label_of[static_cast<std::size_t>(c)] = label;
  std::int64_t correct = 0;
  for (std::size_t r = 0; r < split.test.size(); ++r) {
    Eigen::Index best;
    logits.row(static_cast<Eigen::Index>(r)).maxCoeff(&best);
    correct += label_of[static_cast<std::size_t>(best)] ==
               labels[static_cast<std::size_t>(split.test[r])];
  }
  return static_cast<double>(correct) / static_cast<double>(split.test.size());
}

double linear_probe_accuracy(const MatrixD &x,
                             const std::vector<std::int32_t> &labels,
                             double test_fraction, std::uint64_t seed,
                             const LinearProbeParams &params) {
  return linear_probe_accuracy_on_split(
      x, labels, stratified_split(labels, test_fraction, seed), params);
}

} // namespace nebench
