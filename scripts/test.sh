#!/usr/bin/env bash
# Installs what is missing, builds, runs the whole CTest suite, then every spec
# at profile smoke and checks each result against experiments/baselines/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
THREADS="${NEBENCH_THREADS:-$(nproc)}"

scripts/install-deps.sh
scripts/build.sh
BUILD_DIR="${NEBENCH_BUILD_DIR:-build}"
NEBENCH="$ROOT/$BUILD_DIR/nebench"

echo "== unit and integration tests (CTest)"
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 1200 -j "$THREADS")

echo "== smoke specs with regression checks"
status=0
mkdir -p results/smoke
while IFS= read -r spec; do
  id="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$spec")"
  # Full-only specs (the user's data or a GPU, e.g. tsimcne/cifar10) have no
  # smoke profile and no baseline.
  if ! /usr/bin/python3 -c 'import json,sys; sys.exit(0 if "smoke" in (json.load(open(sys.argv[1])).get("profiles") or {}) else 1)' "$spec"; then
    echo "skip $spec: no smoke profile (full profile only)"
    continue
  fi
  out="results/smoke/$id.h5"
  "$NEBENCH" --threads "$THREADS" run "$spec" --profile smoke --out "$out" --force
  baseline="experiments/baselines/${id//\//__}.json"
  if [ -f "$baseline" ]; then
    "$NEBENCH" check "$out" --baseline "$baseline" || status=1
  else
    echo "error: no baseline $baseline for $spec (scripts/update-baselines.py writes it)" >&2
    status=1
  fi
done < <(find experiments -name '*.json' -not -name schema.json -not -path 'experiments/baselines/*' | sort)

echo "== report from the smoke results"
/usr/bin/python3 reports/build.py --results results/smoke --out results/smoke/site
if [ "$status" -ne 0 ]; then
  echo "FAILED: at least one smoke result left its baseline" >&2
fi
exit "$status"
