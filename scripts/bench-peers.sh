#!/usr/bin/env bash
# Side-by-side benchmark against peers from Debian (never dependencies of
# nebench itself): nebench t-SNE vs R's Rtsne on the same PCA-50
# Fashion-MNIST (all 70,000 points), same schedule, same thread count. The
# peers' embeddings are judged by nebench's own metric code (an "external"
# run), so both columns are measured the same way. Writes
# results/bench/peers.md (and peers.json).
#   scripts/bench-peers.sh [--subsample N] [--threads T]
# REUSE_PEERS=1 keeps existing peer embeddings (to re-measure nebench only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
SUBSAMPLE=0
THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --subsample) SUBSAMPLE="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "usage: $0 [--subsample N] [--threads T]" >&2; exit 2 ;;
  esac
done

if ! Rscript -e 'library(Rtsne)' >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends r-base-core r-cran-rtsne
fi
[ -x build/nebench ] || scripts/build.sh
NEBENCH="$ROOT/build/nebench"
OUT="$ROOT/results/bench"
mkdir -p "$OUT"

# The comparison spec lives next to its inputs (paths are relative to it).
/usr/bin/python3 - "$OUT" "$SUBSAMPLE" <<'PY'
import json, sys
out, subsample = sys.argv[1], int(sys.argv[2])
dataset = {"name": "fashion-mnist", "preprocess": [{"op": "pca", "dim": 50}]}
if subsample:
    dataset["subsample"] = subsample
spec = {
  "id": "bench/tsne_vs_rtsne", "paper": "spectrum",
  "title": "nebench t-SNE vs Rtsne (Barnes-Hut), same input and schedule",
  "dataset": dataset, "graph": {"knn": {"k": 90}},
  "runs": [
    {"name": "nebench_tsne", "method": {
      "type": "tsne", "affinity": {"type": "perplexity", "perplexity": 30},
      "init": {"type": "pca", "std": 1e-4}, "repulsion": "auto", "learning_rate": "auto",
      "phases": [{"iters": 250, "exaggeration": 12, "momentum": 0.5},
                 {"iters": 500, "exaggeration": 1, "momentum": 0.8}]}},
    {"name": "rtsne", "method": {"type": "external", "path": "rtsne.npy", "tool": "Rtsne"}}],
  "seeds": [0],
  "metrics": [{"type": "knn_recall", "k": 15, "reference": "input"},
              {"type": "knn_accuracy", "k": 15, "test_fraction": 0.2}]}
json.dump(spec, open(f"{out}/tsne_vs_rtsne.json", "w"), indent=1)
PY

echo "== export the PCA-50 input"
"$NEBENCH" -q data export "$OUT/tsne_vs_rtsne.json" --out "$OUT/fmnist_pca50.npy"

echo "== Rtsne"
if [ "${REUSE_PEERS:-0}" = 1 ] && [ -f "$OUT/rtsne.npy" ] && [ -f "$OUT/rtsne.log" ]; then
  echo "(reusing $OUT/rtsne.npy: REUSE_PEERS=1)"
else
/usr/bin/time -f "peak_rss_kb %M" -o "$OUT/rtsne.time" \
  Rscript bench/peers/rtsne.R "$OUT/fmnist_pca50.npy" "$OUT/rtsne.npy" 0 "$THREADS" | tee "$OUT/rtsne.log"
fi

echo "== nebench t-SNE"
/usr/bin/time -f "peak_rss_kb %M wall %e" -o "$OUT/nebench.time" \
  "$NEBENCH" --threads "$THREADS" run "$OUT/tsne_vs_rtsne.json" --only nebench_tsne --profile full \
  --out "$OUT/nebench_tsne.h5" --force

echo "== metrics of the Rtsne embedding (nebench's metric code)"
"$NEBENCH" --threads "$THREADS" -q run "$OUT/tsne_vs_rtsne.json" --only rtsne --profile full \
  --out "$OUT/rtsne.h5" --force

/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, h5py
out = sys.argv[1]
def metrics(path, run):
    with h5py.File(path) as f:
        g = f["runs"][run]
        m = dict(g["metrics"].attrs)
        trace = g["trace"]
        return {k: float(v) for k, v in m.items()}, f["graph"].attrs["build_seconds"], \
            float(trace["seconds"][-1]) if "seconds" in trace else float("nan"), int(f["dataset"].attrs["n"])
def kv(path):
    d = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2:
            d[parts[0]] = parts[1]
        if len(parts) >= 4:
            d[parts[2]] = parts[3]
    return d
neb_m, graph_s, opt_s, n = metrics(f"{out}/nebench_tsne.h5", "nebench_tsne@seed=0")
rt_m, _, _, _ = metrics(f"{out}/rtsne.h5", "rtsne@seed=0")
nt, rt, rlog = kv(f"{out}/nebench.time"), kv(f"{out}/rtsne.time"), kv(f"{out}/rtsne.log")
rows = [
  ("nebench t-SNE (BH, exact kNN)", float(nt["wall"]), int(nt["peak_rss_kb"]) / 1024, neb_m),
  (f"Rtsne {rlog.get('rtsne_version', '?')} (BH)", float(rlog["rtsne_seconds"]), int(rt["peak_rss_kb"]) / 1024, rt_m),
]
lines = [f"# nebench vs peers: t-SNE on Fashion-MNIST PCA-50 (n = {n})", "",
         "Same input (exported by `nebench data export`), perplexity 30, 250 iterations at "
         "exaggeration 12 then 500 at 1, learning rate n/12, theta 0.5, seed 0. Metrics are "
         "computed by nebench for both embeddings (`knn_recall@15` against exact PCA-50 "
         "neighbours over all points; `knn_accuracy@15` on a stratified 20% split). "
         "nebench's wall time is the whole `nebench run` (data loading, exact kNN graph "
         f"{graph_s:.1f} s, affinities, {opt_s:.1f} s of optimization, metrics); "
         "Rtsne's is its Rtsne() call.", "",
         "| tool | wall s | peak RSS MB | knn_recall@15 | knn_accuracy@15 | time ratio nebench/peer |",
         "|---|---|---|---|---|---|"]
for name, s, rss, m in rows:
    ratio = rows[0][1] / s
    lines.append(f"| {name} | {s:.1f} | {rss:.0f} | {m.get('knn_recall@15', float('nan')):.4f} | "
                 f"{m.get('knn_accuracy@15', float('nan')):.4f} | {ratio:.2f} |")
open(f"{out}/peers.md", "w").write("\n".join(lines) + "\n")
json.dump({"n": n, "rows": [{"tool": r[0], "seconds": r[1], "peak_rss_mb": r[2], **r[3]} for r in rows]},
          open(f"{out}/peers.json", "w"), indent=1)
print("\n".join(lines))
PY
