#pragma once
// Stochastic block model: the graph paper's synthetic benchmark
// (papers/graph.md sec. 4 "sbm", sec. 7 P2). n_blocks blocks of n_per_block
// nodes; every pair of distinct nodes is an edge independently, with
// probability p_in inside a block and p_out across blocks. Label = block.
//
// Sparse graphs (P2 (b): 10 x 1000 nodes, p_in 0.02, p_out 4e-5) must not
// cost n^2 coin flips, so the generator draws the gap to the next edge of
// each block pair from the geometric distribution (Batagelj & Brandes 2005,
// "Efficient generation of large random networks", Phys. Rev. E 71, 036113):
// O(n + edges) time, the same distribution as one Bernoulli draw per pair.

#include "datasets/labeled_graph.h"

#include <cstdint>

namespace nebench {

struct SbmOptions {
  /// Number of blocks (= classes); sec. 4 default 10.
  std::int64_t n_blocks = 10;
  /// Nodes per block; sec. 4 default 101.
  std::int64_t n_per_block = 101;
  /// Edge probability of a pair inside one block; sec. 4 default 0.1.
  double p_in = 0.1;
  /// Edge probability of a pair from two blocks; sec. 4 default 0.01.
  double p_out = 0.01;
  /// Seed of the generator.
  std::uint64_t seed = 0;
};

/// The whole SBM graph (isolated nodes kept; take the largest component
/// with largest_connected_component where sec. 4's preparation is wanted):
/// node i is in block i / n_per_block, labels[i] = that block, original_ids
/// = 0..n-1. Each block pair (a, b), a <= b, draws from its own stream
/// Rng(seed, pair index), so the result is the same on every platform.
/// Throws NebenchError when a count is < 1, n_blocks * n_per_block exceeds
/// 2^31 - 1, or a probability lies outside [0, 1].
LabeledGraph stochastic_block_model(const SbmOptions &options);

} // namespace nebench
