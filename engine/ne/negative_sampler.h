#pragma once
// Negative-sampling policies of EdgeSamplingSgd: where the "other points" of
// the repulsive term come from. UMAP (umap-learn, uwot) and Neg-t-SNE draw
// them uniformly from all n points (the noise distribution xi of the CNE
// paper, Damrich et al. 2023 sec. 1.1); a negative equal to the head is
// skipped by the engine.
//
// Concept: std::int64_t operator()(Rng &rng) const, using only `rng` (the
// engine gives every node or edge chunk its own stream, which is what keeps
// runs reproducible).

#include "engine/core/rng.h"

#include <cstdint>

namespace nebench {

struct UniformNegatives {
  std::int64_t n = 0; ///< number of points to draw from

  std::int64_t operator()(Rng &rng) const {
    return static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n)));
  }
};

} // namespace nebench
