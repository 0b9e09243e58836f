#!/usr/bin/env bash
# Installs what is missing, builds, runs the whole CTest suite (then again in
# an ASan + UBSan build without LibTorch), then every spec
# at profile smoke and checks each result against experiments/baselines/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
THREADS="${NEBENCH_THREADS:-$(nproc)}"

GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi

scripts/install-deps.sh
scripts/build.sh
BUILD_DIR="${NEBENCH_BUILD_DIR:-build}"
NEBENCH="$ROOT/$BUILD_DIR/nebench"

echo "== unit and integration tests (CTest)"
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 1200 -j "$THREADS")

# AddressSanitizer + UBSan build of everything but LibTorch (issue 9): the
# same CTest suite, so that a leak, an out-of-bounds access or undefined
# behaviour fails CI. -Og -g1: line tables are enough for readable stacks,
# and with UBSan this builds 3x faster than -O1 -g (Eigen/Spectra units:
# 25 s vs 75 s each) while the tests run about as fast.
# NEBENCH_SKIP_ASAN=1 skips it locally; CI must not set it.
if [ "${NEBENCH_SKIP_ASAN:-0}" != 1 ]; then
  echo "== AddressSanitizer + UBSan build and tests"
  ASAN_DIR="${NEBENCH_ASAN_BUILD_DIR:-build-asan}"
  if [ ! -f "$ASAN_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$ASAN_DIR" "${GENERATOR[@]}" -DNEBENCH_SANITIZE=ON \
      -DNEBENCH_WITH_TORCH=OFF -DNEBENCH_BENCHMARKS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-Og -g1 -DNDEBUG"
  fi
  cmake --build "$ASAN_DIR" --parallel "$(nproc)"
  # Every test runs: none is impossible under ASan (none sets RLIMIT_AS,
  # which ASan's shadow memory would exceed). Suppressions cover only
  # uninstrumented libraries; see each file.
  SUPP="$ROOT/scripts/sanitizers"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp"
  # The Python-only tests (report site, Snakefile, schema) run no nebench
  # code: they ran above already.
  (cd "$ASAN_DIR" && ctest --output-on-failure --timeout 1800 -j "$THREADS" \
    -E '^(reports_.*|specs_match_schema)$')
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
fi

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
# CTest opened the site built from fixtures; open it again from the fresh
# smoke results (every page, image and console; index screenshot).
NEBENCH_SMOKE_RESULTS=results/smoke NEBENCH_ARTIFACT_DIR="$BUILD_DIR/test-artifacts" \
  /usr/bin/python3 tests/reports/test_site_chromium.py || status=1
if [ "$status" -ne 0 ]; then
  echo "FAILED: a smoke result left its baseline, or the site check failed" >&2
fi
exit "$status"
