#include "engine/core/openblas_core_name.h"

#include <dlfcn.h>

namespace nebench {

std::string openblas_core_name() {
  using CoreName = char *(*)();
  const auto core_name =
      reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char *core = core_name != nullptr ? core_name() : nullptr;
  return core != nullptr ? core : "";
}

} // namespace nebench
