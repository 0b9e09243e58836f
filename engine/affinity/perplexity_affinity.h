#pragma once
// t-SNE input affinities (van der Maaten & Hinton 2008, eq. 1): a Gaussian
// conditional distribution over each point's k nearest neighbours whose
// precision is chosen so that its perplexity matches the target, then
// symmetrized. Matches openTSNE's PerplexityBasedNN on the same kNN graph.

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"

namespace nebench {

struct PerplexityParams {
  /// Target perplexity 2^H of every conditional distribution (van der Maaten
  /// & Hinton 2008, sec. 2; 30 in the spectrum paper, Boehm et al. 2022).
  double perplexity = 30;
  /// Neighbours per point used for the conditional distribution; 0 means
  /// round(3 * perplexity) (openTSNE's default).
  int k = 0;
  /// Stop the binary search when |H - log(perplexity)| <= tolerance
  /// (entropy in nats).
  double tolerance = 1e-5;
  /// Maximum binary-search steps per point.
  int max_iter = 200;
};

/// Neighbours actually used: params.k, or round(3 * perplexity) when 0.
int perplexity_neighbors(const PerplexityParams &params);

/// P = (P_cond + P_cond^T) / (2n): symmetric, sums to 1, column indices
/// sorted within each row. P_cond(i, .) = exp(-beta_i d_ij^2) / sum over the
/// first k neighbours of i. Throws NebenchError when k exceeds graph.k or the
/// perplexity is not below k (the entropy of k neighbours is at most log k).
Csr perplexity_affinities(const KnnGraph &graph,
                          const PerplexityParams &params);

/// Conditional distribution of one point over its neighbours: fills p[0..k)
/// from squared distances d2[0..k) so that its entropy is log(perplexity)
/// nats; returns the final |H - log(perplexity)|. Exposed for tests.
double conditional_distribution(const double *d2, int k, double perplexity,
                                double tolerance, int max_iter, double *p);

} // namespace nebench
