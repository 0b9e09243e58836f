#pragma once
// LibTorch follows the same --threads setting as OpenMP and FAISS.

namespace nebench {

/// Sets LibTorch's intra-op threads to n (n <= 0 keeps its default) and
/// inter-op threads to 1.
void set_torch_threads(int n);
int torch_threads();

} // namespace nebench
