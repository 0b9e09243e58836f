#pragma once
// The synthetic graph and layout of the CNE benchmarks (bench/cne_bench.cpp,
// bench/cne_torch_bench.cpp, bench/cuda/cne_cuda_check.cpp): n points on a
// ring in a random order; each point's 15 "neighbours" are the 8 nearest
// ring positions (+-1 .. +-4, mutual) and 7 uniformly random points, then
// the binary max-symmetrisation of engine/affinity/binary_knn_affinity.h:
// about 8 + 2 * 7 = 22 neighbours per point (~1.54M directed edges at n =
// 70,000, the size of MNIST's graph), local and random memory access mixed
// like a real kNN graph. Layout: N(0, 10^2) per coordinate (a converged CNE
// layout's extent).

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"

#include <cstdint>
#include <vector>

namespace nebench {

struct RingInputs {
  Csr A;     ///< binary symmetric graph
  MatrixD Y; ///< n x 2 layout
};

inline RingInputs ring_inputs(std::int64_t n, std::uint64_t seed = 11) {
  constexpr int kNeighbors = 15, kRingNeighbors = 8;
  Rng rng(seed);
  std::vector<std::int64_t> id(n); // point at ring position p
  for (std::int64_t p = 0; p < n; ++p)
    id[p] = p;
  rng.shuffle(id);
  KnnGraph g;
  g.n = n;
  g.k = kNeighbors;
  g.indices.resize(n * kNeighbors);
  g.distances.assign(n * kNeighbors, 1.0f);
  for (std::int64_t p = 0; p < n; ++p) {
    std::int64_t *nb = g.indices.data() + id[p] * kNeighbors;
    int j = 0;
    for (int o = 1; o <= kRingNeighbors / 2; ++o) {
      nb[j++] = id[(p + o) % n];
      nb[j++] = id[(p - o + n) % n];
    }
    while (j < kNeighbors) {
      const auto q = static_cast<std::int64_t>(rng.below(n));
      if (q != id[p])
        nb[j++] = q;
    }
  }
  RingInputs out;
  out.A = binary_knn_graph(g, kNeighbors);
  out.Y = MatrixD(n, 2);
  for (double &v : out.Y.data)
    v = 10.0 * rng.normal();
  return out;
}

} // namespace nebench
