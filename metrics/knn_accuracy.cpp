#include "metrics/knn_accuracy.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/embedding_knn.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace nebench {

Split stratified_split(const std::vector<std::int32_t> &labels,
                       double test_fraction, std::uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    throw NebenchError("stratified_split: test_fraction must be in (0, 1), "
                       "got " +
                       std::to_string(test_fraction));
  // std::map: classes in ascending label order, members in ascending index.
  std::map<std::int32_t, std::vector<std::int64_t>> classes;
  for (std::size_t i = 0; i < labels.size(); ++i)
    classes[labels[i]].push_back(static_cast<std::int64_t>(i));
  Rng rng(seed);
  Split s;
  for (auto &[label, members] : classes) {
    rng.shuffle(members);
    const auto count = static_cast<std::int64_t>(members.size());
    const std::int64_t n_test = std::min<std::int64_t>(
        std::llround(test_fraction * static_cast<double>(count)), count - 1);
    s.test.insert(s.test.end(), members.begin(), members.begin() + n_test);
    s.train.insert(s.train.end(), members.begin() + n_test, members.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.test.begin(), s.test.end());
  return s;
}

std::vector<std::int32_t> knn_predict(const MatrixD &y,
                                      const std::vector<std::int32_t> &labels,
                                      const Split &split, int k) {
  if (static_cast<std::int64_t>(labels.size()) != y.rows)
    throw NebenchError("knn_predict: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(y.rows) + " points");
  if (k < 1)
    throw NebenchError("knn_predict: k must be >= 1, got " + std::to_string(k));
  if (split.train.empty())
    throw NebenchError("knn_predict: the training split is empty");
  const MatrixD train = select_rows(y, split.train);
  const MatrixD test = select_rows(y, split.test);
  const int kk = static_cast<int>(
      std::min<std::int64_t>(k, static_cast<std::int64_t>(split.train.size())));
  const KnnGraph nn = nearest_in(train, test, kk);

  std::vector<std::int32_t> pred(split.test.size());
#pragma omp parallel
  {
    std::vector<std::pair<std::int32_t, int>> votes; // label, count
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < static_cast<std::int64_t>(pred.size()); ++r) {
      // Votes in neighbour order: the first class to reach the top count
      // in the list is the one whose nearest member is nearest among the
      // tied classes, because votes[] keeps first-appearance order.
      votes.clear();
      for (int c = 0; c < kk; ++c) {
        const std::int32_t lab = labels[split.train[nn.neighbors(r)[c]]];
        auto it = std::find_if(votes.begin(), votes.end(),
                               [&](const auto &v) { return v.first == lab; });
        if (it == votes.end())
          votes.emplace_back(lab, 1);
        else
          ++it->second;
      }
      auto best = votes.begin();
      for (auto it = votes.begin(); it != votes.end(); ++it)
        if (it->second > best->second) // strict: earlier class wins ties
          best = it;
      pred[r] = best->first;
    }
  }
  return pred;
}

double knn_accuracy_on_split(const MatrixD &y,
                             const std::vector<std::int32_t> &labels,
                             const Split &split, int k) {
  if (split.test.empty())
    throw NebenchError("knn_accuracy: the test split is empty");
  const auto pred = knn_predict(y, labels, split, k);
  std::int64_t correct = 0;
  for (std::size_t r = 0; r < pred.size(); ++r)
    if (pred[r] == labels[split.test[r]])
      ++correct;
  return static_cast<double>(correct) / static_cast<double>(pred.size());
}

double knn_accuracy(const MatrixD &y, const std::vector<std::int32_t> &labels,
                    int k, double test_fraction, std::uint64_t seed) {
  if (static_cast<std::int64_t>(labels.size()) != y.rows)
    throw NebenchError("knn_accuracy: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(y.rows) + " points");
  return knn_accuracy_on_split(
      y, labels, stratified_split(labels, test_fraction, seed), k);
}

} // namespace nebench
