#pragma once
// OpenBLAS picks its kernels once, when the library loads. On CPUs newer
// than the packaged OpenBLAS knows (Debian 12 ships 0.3.21; e.g. Emerald
// Rapids, family 6 model 207) it falls back to the SSE3 "Prescott" kernels,
// which made LibTorch's sgemm-bound training and FAISS's exact search about
// 2x slower here. The kernel choice can only be changed through the
// environment before the library loads, so nebench re-executes itself once.

namespace nebench::cli {

/// When OPENBLAS_CORETYPE is unset, OpenBLAS is loaded and reports the
/// generic Prescott core, and the CPU has AVX2 and FMA: set OPENBLAS_CORETYPE
/// (SkylakeX with AVX-512, else Haswell) and exec /proc/self/exe with argv.
/// Returns normally in every other case, including a failed exec. Results
/// stay per-machine reproducible: the chosen core is the same on every run.
void select_openblas_core(char **argv);

} // namespace nebench::cli
