#pragma once
// The data pipeline of non-parametric CNE (Damrich et al. 2023; sec. 1.1 of
// papers/spectrum_and_cne.md), as in the cne package: p(ij) is uniform over
// the directed edges of the binary symmetric kNN graph; one epoch is one
// shuffled pass over all of them in batches of b edges; a batch has 2b rows
// (the b heads, then the b tails) and the negatives of head row r are m rows
// drawn uniformly from the other 2b - 1 rows (r's own tail may be drawn;
// make_neighbor_indices), freshly for every batch (force_resample = True).
// With m >= 2b - 2 every row except the pair (r, r + b) is a negative
// (full-batch repulsion). The negatives are the POINTS at those rows, so
// the noise is only approximately uniform over points (edges are sampled in
// proportion to degree).
//
// Random streams: an epoch's stream gives its edge permutation (Rng::
// shuffle's Fisher-Yates) and then one key; the negatives of the head rows
// in block k (rows [64 k, 64 k + 64)) of batch i come from Rng(key, i * B +
// k), B = ceil(b / 64) of a full batch, two per 64-bit value
// (draw_batch_negatives). Blocks can thus be filled in any order or by any
// thread with the same result.
//
// One difference to the package: its loader drops an incomplete last batch;
// here the last batch of an epoch holds the remaining E mod b edges, so that
// every directed edge is used exactly once per epoch.

#include "engine/core/csr.h"
#include "engine/core/rng.h"

#include <cstdint>
#include <vector>

namespace nebench {

/// One directed edge (i, j).
struct CneEdge {
  std::int32_t head = 0;
  std::int32_t tail = 0;
  bool operator==(const CneEdge &) const = default;
};

/// Directed edges (i, j) of a graph, in CSR order.
struct CneEdges {
  std::int64_t n = 0;              ///< points
  std::vector<std::int32_t> heads; ///< i of each edge
  std::vector<std::int32_t> tails; ///< j of each edge
  std::int64_t size() const { return static_cast<std::int64_t>(heads.size()); }
};

/// Every stored entry (i, j) of A as a directed edge (values are ignored:
/// for the binary symmetric graph both directions are stored). Throws
/// NebenchError for a malformed CSR, n >= 2^31 or no edges.
CneEdges cne_directed_edges(const Csr &A);

/// One batch, laid out as the package's `features`: rows [0, b) heads,
/// [b, 2b) tails. Buffers are sized for the largest batch once, so filling
/// a batch allocates nothing.
struct CneBatch {
  int edges = 0;     ///< b of this batch (the last one may be smaller)
  int negatives = 0; ///< per head row: m, or 2b - 2 in full-batch mode
  bool full = false; ///< full-batch mode: negatives are implicit
  std::vector<std::int32_t> points; ///< point of each of the 2b rows
  /// Row of negative t of head row r at [r * negatives + t] (not full).
  std::vector<std::int32_t> negative_rows;

  /// Row of negative t (0 <= t < negatives) of head row r. In full-batch
  /// mode: the t-th row of [0, 2b) without r and r + b.
  int negative_row(int r, int t) const {
    if (!full)
      return negative_rows[static_cast<std::size_t>(r) * negatives + t];
    int s = t;
    if (s >= r)
      ++s;
    if (s >= r + edges)
      ++s;
    return s;
  }
};

/// Head rows per block of negatives (the unit of the random streams and of
/// the work split between threads).
inline constexpr int kCneBlockRows = 64;

/// Negatives of head rows [row_begin, row_end) of a batch of b edges: for
/// each such row r, m rows drawn uniformly from [0, 2b) without r, written
/// to out[r * m + t]. The draws take the 32-bit halves of rng's values in
/// order (low half first; a value's unused high half is dropped at the
/// end): a half h gives u = floor(h (2b - 1) / 2^32), or is rejected when
/// the low word of h (2b - 1) is below 2^32 mod (2b - 1) (Lemire's exact
/// method), and the row is u + (u >= r). Precondition: m < 2b - 2 (else
/// use full-batch mode).
void draw_batch_negatives(int b, int m, int row_begin, int row_end, Rng &rng,
                          std::int32_t *out);

class CneBatchSampler {
public:
  /// Copies the edges; batch_size b >= 1 edges, negatives m >= 1 per head.
  /// Throws NebenchError when the graph has more than 2^31 - 1 edges.
  CneBatchSampler(const CneEdges &edges, int batch_size, int negatives);

  /// Batches per epoch, ceil(E / b).
  std::int64_t batches() const { return batches_; }
  int batch_size() const { return batch_size_; }
  int negatives() const { return negatives_; }

  /// Starts an epoch: a fresh uniform permutation of the edges (exactly
  /// rng.shuffle() of the CSR order, so it depends on rng alone), then
  /// the key of the epoch's negatives from the same rng. The (head, tail)
  /// pairs themselves are shuffled, so that filling a batch reads them
  /// sequentially instead of gathering from 2 x E indices.
  void start_epoch(Rng &rng);
  /// The current epoch's edges, in order.
  const std::vector<CneEdge> &epoch_edges() const { return order_; }
  /// The first edge of batch `index` of the current epoch (unchecked).
  const CneEdge *batch_edges(std::int64_t index) const {
    return order_.data() + index * batch_size_;
  }

  /// Fills `batch` with batch `index` (0 <= index < batches()) of the
  /// current epoch and draws its negatives: begin_batch() and then
  /// fill_blocks() over all blocks. `batch` must come from make_batch().
  void fill(std::int64_t index, CneBatch &batch) const;
  /// Sets the shape of batch `index` (edges, negatives, full) in `batch`.
  void begin_batch(std::int64_t index, CneBatch &batch) const;
  /// Blocks of kCneBlockRows head rows of a batch of b edges.
  static int blocks(int b) { return (b + kCneBlockRows - 1) / kCneBlockRows; }
  /// For the head rows r of blocks [block_begin, block_end) of batch
  /// `index`, after begin_batch(): the points of rows r and r + b and the
  /// negatives of r. Disjoint block ranges write disjoint entries.
  void fill_blocks(std::int64_t index, int block_begin, int block_end,
                   CneBatch &batch) const;
  /// A batch with buffers for the largest batch.
  CneBatch make_batch() const;

private:
  std::vector<CneEdge> edges_; ///< CSR order
  std::vector<CneEdge> order_; ///< this epoch's order
  int batch_size_;
  int negatives_;
  std::int64_t batches_;
  std::uint64_t negatives_key_ = 0; ///< this epoch's key of the negatives
};

} // namespace nebench
