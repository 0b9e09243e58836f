#!/usr/bin/env bash
# Checks the LibTorch CNE code on a CUDA GPU (bench/cuda/cne_cuda_check.cpp):
# losses and gradients on CUDA against the CPU, one CUDA epoch against the
# native epoch, and epoch times native vs LibTorch CPU vs LibTorch CUDA.
# Builds only the few sources it needs, against the LibTorch of the local
# PyTorch (a CUDA build), so it runs on a GPU machine that lacks nebench's
# other dependencies:   scripts/cuda-check.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-build-cuda-check}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
read -r TORCH_DIR ABI < <("$PY" -c 'import os, torch; print(os.path.dirname(torch.__file__), int(torch.compiled_with_cxx11_abi()))')
SOURCES="engine/affinity/binary_knn_affinity.cpp engine/ne/cne_batch_sampler.cpp
  engine/ne/cne_optimizer.cpp engine/torch/cne_torch_loss.cpp engine/torch/cne_torch_epoch.cpp
  bench/cuda/cne_cuda_check.cpp"
# shellcheck disable=SC2086
g++ -std=c++20 -O2 -fopenmp -D_GLIBCXX_USE_CXX11_ABI="$ABI" -I. \
  -isystem "$TORCH_DIR/include" -isystem "$TORCH_DIR/include/torch/csrc/api/include" \
  $SOURCES -o "$OUT/cne_cuda_check" \
  -L"$TORCH_DIR/lib" -Wl,-rpath,"$TORCH_DIR/lib" \
  -Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed -ltorch -ltorch_cpu -lc10
"$OUT/cne_cuda_check"
