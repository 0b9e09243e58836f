#pragma once
// Seeded uniform subsampling (spec keys dataset.subsample/subsample_seed).

#include "datasets/dataset.h"

#include <cstdint>

namespace nebench {

/// Rng stream used for subsampling, so that a subsample seed and a generator
/// or method seed of the same value draw unrelated numbers.
inline constexpr std::uint64_t kSubsampleStream = 0x73756273616d706cULL;

/// `count` rows drawn uniformly without replacement with Rng(seed,
/// kSubsampleStream), kept in ascending order; labels and indices follow
/// (indices stay relative to the full dataset), as do the name, digest,
/// class names, image shape and pixel_max. count <= 0 or count >= n
/// keeps everything.
Dataset subsample_dataset(const Dataset &dataset, std::int64_t count,
                          std::uint64_t seed);

} // namespace nebench
