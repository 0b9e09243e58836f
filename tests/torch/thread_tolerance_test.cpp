// LibTorch methods on CPU across intra-op thread counts (issue 9): with the
// same seed, a run at torch_threads 1 and one at 2 must agree within a
// stated tolerance. Bitwise equality is not promised: with more threads
// LibTorch (and the BLAS under it) splits reductions such as matmul and sum
// differently, so float rounding differs by ~1e-7 relative per operation and
// training carries it forward. Sampling and initialization draw from the
// run's seed alone, so the runs take the same batches; what remains is
// rounding, which the tolerance bounds.
//
// Tolerance: the largest coordinate difference is at most 1e-3 of the
// embedding's RMS coordinate. A method that sampled or initialized per
// thread, or whose result depended on the scheduling, would differ by O(1)
// of the RMS and fail. Measured on Debian's LibTorch 1.13 with OpenBLAS
// (2 cores): both methods give identical bits at 1 and 2 threads (relative
// difference 0, recorded as a test property), as OpenBLAS splits sgemm
// over output blocks and these tensors stay below LibTorch's parallel-sum
// grain; the tolerance is what the test promises beyond this build.

#include "datasets/stochastic_block_model.h"
#include "engine/core/rng.h"
#include "engine/ne/method.h"
#include "tests/affinity/test_graphs.h"
#include "tests/torch/torch_method_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace nebench {
namespace {

constexpr double kRelativeTolerance = 1e-3;

/// max |a - b| over the RMS coordinate of a.
double relative_max_difference(const MatrixD &a, const MatrixD &b) {
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.cols, b.cols);
  double max_diff = 0, sum_sq = 0;
  for (std::size_t e = 0; e < a.data.size(); ++e) {
    max_diff = std::max(max_diff, std::abs(a.data[e] - b.data[e]));
    sum_sq += a.data[e] * a.data[e];
  }
  return max_diff / std::sqrt(sum_sq / static_cast<double>(a.data.size()));
}

/// `spec` (a method object without torch_threads) at 1 and at 2 threads.
template <class RunFn>
void expect_thread_counts_agree(const std::string &spec, RunFn run) {
  const auto with_threads = [&](int threads) {
    std::string s = spec;
    s.insert(s.rfind('}'), ", \"torch_threads\": " + std::to_string(threads));
    return run(make_torch_method(s));
  };
  const MatrixD one = with_threads(1), two = with_threads(2),
                two_again = with_threads(2);
  const double across = relative_max_difference(one, two);
  const double repeat = relative_max_difference(two, two_again);
  std::ostringstream value;
  value << across;
  ::testing::Test::RecordProperty("relative_difference_1_vs_2_threads",
                                  value.str());
  EXPECT_LE(across, kRelativeTolerance) << spec;
  EXPECT_LE(repeat, kRelativeTolerance) << spec;
}

TEST(TorchThreadTolerance, GraphCneAtOneAndTwoThreads) {
  // 600 nodes, 64-D: the batches' matmuls and sums are large enough for
  // LibTorch to split them over threads.
  SbmOptions o;
  o.n_blocks = 4;
  o.n_per_block = 150;
  o.p_in = 0.1;
  o.p_out = 0.01;
  o.seed = 5;
  const LabeledGraph g = stochastic_block_model(o);
  expect_thread_counts_agree(
      R"({"type": "graph_cne", "dim": 64, "epochs": 5, "batch_size": 512})",
      [&](std::unique_ptr<Method> method) {
        Problem problem;
        problem.adjacency = &g.graph;
        RunContext ctx;
        ctx.seed = 11;
        return method->run(problem, ctx).embedding;
      });
}

TEST(TorchThreadTolerance, ParametricCneAtOneAndTwoThreads) {
  // 1,000 points of 4 Gaussian clusters in 20-D through the paper's
  // 100-100-100 MLP.
  const int per = 250, k = 4, d = 20;
  Rng rng(9);
  Matrix X(per * k, d);
  std::vector<std::int32_t> labels;
  for (int i = 0; i < per * k; ++i) {
    labels.push_back(i % k);
    for (int j = 0; j < d; ++j)
      X(i, j) = static_cast<float>(3.0 * ((i % k) == j % k) + rng.normal());
  }
  const KnnGraph graph = testing::brute_force_graph(X, 15);
  expect_thread_counts_agree(
      R"({"type": "cne", "parametric": true, "loss": "infonce", "k": 10,
          "batch_size": 256, "epochs": 3})",
      [&](std::unique_ptr<Method> method) {
        RunContext ctx;
        ctx.seed = 4;
        return method->run(Problem{&X, &graph, &labels}, ctx).embedding;
      });
}

} // namespace
} // namespace nebench
