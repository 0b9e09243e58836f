#include "engine/torch/torch_threads.h"

#include <torch/torch.h>

#include <dlfcn.h>

namespace nebench {

namespace {

/// LibTorch's matrix products go to the system BLAS (Debian: OpenBLAS behind
/// libblas.so.3), which keeps its own pool of one thread per core, apart
/// from torch::set_num_threads. Its workers wait in sched_yield loops; with
/// LibTorch's own threads beside them, a small product waits for a
/// descheduled worker (gdb showed t-SimCNE's head layers stuck in
/// exec_blas_async_wait). LibTorch already splits its ops over the batch, so
/// the BLAS runs on one thread. Looked up at run time: another BLAS simply
/// lacks the symbol.
void single_threaded_blas() {
  using SetThreads = void (*)(int);
  if (const auto set = reinterpret_cast<SetThreads>(
          dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set(1);
}

} // namespace

void set_torch_threads(int n) {
  single_threaded_blas();
  if (n > 0) {
    torch::set_num_threads(n);
    torch::set_num_interop_threads(1);
  }
}

int torch_threads() { return torch::get_num_threads(); }

TorchThreadsScope::TorchThreadsScope(int n) : saved_(torch::get_num_threads()) {
  if (n > 0)
    torch::set_num_threads(n);
}

TorchThreadsScope::~TorchThreadsScope() { torch::set_num_threads(saved_); }

} // namespace nebench
