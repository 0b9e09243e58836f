#include "engine/cli/openblas_core.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <unistd.h>

namespace nebench::cli {

void select_openblas_core(char **argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr)
    return; // the user's choice, or this is the re-executed process
  // Looked up at run time: builds without LibTorch may not load OpenBLAS.
  using CoreName = char *(*)();
  const auto core_name =
      reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (core_name == nullptr)
    return;
  const char *core = core_name();
  if (core == nullptr || std::strcmp(core, "Prescott") != 0)
    return; // OpenBLAS recognised this CPU
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
