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
  // uniform over [0, 2b) \ {r}.
  const auto range = static_cast<std::uint64_t>(2 * b - 1);
  for (int r = row_begin; r < row_end; ++r)
    for (int t = 0; t < m; ++t) {
      auto u = static_cast<std::int32_t>(rng.below(range));
      out[static_cast<std::size_t>(r) * m + t] = u >= r ? u + 1 : u;
    }
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
  rng.shuffle(order_);
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
