#include "engine/ne/cne_batch_sampler.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <string>

namespace nebench {

CneEdges cne_directed_edges(const Csr &A) {
  if (A.n < 2 || A.n > (std::int64_t(1) << 31) - 1)
    throw NebenchError("CNE: needs 2 <= n < 2^31 points, got " +
                       std::to_string(A.n));
  if (static_cast<std::int64_t>(A.indptr.size()) != A.n + 1 ||
      A.indptr.front() != 0 || A.indptr.back() != A.nnz())
    throw NebenchError("CNE: malformed CSR graph");
  if (A.nnz() < 1)
    throw NebenchError("CNE: the graph has no edges");
  if (A.nnz() > (std::int64_t(1) << 31) - 1)
    throw NebenchError("CNE: more than 2^31 - 1 directed edges");
  CneEdges e;
  e.n = A.n;
  e.heads.resize(A.indices.size());
  e.tails = A.indices;
  for (std::int64_t i = 0; i < A.n; ++i)
    for (auto p = A.row_begin(i); p < A.row_end(i); ++p) {
      if (A.indices[p] < 0 || A.indices[p] >= A.n)
        throw NebenchError("CNE: graph column " + std::to_string(A.indices[p]) +
                           " out of range");
      e.heads[p] = static_cast<std::int32_t>(i);
    }
  return e;
}

void draw_batch_negatives(int b, int m, int row_begin, int row_end, Rng &rng,
                          std::int32_t *out) {
  // make_neighbor_indices: u uniform in [0, 2b - 1), shifted past r, i.e.
  // uniform over [0, 2b) \ {r}. Two draws per 64-bit value: the draws take
  // the values' 32-bit halves in order (low half first); a half h gives
  // u = floor(h (2b - 1) / 2^32) (Lemire's multiply-shift) unless the low
  // word of the product falls below 2^32 mod (2b - 1), when the half is
  // rejected and the draw takes the next one, so u is exactly uniform (a
  // rejection has probability < (2b - 1) / 2^32).
  const auto range =
      static_cast<std::uint32_t>(2 * static_cast<std::int64_t>(b) - 1);
  const std::uint32_t threshold = (0u - range) % range;
  Rng local = rng; // its state in registers, not stored back per draw
  std::uint32_t pending = 0;
  bool has_pending = false; // the high half of the last value is unused
  auto next_half = [&]() -> std::uint32_t {
    if (has_pending) {
      has_pending = false;
      return pending;
    }
    const std::uint64_t x = local.next();
    pending = static_cast<std::uint32_t>(x >> 32);
    has_pending = true;
    return static_cast<std::uint32_t>(x);
  };
  auto accepted = [&](std::uint64_t product) {
    return static_cast<std::uint32_t>(product) >= threshold;
  };
  std::int32_t *o = out + static_cast<std::size_t>(row_begin) * m;
  std::int32_t *const end = out + static_cast<std::size_t>(row_end) * m;
  int r = row_begin, t = 0; // head row and index of the next draw
  auto put = [&](std::uint64_t product) {
    const auto u = static_cast<std::int32_t>(product >> 32);
    *o++ = u >= r ? u + 1 : u;
    if (++t == m) {
      t = 0;
      ++r;
    }
  };
  while (o < end) {
    if (!has_pending && end - o >= 2) {
      // Both halves of a fresh value (all but ~1e-6 of them at b = 1024).
      const std::uint64_t x = local.next();
      const std::uint64_t lo = (x & 0xFFFFFFFFu) * range,
                          hi = (x >> 32) * range;
      if (accepted(lo) && accepted(hi)) {
        put(lo);
        put(hi);
        continue;
      }
      pending = static_cast<std::uint32_t>(x >> 32);
      has_pending = true;
      if (accepted(lo)) {
        put(lo);
        continue;
      }
    }
    std::uint64_t product = std::uint64_t{next_half()} * range;
    while (!accepted(product))
      product = std::uint64_t{next_half()} * range;
    put(product);
  }
  rng = local;
}

CneBatchSampler::CneBatchSampler(const CneEdges &edges, int batch_size,
                                 int negatives)
    : batch_size_(batch_size), negatives_(negatives) {
  if (batch_size < 1)
    throw NebenchError("CNE: batch_size must be >= 1");
  if (negatives < 1)
    throw NebenchError("CNE: negatives must be >= 1");
  if (edges.size() < 1 || edges.size() > (std::int64_t(1) << 31) - 1)
    throw NebenchError("CNE: needs 1 to 2^31 - 1 directed edges");
  batches_ = (edges.size() + batch_size - 1) / batch_size;
  edges_.resize(static_cast<std::size_t>(edges.size()));
  for (std::size_t e = 0; e < edges_.size(); ++e)
    edges_[e] = CneEdge{edges.heads[e], edges.tails[e]};
  order_ = edges_;
}

void CneBatchSampler::start_epoch(Rng &rng) {
  std::copy(edges_.begin(), edges_.end(), order_.begin());
  // Rng::shuffle's Fisher-Yates, draw for draw (the same permutation), but
  // each swap partner is drawn kAhead swaps early and its cache line
  // prefetched: on a graph of millions of edges every partner is a cache
  // miss, and the draws do not depend on the data.
  constexpr std::size_t kAhead = 64; // a power of two
  const std::size_t n = order_.size();
  CneEdge *v = order_.data();
  std::size_t ahead[kAhead];
  Rng local = rng; // its state in registers, not stored back per draw
  // Swap k (k = 0 .. n - 2) exchanges v[n - 1 - k] with v[below(n - k)].
  const std::size_t swaps = n > 1 ? n - 1 : 0;
  auto draw = [&](std::size_t k) {
    const auto j = static_cast<std::size_t>(local.below(n - k));
    __builtin_prefetch(v + j, 1);
    ahead[k % kAhead] = j;
  };
  for (std::size_t k = 0; k < std::min(swaps, kAhead); ++k)
    draw(k);
  for (std::size_t k = 0; k < swaps; ++k) {
    const std::size_t j = ahead[k % kAhead];
    if (k + kAhead < swaps)
      draw(k + kAhead);
    std::swap(v[n - 1 - k], v[j]);
  }
  rng = local;
  negatives_key_ = rng.next();
}

CneBatch CneBatchSampler::make_batch() const {
  CneBatch batch;
  const auto b = std::min<std::int64_t>(batch_size_, order_.size());
  batch.points.resize(static_cast<std::size_t>(2 * b));
  // Full-batch batches need no storage; m < 2b - 2 for a full-size batch
  // means b * m row indices.
  if (negatives_ < 2 * b - 2)
    batch.negative_rows.resize(static_cast<std::size_t>(b * negatives_));
  return batch;
}

void CneBatchSampler::begin_batch(std::int64_t index, CneBatch &batch) const {
  const std::int64_t begin = index * batch_size_;
  if (index < 0 || index >= batches_)
    throw NebenchError("CNE: batch index " + std::to_string(index) +
                       " out of range");
  const auto b = static_cast<int>(std::min<std::int64_t>(
      batch_size_, static_cast<std::int64_t>(order_.size()) - begin));
  if (batch.points.size() < static_cast<std::size_t>(2 * b))
    throw NebenchError("CNE: batch buffers too small (use make_batch())");
  batch.edges = b;
  batch.full = negatives_ >= 2 * b - 2;
  batch.negatives = batch.full ? 2 * b - 2 : negatives_;
}

void CneBatchSampler::fill_blocks(std::int64_t index, int block_begin,
                                  int block_end, CneBatch &batch) const {
  const int b = batch.edges;
  const CneEdge *edges = batch_edges(index);
  // Every batch owns blocks(batch_size_) streams (the last one may use
  // fewer), so no two blocks of an epoch share one.
  const std::uint64_t first_stream =
      static_cast<std::uint64_t>(index) *
      static_cast<std::uint64_t>(blocks(batch_size_));
  for (int k = block_begin; k < block_end; ++k) {
    const int r0 = k * kCneBlockRows;
    const int r1 = std::min(b, r0 + kCneBlockRows);
    for (int r = r0; r < r1; ++r) {
      batch.points[r] = edges[r].head;
      batch.points[r + b] = edges[r].tail;
    }
    if (!batch.full) {
      Rng rng(negatives_key_, first_stream + static_cast<std::uint64_t>(k));
      draw_batch_negatives(b, negatives_, r0, r1, rng,
                           batch.negative_rows.data());
    }
  }
}

void CneBatchSampler::fill(std::int64_t index, CneBatch &batch) const {
  begin_batch(index, batch);
  fill_blocks(index, 0, blocks(batch.edges), batch);
}

} // namespace nebench
