#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (the spec parser and every data loader)
# for a given time each, with ASan + UBSan, and reports per target the
# executions and the findings.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGETs are names like spec_fuzzer
# (default: every fuzz/*_fuzzer.cpp). Configures and builds build-fuzz/ with
# clang when needed (NEBENCH_FUZZ_JOBS sets ninja's -j, default 2).
#
# Each target starts from its seed corpus fuzz/corpus/<target>/ (read only)
# and a working corpus fuzz/findings/<target>/corpus/ that keeps what earlier
# runs found; crash-*, leak-*, timeout-* and oom-* inputs go to
# fuzz/findings/<target>/ (git-ignored) with the log in fuzz.log. A finding
# stops that target (libFuzzer stops at the first one); once fixed, copy the
# input into fuzz/corpus/<target>/ as crash-<what> so it stays tested.
# Reproduce one with: build-fuzz/<target> fuzz/findings/<target>/crash-...
#
# Exit status: 0 when no target found anything, 1 when one did, 2 on a
# usage or build error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi

all_targets=()
for src in "$root"/fuzz/*_fuzzer.cpp; do
  all_targets+=("$(basename "$src" .cpp)")
done
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [[ ! -f "$root/fuzz/$t.cpp" ]]; then
    echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
done

if [[ ! -f "$build/build.ninja" ]]; then
  fuzz_opt=(-DNEBENCH_FUZZ=ON)
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${fuzz_opt[@]}" \
    -DNEBENCH_WITH_TORCH=OFF -DNEBENCH_BENCHMARKS=OFF -DBUILD_TESTING=OFF ||
    exit 2
fi
ninja -C "$build" -j "${NEBENCH_FUZZ_JOBS:-2}" "${targets[@]}" || exit 2

# Sanitizer reports abort (libFuzzer records them as crashes); leaks count
# as findings too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Leaks inside libhdf5 itself are suppressed (fuzz/lsan.supp says why).
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan.supp}"

cd "$root"
status=0
summary=()
for t in "${targets[@]}"; do
  out="fuzz/findings/$t"
  mkdir -p "$out/corpus"
  stamp="$out/.started"
  : >"$stamp"
  dict=()
  [[ -f "fuzz/$t.dict" ]] && dict=(-dict="fuzz/$t.dict")
  echo "== $t: ${seconds}s (log: $out/fuzz.log)"
  rc=0
  "$build/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/" "${dict[@]}" \
    "$out/corpus" "fuzz/corpus/$t" >"$out/fuzz.log" 2>&1 || rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz.log" |
    tail -1 | grep -o '[0-9]*$' || true)"
  mapfile -t found < <(find "$out" -maxdepth 1 -newer "$stamp" -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | sort)
  rm -f "$stamp"
  line="$(printf '%-20s executions %10s  findings %d' "$t" "${execs:-?}" \
    "${#found[@]}")"
  if [[ $rc -ne 0 || ${#found[@]} -gt 0 ]]; then
    status=1
    line+="  (libFuzzer exit $rc)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*deadly signal|.*uncaught)' \
      "$out/fuzz.log" | head -5 || true
    for f in "${found[@]}"; do echo "   finding: $f"; done
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
