#pragma once
// LibTorch follows the same --threads setting as OpenMP and FAISS.

namespace nebench {

/// Sets LibTorch's intra-op threads to n (n <= 0 keeps its default) and
/// inter-op threads to 1.
void set_torch_threads(int n);
int torch_threads();

/// Sets LibTorch's intra-op threads to n for its lifetime (n <= 0: no
/// change) and restores the previous count after.
class TorchThreadsScope {
public:
  explicit TorchThreadsScope(int n);
  ~TorchThreadsScope();
  TorchThreadsScope(const TorchThreadsScope &) = delete;
  TorchThreadsScope &operator=(const TorchThreadsScope &) = delete;

private:
  int saved_;
};

} // namespace nebench
