#!/usr/bin/python3
"""Regenerates experiments/baselines/<spec>.json from fresh smoke runs.

For every spec (or those named on the command line) it runs the smoke
profile exactly as CI does (the smoke profile's seeds, usually just 0) for
the expected values and claim verdicts, and the same profile over seeds 0, 1,
2 for the spread. The band of each metric is max(3 x seed sd, 0.01 x |value|,
0.005): wide enough for thread-count and platform noise, narrow enough to
catch a real regression. It prints what changed against the previous
baseline and rewrites the listing in experiments/baselines/README.md.

--list only rewrites that listing (no runs) and exits 1 when a spec with a
smoke profile has no baseline or a baseline has no spec.
"""
import argparse
import datetime
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile

import h5py

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPREAD_SEEDS = [0, 1, 2]


def has_smoke(path):
    """Specs without a smoke profile (full-only ones that need the user's data
    or a GPU, e.g. tsimcne/cifar10) have no baseline; scripts/test.sh skips
    them too."""
    return "smoke" in (json.loads(path.read_text()).get("profiles") or {})


def spec_files(names):
    if names:
        return [pathlib.Path(n) for n in names]
    return sorted(p for p in (ROOT / "experiments").rglob("*.json")
                  if p.name != "schema.json" and "baselines" not in p.parts
                  and has_smoke(p))


BASELINES = ROOT / "experiments" / "baselines"
LISTING_BEGIN = "<!-- listing: written by scripts/update-baselines.py --list -->"
LISTING_END = "<!-- end of listing -->"


def write_listing():
    """Rewrites the table of baselines in experiments/baselines/README.md;
    returns the problems (smoke specs without a baseline and the reverse)."""
    specs = {}
    for p in spec_files([]):
        specs[json.loads(p.read_text())["id"]] = p.relative_to(ROOT)
    rows, problems = [], []
    for path in sorted(BASELINES.glob("*.json")):
        b = json.loads(path.read_text())
        sid = b.get("spec_id", "?")
        bands = sum(len(m) for m in b.get("metrics", {}).values())
        spec = specs.pop(sid, None)
        if spec is None:
            problems.append(f"{path.relative_to(ROOT)}: no spec with a smoke profile has id {sid!r}")
        rows.append(f"| `{path.name}` | `{sid}` | {f'`{spec}`' if spec else '(none)'} | "
                    f"{len(b.get('metrics', {}))} | {bands} | {len(b.get('claims', {}))} | "
                    f"{b.get('generated_utc', '')} |")
    for sid, spec in sorted(specs.items()):
        problems.append(f"{spec}: spec {sid!r} has a smoke profile but no baseline "
                        f"(experiments/baselines/{sid.replace('/', '__')}.json)")
    table = "\n".join([
        "| baseline | spec | spec file | runs | metric bands | claims | generated (UTC) |",
        "|---|---|---|---|---|---|---|", *rows])
    readme = BASELINES / "README.md"
    text = readme.read_text() if readme.exists() else f"{LISTING_BEGIN}\n{LISTING_END}\n"
    if LISTING_BEGIN not in text or LISTING_END not in text:
        raise SystemExit(f"{readme}: the markers {LISTING_BEGIN!r} and {LISTING_END!r} are missing")
    head, rest = text.split(LISTING_BEGIN, 1)
    tail = rest.split(LISTING_END, 1)[1]
    readme.write_text(f"{head}{LISTING_BEGIN}\n{table}\n{LISTING_END}{tail}")
    return problems


def run_smoke(nebench, spec, out, threads):
    subprocess.run([nebench, "--threads", str(threads), "-q", "run", str(spec),
                    "--profile", "smoke", "--out", str(out), "--force"],
                   check=True)


def read_metrics(path):
    """run id -> {metric: value}, and claim id -> verdict."""
    with h5py.File(path, "r") as f:
        s = f["summary"]
        ids = [x.decode() if isinstance(x, bytes) else x for x in s["run_id"][()]]
        status = [x.decode() if isinstance(x, bytes) else x for x in s["status"][()]]
        metrics = {}
        for i, rid in enumerate(ids):
            if status[i] != "ok":
                continue
            metrics[rid] = {m: float(s["metrics"][m][i]) for m in s["metrics"]
                            if not math.isnan(float(s["metrics"][m][i]))}
        claims = {c: f["claims"][c].attrs["verdict"] for c in f.get("claims", {})}
        claims = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in claims.items()}
    return metrics, claims


def strip_seed(run_id):
    base, _, params = run_id.partition("@")
    kept = [p for p in params.split(",") if not p.startswith("seed=")]
    return base + ("@" + ",".join(kept) if kept else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("specs", nargs="*")
    ap.add_argument("--nebench", default=str(ROOT / "build" / "nebench"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--list", action="store_true",
                    help="only rewrite the listing in experiments/baselines/README.md")
    args = ap.parse_args()
    if args.list:
        problems = write_listing()
        for p in problems:
            print(p, file=sys.stderr)
        print(f"wrote {(BASELINES / 'README.md').relative_to(ROOT)}")
        return 1 if problems else 0

    for spec in spec_files(args.specs):
        doc = json.loads(spec.read_text())
        sid = doc["id"]
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            run_smoke(args.nebench, spec, tmp / "ci.h5", args.threads)
            expected, claims = read_metrics(tmp / "ci.h5")
            # The spread run: same smoke profile over several seeds, written
            # next to the spec so that relative dataset paths still resolve.
            doc.setdefault("profiles", {}).setdefault("smoke", {})["seeds"] = SPREAD_SEEDS
            spread_spec = spec.with_name(f".{spec.stem}.spread.json")
            spread_spec.write_text(json.dumps(doc))
            try:
                run_smoke(args.nebench, spread_spec, tmp / "spread.h5", args.threads)
            finally:
                spread_spec.unlink()
            spread, _ = read_metrics(tmp / "spread.h5")

        groups = {}
        for rid, values in spread.items():
            for m, v in values.items():
                groups.setdefault((strip_seed(rid), m), []).append(v)
        out = {"spec_id": sid, "profile": "smoke",
               "generated_utc": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
               "note": "expected = smoke run (seed 0); tolerance = max(3 sd over seeds "
                       f"{SPREAD_SEEDS}, 1% of value, 0.005). Regenerate with "
                       "scripts/update-baselines.py.",
               "metrics": {}, "claims": claims}
        for rid, values in sorted(expected.items()):
            out["metrics"][rid] = {}
            for m, v in sorted(values.items()):
                vals = groups.get((strip_seed(rid), m), [v])
                mean = sum(vals) / len(vals)
                sd = math.sqrt(sum((x - mean) ** 2 for x in vals) / max(1, len(vals) - 1))
                tol = max(3 * sd, 0.01 * abs(v), 0.005)
                out["metrics"][rid][m] = {"expected": round(v, 6), "tolerance": round(tol, 6)}

        path = BASELINES / (sid.replace("/", "__") + ".json")
        if path.exists():
            old = json.loads(path.read_text())
            for rid, ms in out["metrics"].items():
                for m, e in ms.items():
                    o = old.get("metrics", {}).get(rid, {}).get(m)
                    if o is None:
                        print(f"{sid}: new {rid} {m} = {e['expected']:.4f}")
                    elif abs(o["expected"] - e["expected"]) > o["tolerance"]:
                        print(f"{sid}: {rid} {m}: {o['expected']:.4f} -> {e['expected']:.4f} "
                              f"(outside the old band +-{o['tolerance']:.4f})")
            for c, v in claims.items():
                if old.get("claims", {}).get(c) != v:
                    print(f"{sid}: claim {c}: {old.get('claims', {}).get(c)} -> {v}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    for p in write_listing():
        print(p, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
