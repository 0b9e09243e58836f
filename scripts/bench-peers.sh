#!/usr/bin/env bash
# Side-by-side benchmark against peers from Debian (never dependencies of
# nebench itself), on the same PCA-50 Fashion-MNIST (all 70,000 points),
# same thread count, in one run, alternating peer and nebench:
#   t-SNE: nebench (750 iterations, 250 at exaggeration 12 + 500, eta n/12)
#          vs R Rtsne (Barnes-Hut, same schedule);
#   UMAP:  nebench (200 epochs, the package default) vs R uwot (200 epochs).
# The peers' embeddings are scored by nebench's own metric code (an
# "external" run), so both sides are measured the same way. Writes
# results/bench/peers.md and peers.json.
#   scripts/bench-peers.sh [--subsample N] [--threads T] [--only tsne|umap]
# REUSE_PEERS=1 keeps existing peer embeddings (to re-measure nebench only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
SUBSAMPLE=0
THREADS=2
ONLY="tsne umap"
while [ $# -gt 0 ]; do
  case "$1" in
    --subsample) SUBSAMPLE="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "usage: $0 [--subsample N] [--threads T] [--only tsne|umap]" >&2; exit 2 ;;
  esac
done

if ! Rscript -e 'library(Rtsne); library(uwot)' >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends r-base-core r-cran-rtsne r-cran-uwot
fi
[ -x build/nebench ] || scripts/build.sh
NEBENCH="$ROOT/build/nebench"
OUT="$ROOT/results/bench"
mkdir -p "$OUT"

# The comparison specs live next to their inputs (paths are relative to them).
/usr/bin/python3 - "$OUT" "$SUBSAMPLE" <<'PY'
import json, sys
out, subsample = sys.argv[1], int(sys.argv[2])
dataset = {"name": "fashion-mnist", "preprocess": [{"op": "pca", "dim": 50}]}
if subsample:
    dataset["subsample"] = subsample
metrics = [{"type": "knn_recall", "k": 15, "reference": "input"},
           {"type": "knn_accuracy", "k": 15, "test_fraction": 0.2}]
common = {"paper": "spectrum", "dataset": dataset, "seeds": [0], "metrics": metrics}
tsne = dict(common, id="bench/tsne_vs_rtsne", title="nebench t-SNE vs Rtsne",
            graph={"knn": {"k": 90}}, runs=[
  {"name": "nebench", "method": {
    "type": "tsne", "affinity": {"type": "perplexity", "perplexity": 30},
    "init": {"type": "pca", "std": 1e-4}, "repulsion": "auto", "learning_rate": "auto",
    "phases": [{"iters": 250, "exaggeration": 12, "momentum": 0.5},
               {"iters": 500, "exaggeration": 1, "momentum": 0.8}]}},
  {"name": "peer", "method": {"type": "external", "path": "rtsne.npy", "tool": "Rtsne"}}])
umap = dict(common, id="bench/umap_vs_uwot", title="nebench UMAP vs uwot",
            graph={"knn": {"k": 15}}, runs=[
  {"name": "nebench", "method": {"type": "umap", "k": 15, "epochs": 200,
                                 "init": {"type": "spectral"}}},
  {"name": "peer", "method": {"type": "external", "path": "uwot.npy", "tool": "uwot"}}])
for name, spec in (("tsne", tsne), ("umap", umap)):
    json.dump(spec, open(f"{out}/{name}_vs_peer.json", "w"), indent=1)
PY

echo "== export the PCA-50 input"
"$NEBENCH" -q data export "$OUT/tsne_vs_peer.json" --out "$OUT/fmnist_pca50.npy"

for method in $ONLY; do
  case "$method" in tsne) peer=rtsne ;; umap) peer=uwot ;; *) echo "unknown $method" >&2; exit 2 ;; esac
  echo "== $peer"
  if [ "${REUSE_PEERS:-0}" = 1 ] && [ -f "$OUT/$peer.npy" ] && [ -f "$OUT/$peer.log" ]; then
    echo "(reusing $OUT/$peer.npy: REUSE_PEERS=1)"
  else
    /usr/bin/time -f "peak_rss_kb %M wall %e" -o "$OUT/$peer.time" \
      Rscript "bench/peers/$peer.R" "$OUT/fmnist_pca50.npy" "$OUT/$peer.npy" 0 "$THREADS" | tee "$OUT/$peer.log"
  fi
  echo "== nebench $method"
  /usr/bin/time -f "peak_rss_kb %M wall %e" -o "$OUT/nebench_$method.time" \
    "$NEBENCH" --threads "$THREADS" run "$OUT/${method}_vs_peer.json" --only nebench \
    --profile full --out "$OUT/nebench_$method.h5" --force
  echo "== metrics of the $peer embedding (nebench's metric code)"
  "$NEBENCH" --threads "$THREADS" -q run "$OUT/${method}_vs_peer.json" --only peer \
    --profile full --out "$OUT/$peer.h5" --force
done

/usr/bin/python3 - "$OUT" "$ONLY" <<'PY'
import json, math, os, sys, h5py
out, only = sys.argv[1], sys.argv[2].split()
def kv(path):
    d = {}
    for line in open(path):
        p = line.split()
        for i in range(0, len(p) - 1, 2):
            d[p[i]] = p[i + 1]
    return d
def metrics(path, run):
    with h5py.File(path) as f:
        m = {k: float(v) for k, v in f["runs"][run]["metrics"].attrs.items()}
        return m, float(f["graph"].attrs["build_seconds"]), int(f["dataset"].attrs["n"])
lines, rows = [], []
for method, peer, label in (("tsne", "rtsne", "Rtsne"), ("umap", "uwot", "uwot")):
    # Every comparison with results on disk (this run's, or an earlier one's).
    if not (os.path.exists(f"{out}/{peer}.h5") and os.path.exists(f"{out}/nebench_{method}.h5")):
        continue
    nm, graph_s, n = metrics(f"{out}/nebench_{method}.h5", "nebench@seed=0")
    pm, _, _ = metrics(f"{out}/{peer}.h5", "peer@seed=0")
    nt, pt, plog = kv(f"{out}/nebench_{method}.time"), kv(f"{out}/{peer}.time"), kv(f"{out}/{peer}.log")
    ns, ps = float(nt["wall"]), float(plog[f"{peer}_seconds"])
    pair = [(f"nebench {method}", ns, int(nt["peak_rss_kb"]) / 1024, nm),
            (f"{label} {plog.get(peer + '_version', '?')}", ps, int(pt["peak_rss_kb"]) / 1024, pm)]
    lines += [f"## {method} (n = {n}; nebench kNN graph {graph_s:.1f} s)", "",
              "| tool | wall s | peak RSS MB | knn_recall@15 | knn_accuracy@15 | time ratio nebench/peer |",
              "|---|---|---|---|---|---|"]
    for i, (name, s, rss, m) in enumerate(pair):
        ratio = f"{ns / s:.2f}" if i > 0 else "-"
        lines.append(f"| {name} | {s:.1f} | {rss:.0f} | {m.get('knn_recall@15', math.nan):.4f} | "
                     f"{m.get('knn_accuracy@15', math.nan):.4f} | {ratio} |")
        rows.append({"method": method, "tool": name, "seconds": s, "peak_rss_mb": rss, **m})
    lines.append("")
head = ["# nebench vs peers on Fashion-MNIST PCA-50", "",
        "Same input (`nebench data export`), same thread count, run one after the other. "
        "Both embeddings are scored by nebench (`knn_recall@15` against exact PCA-50 neighbours "
        "over all points, `knn_accuracy@15` on a stratified 20% split). nebench's wall time is "
        "the whole `nebench run` (data loading, exact kNN graph, affinities, optimization, "
        "metrics); a peer's is its own call (Rtsne(): its kNN and optimization; umap(): "
        "its Annoy kNN and optimization).", ""]
open(f"{out}/peers.md", "w").write("\n".join(head + lines))
json.dump(rows, open(f"{out}/peers.json", "w"), indent=1)
print("\n".join(head + lines))
PY
