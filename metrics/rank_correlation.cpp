#include "metrics/rank_correlation.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/pairwise_distances.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace nebench {

namespace {

/// Twice the average rank of every value: tied values at sorted positions
/// i..j (0-based) share rank (i + j + 2) / 2, so the doubled rank i + j + 2
/// is an exact integer; uint32 halves the memory of double ranks.
std::vector<std::uint32_t> doubled_ranks(const std::vector<double> &v) {
  if (v.size() >= (std::size_t{1} << 31))
    throw NebenchError("rank correlation: too many values (" +
                       std::to_string(v.size()) + "), at most 2^31 - 1");
  for (double x : v)
    if (std::isnan(x))
      throw NebenchError("rank correlation: NaN value");
  const auto n = static_cast<std::uint32_t>(v.size());
  std::vector<std::uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  std::sort(perm.begin(), perm.end(),
            [&](std::uint32_t a, std::uint32_t b) { return v[a] < v[b]; });
  std::vector<std::uint32_t> out(n);
  for (std::uint32_t i = 0; i < n;) {
    std::uint32_t j = i;
    while (j + 1 < n && v[perm[j + 1]] == v[perm[i]])
      ++j;
    for (std::uint32_t t = i; t <= j; ++t)
      out[perm[t]] = i + j + 2;
    i = j + 1;
  }
  return out;
}

/// Pearson correlation of two doubled-rank vectors. Their means are both
/// n + 1 (the mean rank is (n + 1) / 2 whatever the ties). Partial sums per
/// fixed block, added in order, keep the result independent of threads.
double pearson_of_ranks(const std::vector<std::uint32_t> &a,
                        const std::vector<std::uint32_t> &b) {
  const auto n = static_cast<std::int64_t>(a.size());
  const double mean = static_cast<double>(n) + 1.0;
  constexpr std::int64_t kBlock = 1 << 16;
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> sab(blocks), saa(blocks), sbb(blocks);
#pragma omp parallel for schedule(static)
  for (std::int64_t blk = 0; blk < blocks; ++blk) {
    double ab = 0, aa = 0, bb = 0;
    const std::int64_t end = std::min(n, (blk + 1) * kBlock);
    for (std::int64_t i = blk * kBlock; i < end; ++i) {
      const double da = static_cast<double>(a[i]) - mean;
      const double db = static_cast<double>(b[i]) - mean;
      ab += da * db;
      aa += da * da;
      bb += db * db;
    }
    sab[blk] = ab;
    saa[blk] = aa;
    sbb[blk] = bb;
  }
  double ab = 0, aa = 0, bb = 0;
  for (std::int64_t blk = 0; blk < blocks; ++blk) {
    ab += sab[blk];
    aa += saa[blk];
    bb += sbb[blk];
  }
  if (aa <= 0.0 || bb <= 0.0)
    return std::numeric_limits<double>::quiet_NaN();
  return ab / std::sqrt(aa * bb);
}

} // namespace

std::vector<double> average_ranks(const std::vector<double> &v) {
  const auto twice = doubled_ranks(v);
  std::vector<double> out(twice.size());
  for (std::size_t i = 0; i < twice.size(); ++i)
    out[i] = 0.5 * static_cast<double>(twice[i]);
  return out;
}

double spearman_correlation(const std::vector<double> &a,
                            const std::vector<double> &b) {
  if (a.size() != b.size())
    throw NebenchError("spearman_correlation: sizes differ (" +
                       std::to_string(a.size()) + " vs " +
                       std::to_string(b.size()) + ")");
  if (a.size() < 2)
    throw NebenchError("spearman_correlation: needs at least 2 values");
  return pearson_of_ranks(doubled_ranks(a), doubled_ranks(b));
}

double distance_rank_correlation(const Matrix &x, const MatrixD &y,
                                 std::int64_t points, std::uint64_t seed) {
  if (x.rows != y.rows)
    throw NebenchError("spearman: input has " + std::to_string(x.rows) +
                       " rows, embedding has " + std::to_string(y.rows));
  const std::int64_t m = std::min(points, x.rows);
  if (m < 3)
    throw NebenchError("spearman: needs at least 3 points, got " +
                       std::to_string(m));
  const auto rows = Rng(seed).sample(x.rows, m);
  std::vector<std::uint32_t> rx, ry;
  {
    // Scoped so each distance vector is freed as soon as it is ranked.
    const auto dx = condensed_distances<double>(x, rows);
    rx = doubled_ranks(dx);
  }
  {
    const auto dy = condensed_distances<double>(y, rows);
    ry = doubled_ranks(dy);
  }
  return pearson_of_ranks(rx, ry);
}

} // namespace nebench
