#include "engine/torch/torch_threads.h"

#include <torch/torch.h>

namespace nebench {

void set_torch_threads(int n) {
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
