#!/usr/bin/env bash
# The main job: installs what is missing, builds, prepares the data, runs every
# spec under experiments/ at profile quick (override: PROFILE=full|smoke)
# through the Snakefile and writes reports/site/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-quick}"
THREADS="${NEBENCH_THREADS:-$(nproc)}"

scripts/install-deps.sh
scripts/build.sh
snakemake --snakefile Snakefile --cores "$THREADS" \
  --config profile="$PROFILE" threads="$THREADS" nebench="build/nebench" \
  --rerun-incomplete "$@"
echo "report: $(pwd)/reports/site/index.html"
