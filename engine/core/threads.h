#pragma once
// One --threads setting drives OpenMP, FAISS (which uses OpenMP) and LibTorch.

namespace nebench {

/// Sets the thread count for OpenMP/FAISS (and LibTorch when built with it).
/// n <= 0 keeps the library default (all cores).
void set_threads(int n);
/// Threads OpenMP will use for the next parallel region.
int current_threads();

} // namespace nebench
