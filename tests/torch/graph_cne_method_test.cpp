// Graph CNE (engine/torch/graph_cne_method.h; papers/graph.md sec. 2):
// strict parsing with JSON paths, the batch size and lr schedule of sec. 2,
// the batch loss against an explicit-loop evaluation of the sec. 2 formula
// (value and finite-difference gradient), an end-to-end run on two cliques
// joined by one edge (communities separate, trace rows = epochs, the lr
// column follows the schedule), seeded bitwise reproducibility, the random-
// init fallback, and the errors for problems without a usable graph.

#include "engine/torch/graph_cne_method.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/ne/method_registry.h"
#include "engine/torch/torch_methods.h"

#include "datasets/stochastic_block_model.h"
#include "tests/torch/torch_method_spec.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace nebench {
namespace {

/// The method built from spec text through the registry, as `nebench
/// validate` builds it (tests/torch/torch_method_spec.h: the node's path is
/// "runs[0].method" in file "s.json").
std::unique_ptr<Method> make(const std::string &text) {
  return make_torch_method(text);
}

std::string spec_error(const std::string &text) {
  return torch_method_spec_error(text);
}

GraphCneParams params_of(const std::string &text) {
  const auto m = make(text);
  const auto *g = dynamic_cast<const GraphCneMethod *>(m.get());
  if (!g)
    throw std::runtime_error("the spec built a method of another class");
  return g->params();
}

/// Symmetric unweighted Csr with sorted columns from an undirected edge list.
Csr graph_of(std::int64_t n,
             const std::vector<std::pair<int, int>> &undirected_edges) {
  std::vector<std::vector<int>> adj(static_cast<std::size_t>(n));
  for (const auto &[i, j] : undirected_edges) {
    adj[i].push_back(j);
    adj[j].push_back(i);
  }
  Csr A;
  A.n = n;
  A.indptr.push_back(0);
  for (auto &row : adj) {
    std::sort(row.begin(), row.end());
    for (const int j : row) {
      A.indices.push_back(j);
      A.values.push_back(1.0);
    }
    A.indptr.push_back(static_cast<std::int64_t>(A.indices.size()));
  }
  return A;
}

/// Two m-cliques (nodes 0..m-1 and m..2m-1) joined by the edge (m-1, m).
Csr two_cliques(int m) {
  std::vector<std::pair<int, int>> edges;
  for (int block = 0; block < 2; ++block)
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j)
        edges.emplace_back(block * m + i, block * m + j);
  edges.emplace_back(m - 1, m);
  return graph_of(2 * m, edges);
}

MethodOutput run_on(const Csr &A, const std::string &spec, std::uint64_t seed) {
  const auto method = make(spec);
  Problem problem;
  problem.adjacency = &A;
  RunContext ctx;
  ctx.seed = seed;
  return method->run(problem, ctx);
}

double cosine(const MatrixD &Y, std::int64_t i, std::int64_t j) {
  double dot = 0, ni = 0, nj = 0;
  for (std::int64_t c = 0; c < Y.cols; ++c) {
    dot += Y(i, c) * Y(j, c);
    ni += Y(i, c) * Y(i, c);
    nj += Y(j, c) * Y(j, c);
  }
  return dot / std::sqrt(ni * nj);
}

// ---------------------------------------------------------------- parsing

TEST(GraphCneParams, DefaultsAreThePapers) {
  const auto types = method_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "graph_cne"), types.end());
  EXPECT_EQ(make(R"({"type": "graph_cne"})")->type(), "graph_cne");
  const GraphCneParams p = params_of(R"({"type": "graph_cne"})");
  EXPECT_EQ(p.dim, 128);
  EXPECT_EQ(p.temperature, 0.05);
  EXPECT_EQ(p.loss, "cosine");
  EXPECT_EQ(p.epochs, 100);
  EXPECT_EQ(p.batch_size, 0);
  EXPECT_EQ(p.learning_rate, 1.0);
  EXPECT_EQ(p.init_noise, 1e-5);
  EXPECT_EQ(p.torch_threads, 0);

  const GraphCneParams q = params_of(
      R"({"type": "graph_cne", "dim": 2, "temperature": 0.5, "loss": "cauchy",
          "epochs": 7, "batch_size": 64, "learning_rate": 0.1,
          "init_noise": 0, "torch_threads": 1})");
  EXPECT_EQ(q.dim, 2);
  EXPECT_EQ(q.temperature, 0.5);
  EXPECT_EQ(q.loss, "cauchy");
  EXPECT_EQ(q.epochs, 7);
  EXPECT_EQ(q.batch_size, 64);
  EXPECT_EQ(q.learning_rate, 0.1);
  EXPECT_EQ(q.init_noise, 0.0);
  EXPECT_EQ(q.torch_threads, 1);
}

TEST(GraphCneParams, BadKeysNameTheirPath) {
  const auto names = [](const std::string &text, const std::string &path) {
    const std::string e = spec_error(text);
    return e.find("s.json") != std::string::npos &&
           e.find(path) != std::string::npos;
  };
  EXPECT_TRUE(names(R"({"type": "graph_cne", "temperature": 0})",
                    "runs[0].method.temperature"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "temperature": -0.5})",
                    "runs[0].method.temperature"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "temperature": "low"})",
                    "runs[0].method.temperature"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "loss": "euclidean"})",
                    "runs[0].method.loss"));
  EXPECT_TRUE(
      names(R"({"type": "graph_cne", "dim": 0})", "runs[0].method.dim"));
  EXPECT_TRUE(
      names(R"({"type": "graph_cne", "epochs": 0})", "runs[0].method.epochs"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "epochs": 2.5})",
                    "runs[0].method.epochs"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "batch_size": 1})",
                    "runs[0].method.batch_size"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "batch_size": -3})",
                    "runs[0].method.batch_size"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "learning_rate": 0})",
                    "runs[0].method.learning_rate"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "init_noise": -1e-5})",
                    "runs[0].method.init_noise"));
  EXPECT_TRUE(names(R"({"type": "graph_cne", "torch_threads": -1})",
                    "runs[0].method.torch_threads"));
  // Typos are errors, not silently ignored keys.
  EXPECT_TRUE(
      names(R"({"type": "graph_cne", "tau": 0.5})", "runs[0].method.tau"));
  EXPECT_EQ(spec_error(R"({"type": "graph_cne", "batch_size": 0})"),
            "(no error)");
}

// ------------------------------------------------- batch size, lr schedule

TEST(GraphCneSchedule, BatchSizeIsThePapers) {
  // min(nnz // 10, 8192) (sec. 2): Cora's nnz 10,138 gives 1013 pairs.
  EXPECT_EQ(graph_cne_batch_size(10138, 0), 1013);
  EXPECT_EQ(graph_cne_batch_size(422, 0), 42);
  EXPECT_EQ(graph_cne_batch_size(1'000'000, 0), 8192);
  // At least 2 pairs (in-batch negatives), at most nnz.
  EXPECT_EQ(graph_cne_batch_size(12, 0), 2);
  EXPECT_EQ(graph_cne_batch_size(422, 50), 50);
  EXPECT_EQ(graph_cne_batch_size(422, 1000), 422);
  EXPECT_THROW(graph_cne_batch_size(0, 0), NebenchError);
}

TEST(GraphCneSchedule, CosineFromLrToZeroPerStep) {
  // lr_t = base (1 + cos(pi t / (T + 1))) / 2 (t-SimCNE's table).
  const std::int64_t T = 9;
  EXPECT_DOUBLE_EQ(graph_cne_lr(1.0, T, 0), 1.0);
  EXPECT_NEAR(graph_cne_lr(1.0, T, 5), 0.5, 1e-15); // t / (T + 1) = 1/2
  EXPECT_NEAR(graph_cne_lr(2.0, T, 8), 1.0 + std::cos(M_PI * 8.0 / 10.0),
              1e-15);
  // The last step (t = T - 1) stays just above 0; 0 is reached at t = T + 1.
  const double last = graph_cne_lr(1.0, T, T - 1);
  EXPECT_NEAR(last, 0.5 * (1.0 + std::cos(M_PI * 0.8)), 1e-15);
  EXPECT_GT(last, 0.0);
  EXPECT_LT(last, 0.1);
  EXPECT_LT(graph_cne_lr(1.0, 1000, 999), 1e-5);
  for (std::int64_t t = 1; t < T; ++t)
    EXPECT_LT(graph_cne_lr(1.0, T, t), graph_cne_lr(1.0, T, t - 1));
  EXPECT_THROW(graph_cne_lr(1.0, T, T), NebenchError);
}

// ------------------------------------------------------------ batch loss

/// Sec. 2's formula with explicit loops over anchors, in double: pairs
/// (first[k], second[k]) of rows of Y; s = cos / tau or -log(1 + 2 tau d^2).
double reference_loss(const std::vector<std::vector<double>> &Y,
                      const std::vector<int> &first,
                      const std::vector<int> &second, const std::string &loss,
                      double tau) {
  const std::size_t b = first.size();
  const auto sim = [&](const std::vector<double> &u,
                       const std::vector<double> &v) {
    double dot = 0, nu = 0, nv = 0, d2 = 0;
    for (std::size_t c = 0; c < u.size(); ++c) {
      dot += u[c] * v[c];
      nu += u[c] * u[c];
      nv += v[c] * v[c];
      d2 += (u[c] - v[c]) * (u[c] - v[c]);
    }
    return loss == "cosine" ? dot / std::sqrt(nu * nv) / tau
                            : -std::log(1.0 + 2.0 * tau * d2);
  };
  const auto lse = [](const std::vector<double> &x) {
    const double m = *std::max_element(x.begin(), x.end());
    double s = 0;
    for (const double v : x)
      s += std::exp(v - m);
    return m + std::log(s);
  };
  double alignment = 0, lse_c = 0, lse_a = 0;
  for (std::size_t k = 0; k < b; ++k) {
    const auto &a_k = Y[first[k]], &c_k = Y[second[k]];
    alignment += sim(a_k, c_k);
    // Anchor c_k: every a_m, and every c_m but itself (2b - 1 candidates).
    std::vector<double> cand_c, cand_a;
    for (std::size_t m = 0; m < b; ++m) {
      cand_c.push_back(sim(c_k, Y[first[m]]));
      if (m != k)
        cand_c.push_back(sim(c_k, Y[second[m]]));
      // Anchor a_k: every a_m but itself, and every c_m.
      if (m != k)
        cand_a.push_back(sim(a_k, Y[first[m]]));
      cand_a.push_back(sim(a_k, Y[second[m]]));
    }
    EXPECT_EQ(cand_c.size(), 2 * b - 1);
    EXPECT_EQ(cand_a.size(), 2 * b - 1);
    lse_c += lse(cand_c);
    lse_a += lse(cand_a);
  }
  const double bd = static_cast<double>(b);
  return -alignment / bd + 0.5 * (lse_c / bd + lse_a / bd);
}

std::vector<std::vector<double>> random_rows(int n, int d, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> Y(n, std::vector<double>(d));
  for (auto &row : Y)
    for (double &v : row)
      v = rng.normal();
  return Y;
}

torch::Tensor to_tensor(const std::vector<std::vector<double>> &Y) {
  torch::Tensor t = torch::empty({static_cast<std::int64_t>(Y.size()),
                                  static_cast<std::int64_t>(Y[0].size())},
                                 torch::kFloat64);
  for (std::size_t i = 0; i < Y.size(); ++i)
    for (std::size_t c = 0; c < Y[i].size(); ++c)
      t[i][c] = Y[i][c];
  return t;
}

torch::Tensor indices(const std::vector<int> &v) {
  return torch::tensor(std::vector<std::int64_t>(v.begin(), v.end()),
                       torch::kInt64);
}

TEST(GraphCneBatchLoss, MatchesTheFormulaWithExplicitLoops) {
  // Seven nodes, b = 4 pairs; node 1 appears on both sides and node 0
  // twice (edges come in both directions, hubs recur within a batch).
  const auto Y = random_rows(7, 5, 11);
  const std::vector<int> first = {0, 2, 1, 0}, second = {3, 1, 6, 5};
  for (const std::string loss : {"cosine", "cauchy"})
    for (const double tau : {0.05, 0.5, 2.0}) {
      const double got = graph_cne_batch_loss(to_tensor(Y), indices(first),
                                              indices(second), loss, tau)
                             .item<double>();
      EXPECT_NEAR(got, reference_loss(Y, first, second, loss, tau),
                  1e-12 * std::max(1.0, std::abs(got)))
          << loss << " tau " << tau;
    }
  EXPECT_THROW(graph_cne_batch_loss(to_tensor(Y), indices(first),
                                    indices(second), "gauss", 0.5),
               NebenchError);
  EXPECT_THROW(graph_cne_batch_loss(to_tensor(Y), indices(first),
                                    indices(second), "cosine", 0.0),
               NebenchError);
}

TEST(GraphCneBatchLoss, GradientMatchesFiniteDifferences) {
  const auto Y = random_rows(6, 3, 5);
  const std::vector<int> first = {0, 1, 2, 1}, second = {1, 0, 4, 5};
  for (const std::string loss : {"cosine", "cauchy"}) {
    const double tau = 0.3;
    torch::Tensor table = to_tensor(Y).set_requires_grad(true);
    graph_cne_batch_loss(table, indices(first), indices(second), loss, tau)
        .backward();
    const torch::Tensor grad = table.grad();
    const double h = 1e-6;
    for (std::size_t i = 0; i < Y.size(); ++i)
      for (std::size_t c = 0; c < Y[i].size(); ++c) {
        auto plus = Y, minus = Y;
        plus[i][c] += h;
        minus[i][c] -= h;
        const double fd = (reference_loss(plus, first, second, loss, tau) -
                           reference_loss(minus, first, second, loss, tau)) /
                          (2 * h);
        EXPECT_NEAR(grad[i][c].item<double>(), fd, 1e-7)
            << loss << " row " << i << " col " << c;
      }
    // Node 3 is in no pair: no gradient.
    EXPECT_EQ(grad[3].abs().sum().item<double>(), 0.0);
  }
}

// ------------------------------------------------------------------ runs

TEST(GraphCneMethod, SeparatesTwoCliques) {
  const Csr A = two_cliques(15); // nnz = 2 * 15 * 14 + 2 = 422, b = 42
  const int epochs = 20;
  const MethodOutput out = run_on(
      A, R"({"type": "graph_cne", "dim": 8, "epochs": 20, "torch_threads": 1})",
      3);
  ASSERT_EQ(out.embedding.rows, 30);
  ASSERT_EQ(out.embedding.cols, 8);
  for (const double v : out.embedding.data)
    ASSERT_TRUE(std::isfinite(v));
  double within = 0, across = 0;
  int n_within = 0, n_across = 0;
  for (int i = 0; i < 30; ++i)
    for (int j = i + 1; j < 30; ++j) {
      if ((i < 15) == (j < 15)) {
        within += cosine(out.embedding, i, j);
        ++n_within;
      } else {
        across += cosine(out.embedding, i, j);
        ++n_across;
      }
    }
  within /= n_within;
  across /= n_across;
  EXPECT_GT(within, across + 0.3)
      << "within " << within << " across " << across;
  // Every node's nearest neighbour (cosine) is in its own clique.
  for (int i = 0; i < 30; ++i) {
    int best = -1;
    for (int j = 0; j < 30; ++j)
      if (j != i && (best < 0 || cosine(out.embedding, i, j) >
                                     cosine(out.embedding, i, best)))
        best = j;
    EXPECT_EQ(best < 15, i < 15) << "node " << i << " nearest " << best;
  }

  // One trace row per epoch; lr = the schedule at each epoch's last step
  // (422 / 42 = 10 steps per epoch).
  for (const char *column : {"epoch", "loss", "lr", "norm_mean", "seconds"}) {
    ASSERT_TRUE(out.trace.columns.count(column)) << column;
    EXPECT_EQ(out.trace.columns.at(column).size(),
              static_cast<std::size_t>(epochs))
        << column;
  }
  const auto &lr = out.trace.columns.at("lr");
  const auto &epoch = out.trace.columns.at("epoch");
  for (int e = 0; e < epochs; ++e) {
    EXPECT_EQ(epoch[e], e + 1);
    EXPECT_DOUBLE_EQ(lr[e], graph_cne_lr(1.0, 10 * epochs, 10 * e + 9));
  }
  for (const double l : out.trace.columns.at("loss"))
    EXPECT_TRUE(std::isfinite(l));
  // Training lowers the loss.
  EXPECT_LT(out.trace.columns.at("loss").back(),
            out.trace.columns.at("loss").front());
}

TEST(GraphCneMethod, CauchyVariantSeparatesTwoCliquesIn2D) {
  const Csr A = two_cliques(15);
  const MethodOutput out =
      run_on(A,
             R"({"type": "graph_cne", "dim": 2, "loss": "cauchy",
                 "temperature": 0.5, "epochs": 20, "torch_threads": 1})",
             4);
  ASSERT_EQ(out.embedding.cols, 2);
  double within = 0, across = 0;
  int n_within = 0, n_across = 0;
  for (int i = 0; i < 30; ++i)
    for (int j = i + 1; j < 30; ++j) {
      const double d = std::hypot(out.embedding(i, 0) - out.embedding(j, 0),
                                  out.embedding(i, 1) - out.embedding(j, 1));
      if ((i < 15) == (j < 15)) {
        within += d;
        ++n_within;
      } else {
        across += d;
        ++n_across;
      }
    }
  EXPECT_LT(within / n_within, 0.5 * across / n_across);
}

TEST(GraphCneMethod, SameSeedIsBitwiseEqual) {
  const Csr A = two_cliques(8);
  const std::string spec =
      R"({"type": "graph_cne", "dim": 4, "epochs": 5, "torch_threads": 1})";
  const MethodOutput a = run_on(A, spec, 7), b = run_on(A, spec, 7),
                     c = run_on(A, spec, 8);
  EXPECT_EQ(a.embedding.data, b.embedding.data);
  EXPECT_EQ(a.trace.columns.at("loss"), b.trace.columns.at("loss"));
  EXPECT_NE(a.embedding.data, c.embedding.data);
}

TEST(GraphCneMethod, RandomInitWhenDimExceedsTheSpectrum) {
  // 16 nodes have 14 nontrivial eigenvectors: dim 32 starts from N(0, 1).
  const Csr A = two_cliques(8);
  const MethodOutput out = run_on(
      A, R"({"type": "graph_cne", "dim": 32, "epochs": 2, "torch_threads": 1})",
      1);
  EXPECT_EQ(out.embedding.rows, 16);
  EXPECT_EQ(out.embedding.cols, 32);
  for (const double v : out.embedding.data)
    ASSERT_TRUE(std::isfinite(v));
}

TEST(GraphCneMethod, NeedsAGraphWithEdges) {
  const auto method = make(R"({"type": "graph_cne", "dim": 2, "epochs": 1})");
  EXPECT_EQ(method->neighbors_needed(), 0);
  EXPECT_GT(method->estimated_bytes(1000), 0.0);
  RunContext ctx;
  const auto message = [&](const Problem &problem) {
    try {
      method->run(problem, ctx);
    } catch (const NebenchError &e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  Problem none;
  EXPECT_NE(message(none).find("graph_cne: the problem has no input graph"),
            std::string::npos);
  const Csr empty;
  Problem with_empty;
  with_empty.adjacency = &empty;
  EXPECT_NE(message(with_empty).find("no input graph"), std::string::npos);
  const Csr edgeless = graph_of(5, {});
  Problem with_edgeless;
  with_edgeless.adjacency = &edgeless;
  EXPECT_NE(message(with_edgeless).find("0 stored entries"), std::string::npos);
}

// The timing the lead asked for: 100 epochs at the paper's settings on the
// sec. 4 SBM (10 x 101 nodes, p_in 0.1, p_out 0.01). Minutes on 2 cores, so
// disabled; run with --gtest_also_run_disabled_tests.
TEST(GraphCneMethod, DISABLED_SbmPaperSettingsTiming) {
  SbmOptions o;
  o.seed = 0;
  const LabeledGraph g = stochastic_block_model(o);
  const auto t0 = std::chrono::steady_clock::now();
  const MethodOutput out = run_on(g.graph, R"({"type": "graph_cne"})", 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  // Leave-one-out 15-NN accuracy (cosine) of the block labels.
  const MatrixD &Y = out.embedding;
  int correct = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    std::vector<std::pair<double, std::int64_t>> d;
    for (std::int64_t j = 0; j < Y.rows; ++j)
      if (j != i)
        d.emplace_back(-cosine(Y, i, j), j);
    std::partial_sort(d.begin(), d.begin() + 15, d.end());
    std::vector<int> votes(10, 0);
    for (int k = 0; k < 15; ++k)
      ++votes[g.labels[d[k].second]];
    correct += std::max_element(votes.begin(), votes.end()) - votes.begin() ==
               g.labels[i];
  }
  std::printf("SBM n = %lld, nnz = %lld, 100 epochs: %.1f s (%.2f s/epoch), "
              "final loss %.4f, 15-NN accuracy %.3f\n",
              static_cast<long long>(g.graph.n),
              static_cast<long long>(g.graph.nnz()), seconds, seconds / 100,
              out.trace.columns.at("loss").back(),
              static_cast<double>(correct) / static_cast<double>(Y.rows));
  EXPECT_EQ(out.trace.length(), 100u);
}

} // namespace
} // namespace nebench
