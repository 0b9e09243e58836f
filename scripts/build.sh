#!/usr/bin/env bash
# Configures and builds nebench in Release into build/ (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${NEBENCH_BUILD_DIR:-build}"
GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DNEBENCH_WITH_TORCH="${NEBENCH_WITH_TORCH:-ON}" ${NEBENCH_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
