#include "engine/cli/openblas_core.h"

#include "engine/core/openblas_core_name.h"

#include <cstdlib>
#include <unistd.h>

namespace nebench::cli {

void select_openblas_core(char **argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr)
    return; // the user's choice, or this is the re-executed process
  if (openblas_core_name() != "Prescott")
    return; // no OpenBLAS, or it recognised this CPU
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    return; // Prescott is the right kernel set for this CPU
  const char *chosen =
      __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
  if (setenv("OPENBLAS_CORETYPE", chosen, 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): go on with the generic kernels; the variable
  // stays set, which is harmless for this process.
}

} // namespace nebench::cli
