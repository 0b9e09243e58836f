// The CNE batch pipeline (engine/ne/cne_batch_sampler.h): epoch
// permutations, batch layout, in-batch negatives and full-batch mode.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"
#include "engine/ne/cne_batch_sampler.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

namespace nebench {
namespace {

Csr small_graph() {
  const Matrix X = testing::gaussian_data(60, 4, 3);
  return binary_knn_graph(testing::brute_force_graph(X, 5), 5);
}

TEST(CneBatchSampler, DirectedEdgesAreTheStoredEntries) {
  const Csr A = small_graph();
  const CneEdges e = cne_directed_edges(A);
  ASSERT_EQ(e.size(), A.nnz());
  for (std::int64_t i = 0; i < A.n; ++i)
    for (auto p = A.row_begin(i); p < A.row_end(i); ++p) {
      EXPECT_EQ(e.heads[p], i);
      EXPECT_EQ(e.tails[p], A.indices[p]);
    }
  Csr empty;
  empty.n = 3;
  empty.indptr = {0, 0, 0, 0};
  EXPECT_THROW(cne_directed_edges(empty), NebenchError);
}

TEST(CneBatchSampler, EpochCoversEveryDirectedEdgeOnce) {
  const Csr A = small_graph();
  const CneEdges e = cne_directed_edges(A);
  const int b = 64;
  CneBatchSampler sampler(e, b, 5);
  ASSERT_EQ(sampler.batches(), (e.size() + b - 1) / b);
  ASSERT_NE(e.size() % b, 0) << "the fixture should have a short last batch";
  CneBatch batch = sampler.make_batch();
  Rng rng(1, 2);
  std::vector<std::vector<CneEdge>> orders;
  for (int epoch = 0; epoch < 2; ++epoch) {
    sampler.start_epoch(rng);
    std::multiset<std::pair<std::int32_t, std::int32_t>> seen;
    for (std::int64_t bi = 0; bi < sampler.batches(); ++bi) {
      sampler.fill(bi, batch);
      const int expected =
          bi + 1 < sampler.batches() ? b : static_cast<int>(e.size() % b);
      ASSERT_EQ(batch.edges, expected);
      for (int r = 0; r < batch.edges; ++r)
        seen.emplace(batch.points[r], batch.points[r + batch.edges]);
    }
    std::multiset<std::pair<std::int32_t, std::int32_t>> all;
    for (std::int64_t i = 0; i < e.size(); ++i)
      all.emplace(e.heads[i], e.tails[i]);
    EXPECT_EQ(seen, all) << "epoch " << epoch;
    orders.push_back(sampler.epoch_edges());
  }
  EXPECT_NE(orders[0], orders[1]) << "each epoch has its own permutation";
  // The permutation depends on the stream alone.
  Rng again(1, 2);
  sampler.start_epoch(again);
  EXPECT_EQ(sampler.epoch_edges(), orders[0]);
}

TEST(CneBatchSampler, EpochOrderIsAFisherYatesShuffleOfTheCsrOrder) {
  // start_epoch draws its swaps ahead (to prefetch them) but makes the same
  // draws as Rng::shuffle, so the permutation is exactly that shuffle of
  // the CSR order, and the rng continues after it.
  const CneEdges e = cne_directed_edges(small_graph());
  CneBatchSampler sampler(e, 16, 5);
  std::vector<CneEdge> want(static_cast<std::size_t>(e.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    want[i] = CneEdge{e.heads[i], e.tails[i]};
  Rng a(8, 1), c(8, 1);
  sampler.start_epoch(a);
  c.shuffle(want);
  EXPECT_EQ(sampler.epoch_edges(), want);
  c.next(); // the key of the epoch's negatives
  EXPECT_EQ(a.next(), c.next());
}

TEST(CneBatchSampler, EpochOrderIsUniform) {
  // 3 edges: each of the 6 orders has probability 1/6 (chi-square with 5
  // degrees of freedom over 60,000 epochs, 99.999% quantile ~ 26).
  Csr A;
  A.n = 3;
  A.indptr = {0, 1, 2, 3};
  A.indices = {1, 2, 0};
  A.values = {1, 1, 1};
  CneBatchSampler sampler(cne_directed_edges(A), 3, 1);
  std::map<std::vector<std::int32_t>, double> counts;
  Rng rng(4);
  const int epochs = 60000;
  for (int k = 0; k < epochs; ++k) {
    sampler.start_epoch(rng);
    std::vector<std::int32_t> heads;
    for (const CneEdge &edge : sampler.epoch_edges())
      heads.push_back(edge.head);
    counts[heads] += 1;
  }
  ASSERT_EQ(counts.size(), 6u);
  double chi2 = 0;
  for (const auto &[order, n] : counts)
    chi2 += (n - epochs / 6.0) * (n - epochs / 6.0) / (epochs / 6.0);
  EXPECT_LT(chi2, 26.0);
}

TEST(CneBatchSampler, NegativesAreUniformOverTheOtherRows) {
  // b = 8 edges (16 rows), m = 5; 40,000 batches. For each head row r the
  // 15 other rows are drawn equally often: chi-square with 14 degrees of
  // freedom (99.999% quantile ~ 44), and never r itself.
  const int b = 8, m = 5, batches = 40000;
  std::vector<std::int32_t> out(b * m);
  std::vector<std::vector<double>> counts(b, std::vector<double>(2 * b, 0));
  Rng rng(7);
  for (int k = 0; k < batches; ++k) {
    draw_batch_negatives(b, m, 0, b, rng, out.data());
    for (int r = 0; r < b; ++r)
      for (int t = 0; t < m; ++t) {
        const int s = out[r * m + t];
        ASSERT_GE(s, 0);
        ASSERT_LT(s, 2 * b);
        ASSERT_NE(s, r);
        counts[r][s] += 1;
      }
  }
  const double expected = double(batches) * m / (2 * b - 1);
  for (int r = 0; r < b; ++r) {
    double chi2 = 0;
    for (int s = 0; s < 2 * b; ++s)
      if (s != r)
        chi2 +=
            (counts[r][s] - expected) * (counts[r][s] - expected) / expected;
    EXPECT_LT(chi2, 44.0) << "head row " << r;
    EXPECT_GT(counts[r][r + b], 0.9 * expected) << "own tail is drawn";
  }
}

TEST(CneBatchSampler, NegativesFollowTheTwoHalvesStream) {
  // The documented stream: the 32-bit halves of the Rng's values in order
  // (low first), u = floor(h (2b - 1) / 2^32) unless the product's low word
  // is below 2^32 mod (2b - 1) (then the next half), shifted past r. At
  // b = 3 * 2^28 a quarter of the halves are rejected, so every path of
  // the two-at-a-time drawing is taken; odd counts leave a half unused.
  auto reference = [](int b, int m, int r0, int r1, Rng &rng) {
    const auto range = static_cast<std::uint64_t>(2 * std::int64_t{b} - 1);
    const std::uint64_t threshold = ((std::uint64_t{1} << 32) % range);
    std::vector<std::uint32_t> halves;
    std::size_t used = 0;
    std::vector<std::int32_t> out;
    for (int r = r0; r < r1; ++r)
      for (int t = 0; t < m; ++t) {
        std::uint64_t product;
        do {
          if (used == halves.size()) {
            const std::uint64_t x = rng.next();
            halves.push_back(static_cast<std::uint32_t>(x));
            halves.push_back(static_cast<std::uint32_t>(x >> 32));
          }
          product = std::uint64_t{halves[used++]} * range;
        } while ((product & 0xFFFFFFFFu) < threshold);
        const auto u = static_cast<std::int32_t>(product >> 32);
        out.push_back(u >= r ? u + 1 : u);
      }
    return out;
  };
  for (const auto &[b, m, r0, r1] :
       {std::tuple{805306368, 3, 0, 7}, std::tuple{805306368, 4, 2, 9},
        std::tuple{1024, 5, 64, 128}, std::tuple{2, 1, 0, 2},
        std::tuple{9, 7, 3, 4}}) {
    std::vector<std::int32_t> out(static_cast<std::size_t>(r1) * m, -1);
    Rng a(21, 4), c(21, 4);
    draw_batch_negatives(b, m, r0, r1, a, out.data());
    const std::vector<std::int32_t> want = reference(b, m, r0, r1, c);
    EXPECT_EQ(std::vector<std::int32_t>(out.begin() + r0 * m, out.end()), want)
        << "b " << b << " m " << m;
    EXPECT_EQ(a.next(), c.next()) << "the same values were used";
  }
}

TEST(CneBatchSampler, NegativesAreSeededAndResampledPerBatch) {
  std::vector<std::int32_t> a(40), b(40), c(40);
  Rng r1(3), r2(3);
  draw_batch_negatives(8, 5, 0, 8, r1, a.data());
  draw_batch_negatives(8, 5, 0, 8, r2, b.data());
  EXPECT_EQ(a, b);
  draw_batch_negatives(8, 5, 0, 8, r1, c.data());
  EXPECT_NE(a, c);
}

TEST(CneBatchSampler, BlocksFillTheSameBatchInAnyOrder) {
  // b = 200: blocks of 64, 64, 64 and 8 head rows, each with its own
  // stream, so threads may fill them in any order.
  const CneEdges e = cne_directed_edges(small_graph());
  CneBatchSampler sampler(e, 200, 5);
  ASSERT_EQ(CneBatchSampler::blocks(200), 4);
  Rng rng(11);
  sampler.start_epoch(rng);
  CneBatch whole = sampler.make_batch(), parts = sampler.make_batch();
  sampler.fill(1, whole);
  sampler.begin_batch(1, parts);
  for (int k = 3; k >= 0; --k)
    sampler.fill_blocks(1, k, k + 1, parts);
  EXPECT_EQ(parts.points, whole.points);
  EXPECT_EQ(parts.negative_rows, whole.negative_rows);
  // Other batches and epochs draw other negatives.
  CneBatch next = sampler.make_batch();
  sampler.fill(0, next);
  EXPECT_NE(next.negative_rows, whole.negative_rows);
  Rng rng2(12);
  sampler.start_epoch(rng2);
  sampler.fill(1, next);
  EXPECT_NE(next.negative_rows, whole.negative_rows);
  EXPECT_THROW(sampler.begin_batch(sampler.batches(), next), NebenchError);
}

TEST(CneBatchSampler, LargeMUsesAllRowsButThePair) {
  // b = 4 edges, m = 6 = 2b - 2: full-batch repulsion.
  const Csr A = small_graph();
  const CneEdges e = cne_directed_edges(A);
  CneBatchSampler sampler(e, 4, 6);
  CneBatch batch = sampler.make_batch();
  EXPECT_TRUE(batch.negative_rows.empty()) << "no storage in full mode";
  Rng rng(5);
  sampler.start_epoch(rng);
  sampler.fill(0, batch);
  ASSERT_TRUE(batch.full);
  ASSERT_EQ(batch.negatives, 6);
  for (int r = 0; r < 4; ++r) {
    std::vector<int> rows;
    for (int t = 0; t < batch.negatives; ++t)
      rows.push_back(batch.negative_row(r, t));
    std::vector<int> want;
    for (int s = 0; s < 8; ++s)
      if (s != r && s != r + 4)
        want.push_back(s);
    EXPECT_EQ(rows, want) << "head row " << r;
  }
  // m = 5 < 2b - 2 draws; the last batch of E mod 4 edges may be full.
  CneBatchSampler drawn(e, 4, 5);
  CneBatch db = drawn.make_batch();
  drawn.start_epoch(rng);
  drawn.fill(0, db);
  EXPECT_FALSE(db.full);
  EXPECT_EQ(db.negatives, 5);
}

} // namespace
} // namespace nebench
