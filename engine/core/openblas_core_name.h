#pragma once
// The kernel set ("core") of the OpenBLAS loaded into this process, looked
// up at run time: builds without LibTorch may not load OpenBLAS at all. The
// core changes LibTorch's and FAISS's floating-point results, so provenance
// records it, and engine/cli/openblas_core.h replaces a generic one.

#include <string>

namespace nebench {

/// openblas_get_corename() of the loaded OpenBLAS (e.g. "SkylakeX",
/// "Prescott"), or "" when no OpenBLAS is loaded.
std::string openblas_core_name();

} // namespace nebench
