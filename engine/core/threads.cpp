#include "engine/core/threads.h"

#include <omp.h>

namespace nebench {

void set_threads(int n) {
  if (n > 0)
    omp_set_num_threads(n);
}

int current_threads() { return omp_get_max_threads(); }

} // namespace nebench
