#include "engine/ne/cne_optimizer.h"

#include <bit>
#include <cmath>
#include <type_traits>

namespace nebench {

CneOptimizer::CneOptimizer(const Csr &A, CneOptimizerParams params)
    : params_(std::move(params)), edges_(cne_directed_edges(A)),
      sampler_(edges_, params_.batch_size, params_.negatives),
      start_(std::chrono::steady_clock::now()) {
  if (!(params_.learning_rate > 0))
    throw NebenchError("CNE: learning_rate must be > 0");
  if (!(params_.log_z_learning_rate >= 0))
    throw NebenchError("CNE: log_z_learning_rate must be >= 0");
  if (!(params_.clip > 0))
    throw NebenchError("CNE: the gradient clip must be > 0");
  if (params_.threads < 0)
    throw NebenchError("CNE: threads must be >= 0");
  if (params_.log_every < 1)
    throw NebenchError("CNE: log_every must be >= 1");
  batch_capacity_ = static_cast<int>(
      std::min<std::int64_t>(params_.batch_size, edges_.size()));
  max_negatives_ =
      std::max(std::min(params_.negatives, 2 * batch_capacity_ - 2), 1);
  batch_ = sampler_.make_batch();
}

void CneOptimizer::check_shape(const MatrixD &Y) const {
  if (Y.rows != edges_.n)
    throw NebenchError("CNE: the embedding has " + std::to_string(Y.rows) +
                       " rows but the graph " + std::to_string(edges_.n) +
                       " points");
  if (Y.cols < 1)
    throw NebenchError("CNE: the embedding has no columns");
}

void CneOptimizer::reserve(int T, int dim) {
  const auto rows = static_cast<std::size_t>(2 * batch_capacity_);
  if (in_batch_.size() != static_cast<std::size_t>((edges_.n + 63) / 64))
    in_batch_.assign(static_cast<std::size_t>((edges_.n + 63) / 64), 0);
  // First-row tables: a power of two >= 4 entries per distinct point a
  // batch can hold (min(2b, n)).
  const std::size_t distinct =
      std::min(rows, static_cast<std::size_t>(edges_.n));
  std::size_t entries = 1;
  while (entries < 4 * distinct)
    entries *= 2;
  if (coords_.size() < rows * dim)
    coords_.resize(rows * dim);
  if (T > 1 && sums_.size() < rows * dim)
    sums_.resize(rows * dim);
  if (threads_.size() != static_cast<std::size_t>(T))
    threads_.resize(static_cast<std::size_t>(T));
  for (CneThreadScratch &t : threads_) {
    if (t.row_grad.size() < rows * dim)
      t.row_grad.resize(rows * dim);
    if (t.repeats.size() < rows) {
      t.repeats.resize(rows);
      t.primaries.resize(rows);
    }
    if (t.first_rows.size() != entries)
      t.first_rows.assign(entries, 0);
    t.pairs.reserve(max_negatives_, dim);
  }
}

namespace {

/// The point of row r of a batch of b edges.
inline std::int32_t row_point(const CneEdge *edges, int b, int r) {
  return r < b ? edges[r].head : edges[r - b].tail;
}

/// gather_owned_rows for a fixed Dim (0: runtime dim) and, with kOne, a
/// thread that owns every point. Returns the number of repeats.
template <int Dim, bool kOne, class Owns>
int gather_rows(const CneEdge *edges, int b, const double *y, int dim,
                double *coords, std::uint64_t *in_batch,
                std::vector<std::int32_t> &first_rows, std::int32_t *repeats,
                std::int32_t *primaries, const Owns &owns) {
  const int D = Dim > 0 ? Dim : dim;
  const auto mask = static_cast<std::uint32_t>(first_rows.size() - 1);
  const int shift = 32 - std::countr_zero(first_rows.size());
  std::int32_t *first = first_rows.data();
  auto slot = [&](std::int32_t p) {
    return (static_cast<std::uint32_t>(p) * 0x9E3779B9u) >> shift & mask;
  };
  int count = 0;
  // The first row of p, met before row r: the table's entry if it still
  // holds a row of p (only first rows are written, so it is p's first),
  // else the first row of p in the order met (rare: the entry was
  // overwritten by a later point); -1 if there is none (cannot happen while
  // the bitmap holds exactly the points met in this batch).
  auto first_row_of = [&](std::int32_t p, int r) -> std::int32_t {
    const std::int32_t f = first[slot(p)];
    if (f < 2 * b && row_point(edges, b, f) == p)
      return f;
    for (int k = 0; k < b && k != r; ++k) {
      if (edges[k].head == p)
        return k;
      if (k + b == r)
        break;
      if (edges[k].tail == p)
        return k + b;
    }
    return -1;
  };
  auto gather = [&](std::int32_t p, int r) {
    const double *yp = y + static_cast<std::int64_t>(p) * D;
    double *c = coords + static_cast<std::size_t>(r) * D;
    if constexpr (Dim == 2)
      cne_detail::store2(c, cne_detail::load2(yp));
    else
      for (int d = 0; d < D; ++d)
        c[d] = yp[d];
    std::uint64_t &word = in_batch[p >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (p & 63);
    const std::int32_t f = word & bit ? first_row_of(p, r) : -1;
    if (f >= 0) { // a repeat (~1.5% of the rows at b = 1024)
      repeats[count] = r;
      primaries[count++] = f;
    } else {
      word |= bit;
      first[slot(p)] = r;
    }
  };
  // Y is read at random: ask for the rows of the edges a few edges ahead
  // (one thread only: it reads every row).
  constexpr int kAhead = 8;
  for (int r = 0; r < b; ++r) {
    const std::int32_t head = edges[r].head, tail = edges[r].tail;
    if (kOne && r + kAhead < b) {
      __builtin_prefetch(y +
                         static_cast<std::int64_t>(edges[r + kAhead].head) * D);
      __builtin_prefetch(y +
                         static_cast<std::int64_t>(edges[r + kAhead].tail) * D);
    }
    if (kOne || owns(head))
      gather(head, r);
    if (kOne || owns(tail))
      gather(tail, r + b);
  }
  return count;
}

/// owned_points_step for a fixed Dim (0: runtime dim) and, with kOne, a
/// thread that owns every point. sum: the row sums over threads.
template <int Dim, bool kOne, class Owns>
void step_rows(const std::int32_t *points, int rows, double *sum,
               const std::int32_t *repeats, const std::int32_t *primaries,
               int repeat_count, std::uint64_t *in_batch, double *y, int dim,
               double lr, double clip, const Owns &owns) {
  const int D = Dim > 0 ? Dim : dim;
  for (int k = 0; k < repeat_count; ++k) {
    const int r = repeats[k];
    double *into = sum + static_cast<std::size_t>(primaries[k]) * D;
    double *g = sum + static_cast<std::size_t>(r) * D;
    for (int d = 0; d < D; ++d) {
      into[d] += g[d];
      g[d] = 0.0;
    }
  }
  // Y again, at random: the rows' points a few rows ahead (they have left
  // L1 during the pair loop).
  constexpr int kAhead = 8;
  for (int r = 0; r < rows; ++r) {
    const std::int32_t p = points[r];
    if (kOne && r + kAhead < rows)
      __builtin_prefetch(y + static_cast<std::int64_t>(points[r + kAhead]) * D,
                         1);
    if (!kOne && !owns(p))
      continue;
    double *yp = y + static_cast<std::int64_t>(p) * D;
    const double *g = sum + static_cast<std::size_t>(r) * D;
    for (int d = 0; d < D; ++d)
      yp[d] -= lr * std::clamp(g[d], -clip, clip);
    in_batch[p >> 6] &= ~(std::uint64_t{1} << (p & 63));
  }
}

} // namespace

void CneOptimizer::gather_owned_rows(std::int64_t index, int tid, int T,
                                     const double *y, int dim) {
  const int b = batch_.edges;
  const CneEdge *edges = sampler_.batch_edges(index);
  CneThreadScratch &mine = threads_[tid];
  auto owned = [tid, T](std::int32_t p) { return owns(p, tid, T); };
  auto run = [&](auto dim_tag, auto one_tag) {
    return gather_rows<decltype(dim_tag)::value, decltype(one_tag)::value>(
        edges, b, y, dim, coords_.data(), in_batch_.data(), mine.first_rows,
        mine.repeats.data(), mine.primaries.data(), owned);
  };
  using Two = std::integral_constant<int, 2>;
  using Any = std::integral_constant<int, 0>;
  if (T == 1)
    mine.repeat_count =
        dim == 2 ? run(Two{}, std::true_type{}) : run(Any{}, std::true_type{});
  else
    mine.repeat_count = dim == 2 ? run(Two{}, std::false_type{})
                                 : run(Any{}, std::false_type{});
}

void CneOptimizer::owned_points_step(int b, int tid, int T, double *y, int dim,
                                     double lr) {
  const int rows = 2 * b;
  const std::int32_t *points = batch_.points.data();
  auto owned = [tid, T](std::int32_t p) { return owns(p, tid, T); };
  // One thread: its row table is the sum. Else the owner of each row's
  // point adds the T tables in thread order.
  double *sum = threads_[0].row_grad.data();
  if (T > 1) {
    sum = sums_.data();
    for (int r = 0; r < rows; ++r) {
      if (!owned(points[r]))
        continue;
      const std::size_t off = static_cast<std::size_t>(r) * dim;
      for (int d = 0; d < dim; ++d) {
        double g = threads_[0].row_grad[off + d];
        for (int u = 1; u < T; ++u)
          g += threads_[u].row_grad[off + d];
        sum[off + d] = g;
      }
    }
  }
  const CneThreadScratch &mine = threads_[tid];
  auto run = [&](auto dim_tag, auto one_tag) {
    step_rows<decltype(dim_tag)::value, decltype(one_tag)::value>(
        points, rows, sum, mine.repeats.data(), mine.primaries.data(),
        mine.repeat_count, in_batch_.data(), y, dim, lr, params_.clip, owned);
  };
  using Two = std::integral_constant<int, 2>;
  using Any = std::integral_constant<int, 0>;
  if (T == 1)
    dim == 2 ? run(Two{}, std::true_type{}) : run(Any{}, std::true_type{});
  else
    dim == 2 ? run(Two{}, std::false_type{}) : run(Any{}, std::false_type{});
}

double CneOptimizer::norm_mean(const MatrixD &Y) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    double s = 0.0;
    for (std::int64_t d = 0; d < Y.cols; ++d)
      s += Y(i, d) * Y(i, d);
    sum += std::sqrt(s);
  }
  return sum / static_cast<double>(Y.rows);
}

void CneOptimizer::check_finite(const MatrixD &Y, double loss, int epoch) {
  bool has_nan = std::isnan(loss), has_inf = std::isinf(loss);
  for (double v : Y.data) {
    has_nan = has_nan || std::isnan(v);
    has_inf = has_inf || std::isinf(v);
  }
  if (has_nan || has_inf)
    throw NumericalError("CNE: epoch " + std::to_string(epoch) +
                         ": the embedding or loss contains " +
                         (has_nan ? "NaN" : "Inf"));
}

} // namespace nebench
