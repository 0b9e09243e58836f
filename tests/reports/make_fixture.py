#!/usr/bin/python3
"""Writes small but complete nebench result files for the report tests.

The files follow results/README.md exactly (layout_version 1). The data are a
seeded 3-class Gaussian mixture in 10-D; the "embeddings" are its 2-D PCA
projection with the within-class spread shrunk by 1/sqrt(rho) (a stand-in for
exaggeration, not a t-SNE run). Everything a verdict depends on is computed
honestly from those embeddings: the kNN graph is exact, knn_recall@15,
knn_accuracy@15 and dcor_to_<run> (distance correlation) are the real
metrics, and the claim verdicts are evaluated from the stored metrics.
Traces and wall times are synthetic (they only need to be plottable).

Usage: make_fixture.py OUTDIR     writes OUTDIR/spectrum/fixture_rho.h5 and
                                   OUTDIR/cne/fixture_partial.h5
(write_placement_fixture writes the placement of UMAP and LE on the rho axis,
write_c_fixture a Neg-t-SNE sweep over c with runs at Z(t-SNE) and Z(NCE).)
"""

import dataclasses
import json
import os
import sys

import h5py
import numpy as np

K = 15
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover"]
FAILED_ERROR = ("NumericalError: gradient norm 3.2e+12 > 1e+12 at iteration 30 "
                "(embedding became NaN); run fa2@seed=0 stopped")
STR = h5py.string_dtype("utf-8")


def _knn(points, k):
    """Exact k nearest neighbours (self excluded), squared-distance brute force."""
    sq = np.sum(points * points, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * points @ points.T
    np.fill_diagonal(d2, np.inf)
    idx = np.argsort(d2, axis=1, kind="stable")[:, :k]
    dist = np.sqrt(np.maximum(np.take_along_axis(d2, idx, axis=1), 0.0))
    return idx.astype(np.int64), dist.astype(np.float32)


def knn_recall(embedding, graph_idx, k=K):
    """Mean share of each point's k input neighbours among its k embedding ones."""
    emb_idx, _ = _knn(embedding.astype(np.float64), k)
    hits = [len(np.intersect1d(a, b)) for a, b in zip(emb_idx, graph_idx[:, :k])]
    return float(np.mean(hits)) / k


def knn_accuracy(embedding, labels, seed, k=K, test_fraction=0.2):
    """kNN majority vote of held-out points against the training points."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    perm = rng.permutation(n)
    n_test = int(round(test_fraction * n))
    test, train = perm[:n_test], perm[n_test:]
    e = embedding.astype(np.float64)
    d2 = np.sum((e[test, None, :] - e[None, train, :]) ** 2, axis=2)
    nn = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = labels[train][nn]
    pred = np.array([np.bincount(v, minlength=labels.max() + 1).argmax() for v in votes])
    return float(np.mean(pred == labels[test]))


def _dataset(seed=7, n_per_class=80, dim=10):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(len(CLASS_NAMES), dim))
    x = np.concatenate([c + rng.normal(size=(n_per_class, dim)) for c in centres])
    labels = np.repeat(np.arange(len(CLASS_NAMES)), n_per_class).astype(np.int32)
    # The fixture pretends to be a subsample of a 1000-point dataset.
    indices = np.sort(rng.choice(1000, size=len(labels), replace=False)).astype(np.int64)
    return x, labels, indices


def _embedding(x, labels, rho, seed):
    """2-D PCA of x with each class pulled to its centroid by 1/sqrt(rho)."""
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    y = centred @ vt[:2].T
    out = np.empty_like(y)
    for c in np.unique(labels):
        m = labels == c
        mu = y[m].mean(axis=0)
        out[m] = mu + (y[m] - mu) / np.sqrt(rho)
    rng = np.random.default_rng(1000 + seed)
    out += rng.normal(scale=0.05, size=out.shape)
    return out.astype(np.float32)


def _trace(iters, rho, diverge_at=None):
    it = np.arange(0, iters + 1, 10, dtype=np.float64)
    loss = 3.0 * np.exp(-it / 80.0) + 0.5 + 0.02 * rho
    grad = 10.0 * np.exp(-it / 60.0) + 0.01
    if diverge_at is not None:
        keep = it <= diverge_at
        it, loss, grad = it[keep], loss[keep], grad[keep]
        grad[-1] = 3.2e12
        loss[-1] = np.nan
    exag = np.where(it < 100, max(12.0, rho), rho)
    return {"iteration": it, "loss": loss, "grad_norm": grad, "exaggeration": exag,
            "seconds": 0.002 * it}


def distance_correlation(a, b):
    """Distance correlation of two point sets (Székely et al. 2007, V-statistic):
    dCov^2(A, B) / sqrt(dVar^2(A) dVar^2(B)) on double-centred distance matrices, then sqrt."""

    def centred(x):
        x = x.astype(np.float64)
        d = np.sqrt(np.maximum(np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=2), 0.0))
        return d - d.mean(axis=0) - d.mean(axis=1)[:, None] + d.mean()

    da, db = centred(a), centred(b)
    return float(np.sqrt(np.mean(da * db) / np.sqrt(np.mean(da * da) * np.mean(db * db))))


def _tsne_runs(rhos, seeds, dcor_to=()):
    """tsne swept over rho x seeds; dcor_to: runs its distance correlation is measured to."""
    return [dict(run_id=f"tsne@rho={rho},seed={seed}", name="tsne", params={"rho": rho},
                 seed=seed, rho=rho, fail=False, dcor_to=list(dcor_to),
                 method={"type": "tsne", "phases": [
                     {"iters": 100, "exaggeration": max(12, rho), "momentum": 0.5},
                     {"iters": 200, "exaggeration": rho, "momentum": 0.8}]})
            for rho in rhos for seed in seeds]


def _tsne_spec_run(rhos):
    return {"name": "tsne", "sweep": {"rho": list(rhos)},
            "method": {"type": "tsne", "phases": [
                {"iters": 100, "exaggeration": "max(12,$rho)", "momentum": 0.5},
                {"iters": 200, "exaggeration": "$rho", "momentum": 0.8}]}}


def _unswept_runs(name, seeds, rho, method, fail=False, recorded=None):
    """An unswept run; its stand-in embedding is the fixture's embedding at this rho.
    recorded: {metric: [value per seed]} stored as given (e.g. last_c, the c it ran at)."""
    recorded = recorded or {}
    plan = [dict(run_id=f"{name}@seed={seed}", name=name, params={}, seed=seed, rho=rho,
                 fail=fail, dcor_to=[], method=method,
                 recorded={m: v[i] for m, v in recorded.items()})
            for i, seed in enumerate(seeds)]
    return plan, {"name": name, "seeds": list(seeds), "method": method}


@dataclasses.dataclass
class Design:
    """What one fixture file holds."""
    plan: list  # the expanded runs in spec order
    runs: list  # the spec's "runs" entries
    metrics: list  # the spec's "metrics" entries
    claims: list  # (claim JSON, evaluator) pairs; evaluators read the plan with metrics


BASE_METRICS = [{"type": "knn_recall", "k": K, "reference": "input", "points": 5000},
                {"type": "knn_accuracy", "k": K, "test_fraction": 0.2},
                {"type": "norms"}]


def rho_design():
    """tsne swept over rho x seeds, then umap, then the failing fa2."""
    umap, umap_spec = _unswept_runs("umap", [0], 2.0, {"type": "umap", "k": 15, "epochs": 300})
    fa2, fa2_spec = _unswept_runs("fa2", [0], 30.0, {"type": "fa2", "k": 15, "iters": 300},
                                  fail=True)
    return Design(plan=_tsne_runs((1, 4), (0, 1)) + umap + fa2,
                  runs=[_tsne_spec_run((1, 4)), umap_spec, fa2_spec], metrics=BASE_METRICS,
                  claims=_claims())


PLACEMENT_RHOS = (1, 2, 4, 8, 16)
UMAP_CAVEAT = "UMAP's negative sampling repels less at this small n (placement may shift)."
LE_CAVEAT = "LE is only the rho -> infinity limit; at moderate rho the match can sit anywhere."


def placement_design():
    """tsne over rho in PLACEMENT_RHOS with its distance correlation to umap (stand-in: the
    embedding at rho = 5, so the best match is rho = 4) and le (rho = 1000: best at 16);
    fa2 has no such metric and stays a horizontal line."""
    umap, umap_spec = _unswept_runs("umap", [0, 1], 5.0, {"type": "umap", "k": 15})
    le, le_spec = _unswept_runs("le", [0, 1], 1000.0, {"type": "laplacian_eigenmaps", "k": 15})
    fa2, fa2_spec = _unswept_runs("fa2", [0], 30.0, {"type": "fa2", "k": 15, "iters": 300})
    metrics = BASE_METRICS + [{"type": "distance_correlation_to_run", "run": ref, "points": 5000}
                              for ref in ("umap", "le")]
    return Design(plan=_tsne_runs(PLACEMENT_RHOS, (0, 1), ("umap", "le")) + umap + le + fa2,
                  runs=[_tsne_spec_run(PLACEMENT_RHOS), umap_spec, le_spec, fa2_spec],
                  metrics=metrics, claims=_placement_claims())


C_VALUES = (1e-4, 1e-2, 1.0, 100.0)
# Seed values of last_c (the c each unswept run ran at): seed means 0.0012345 (3 significant
# digits: 0.00123), 0.0315 and 0.25.
LAST_C = {"neg_at_tsne": [0.0012, 0.001269], "neg_at_nce": [0.03, 0.033], "nce": [0.25, 0.25]}


def c_design():
    """neg (Neg-t-SNE) over c in C_VALUES, the stand-in embedding of c at rho = 5 + log10(c)
    (smaller c: more repulsion, more t-SNE-like); neg_at_tsne, neg_at_nce and nce record the c
    they ran at (last_c, LAST_C); tsne and umap do not and stay horizontal lines."""
    plan = [dict(run_id=f"neg@c={c},seed={seed}", name="neg", params={"c": c}, seed=seed,
                 rho=5.0 + np.log10(c), fail=False, dcor_to=[], recorded={},
                 method={"type": "neg", "negatives": 5, "c": c})
            for c in C_VALUES for seed in (0, 1)]
    runs = [{"name": "neg", "sweep": {"c": list(C_VALUES)},
             "method": {"type": "neg", "negatives": 5, "c": "$c"}}]
    for name, rho in (("neg_at_tsne", 2.0), ("neg_at_nce", 3.5), ("tsne", 1.0), ("nce", 4.0),
                      ("umap", 5.0)):
        last = {"last_c": LAST_C[name]} if name in LAST_C else {}
        p, spec = _unswept_runs(name, [0, 1], rho, {"type": name}, recorded=last)
        plan += p
        runs.append(spec)
    return Design(plan=plan, runs=runs, metrics=BASE_METRICS, claims=[])


def _spec(spec_id, paper, title, design):
    return {
        "id": spec_id, "paper": paper, "title": title,
        "description": "Report-test fixture (synthetic Gaussian mixture).",
        "dataset": {"name": "gaussian_mixture", "subsample": 240, "subsample_seed": 0,
                    "options": {"classes": 3, "dim": 10}, "preprocess": []},
        "graph": {"knn": {"k": K, "index": "Flat"}},
        "runs": design.runs,
        "seeds": [0, 1],
        "metrics": design.metrics,
        "claims": [c for c, _ in design.claims],
    }


def mean_of(results, name, params, metric):
    vals = [r["metrics"].get(metric, np.nan) for r in results
            if r["name"] == name and all(r["params"].get(k) == v for k, v in params.items())]
    vals = [v for v in vals if np.isfinite(v)]
    return float(np.mean(vals)) if vals else float("nan")


def _claims():
    """(claim JSON, evaluator) pairs; evaluators read {run_id: metrics}."""
    def monotone(results):
        r1 = mean_of(results, "tsne", {"rho": 1}, "knn_recall@15")
        r4 = mean_of(results, "tsne", {"rho": 4}, "knn_recall@15")
        verdict = "pass" if r4 <= r1 else "fail"
        return verdict, {"rho": [1, 4], "mean": [r1, r4]}, (
            f"Mean knn_recall@15 goes {r1:.3f} -> {r4:.3f} from rho=1 to rho=4, "
            f"{'non-increasing' if verdict == 'pass' else 'increasing'} as claimed"
            f"{'' if verdict == 'pass' else ' not'}.")

    def greater(results):
        a = mean_of(results, "tsne", {"rho": 4}, "knn_recall@15")
        b = mean_of(results, "tsne", {"rho": 1}, "knn_recall@15")
        verdict = "pass" if a > b else "fail"
        return verdict, {"a": a, "b": b, "margin": 0.0}, (
            f"tsne rho=4 has knn_recall@15 {a:.3f} vs {b:.3f} at rho=1 "
            f"(needs a > b + 0): {verdict}.")

    def within(results):
        v = mean_of(results, "fa2", {}, "knn_recall@15")
        observed = {"value": v if np.isfinite(v) else None, "reference": 0.2, "tolerance": 0.05}
        if not np.isfinite(v):
            return "inconclusive", observed, (
                "fa2 has no knn_recall@15 value (its only run failed), so the claim "
                "cannot be checked.")
        verdict = "pass" if abs(v - 0.2) <= 0.05 else "fail"
        return verdict, observed, f"fa2 knn_recall@15 is {v:.3f} (reference 0.2 +- 0.05)."

    return [
        ({"id": "S1-recall-falls-with-rho",
          "text": "kNN recall decreases as exaggeration grows",
          "check": {"type": "monotone", "run": "tsne", "over": "rho", "metric": "knn_recall@15",
                    "direction": "decreasing", "tolerance": 0}}, monotone),
        ({"id": "S9-control-recall-rises-with-rho",
          "text": "Negative control: kNN recall is higher at rho=4 than at rho=1",
          "check": {"type": "greater", "metric": "knn_recall@15",
                    "a": {"run": "tsne", "params": {"rho": 4}},
                    "b": {"run": "tsne", "params": {"rho": 1}}, "margin": 0}}, greater),
        ({"id": "S4-fa2-recall-near-0.2",
          "text": "ForceAtlas2 keeps about 20% of the kNN neighbours",
          "check": {"type": "within", "run": "fa2", "metric": "knn_recall@15",
                    "reference": 0.2, "tolerance": 0.05}}, within),
    ]


def _placement_claims():
    """argmax_in claims on dcor_to_<ref>, each with a caveat: one passes, one fails."""

    def argmax_in(ref, lo, hi):
        def evaluate(results):
            metric = f"dcor_to_{ref}"
            means = [mean_of(results, "tsne", {"rho": rho}, metric) for rho in PLACEMENT_RHOS]
            best = PLACEMENT_RHOS[int(np.argmax(means))]
            inside = lo <= best <= hi
            return "pass" if inside else "fail", {
                "rho": list(PLACEMENT_RHOS), "mean": means, "argmax": best}, (
                f"Mean {metric} peaks at rho = {best}, {'inside' if inside else 'outside'} "
                f"[{lo}, {hi}].")
        return evaluate

    def claim(cid, text, ref, lo, hi, caveat):
        return ({"id": cid, "text": text, "caveat": caveat,
                 "check": {"type": "argmax_in", "run": "tsne", "over": "rho",
                           "metric": f"dcor_to_{ref}", "range": [lo, hi]}}, argmax_in(ref, lo, hi))

    return [claim("S3-umap-matches-rho-2-to-8", "UMAP matches t-SNE at rho in [2, 8]",
                  "umap", 2, 8, UMAP_CAVEAT),
            claim("S9-control-le-matches-small-rho", "Negative control: LE matches rho in [1, 2]",
                  "le", 1, 2, LE_CAVEAT)]


def write_fixture(path, spec_id="spectrum/fixture_rho", paper="spectrum",
                  title="Fixture: recall vs exaggeration (report test)", partial=False,
                  design=None):
    """Writes one result file (default design: rho_design()); partial=True stops after 3 runs,
    without summary or claims."""
    design = design or rho_design()
    x, labels, indices = _dataset()
    graph_idx, graph_dist = _knn(x, K)
    plan = design.plan[:3] if partial else design.plan
    spec = _spec(spec_id, paper, title, design)
    embeddings = {p["run_id"]: _embedding(x, labels, p["rho"], p["seed"])
                  for p in plan if not p["fail"]}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    results = []
    with h5py.File(path, "w") as f:
        a = f.attrs
        a["layout_version"] = 1
        a["spec_id"] = spec_id
        a["paper"] = paper
        a["title"] = title
        a["profile"] = "smoke"
        a["spec_file"] = f"experiments/{spec_id}.json"
        a["spec_json"] = json.dumps(spec)
        a["git_commit"] = "0123456789abcdef0123456789abcdef01234567"
        a["git_dirty"] = 1
        a["versions"] = json.dumps({"nebench": "0.1.0", "faiss": "1.7.3", "hdf5": "1.10.8",
                                    "torch": "", "compiler": "GCC 12.2.0"})
        a["host"] = "fixture-host"
        a["threads"] = 2
        a["device"] = "cpu"
        a["started_utc"] = "2024-05-01T10:00:00Z"
        a["finished_utc"] = "" if partial else "2024-05-01T10:00:09Z"
        a["status"] = "partial" if partial else "complete"

        d = f.create_group("dataset")
        d.attrs["name"] = "gaussian_mixture"
        d.attrs["sha256"] = "9f2c" * 16
        d.attrs["n"] = x.shape[0]
        d.attrs["d"] = x.shape[1]
        d.attrs["d_raw"] = x.shape[1]
        d.attrs["preprocess_json"] = "[]"
        d.attrs["class_names_json"] = json.dumps(CLASS_NAMES)
        d.create_dataset("labels", data=labels.astype(np.int32))
        d.create_dataset("indices", data=indices)

        g = f.create_group("graph")
        g.attrs["k"] = K
        g.attrs["index"] = "Flat"
        g.attrs["build_seconds"] = 0.0123
        g.create_dataset("indices", data=graph_idx)
        g.create_dataset("distances", data=graph_dist)

        runs = f.create_group("runs")
        for i, p in enumerate(plan):
            r = runs.create_group(p["run_id"])
            r.attrs["name"] = p["name"]
            r.attrs["params_json"] = json.dumps(p["params"])
            r.attrs["seed"] = np.int64(p["seed"])
            r.attrs["method_json"] = json.dumps(p["method"])
            r.attrs["wall_seconds"] = 0.5 + 0.1 * i
            r.attrs["status"] = "failed" if p["fail"] else "ok"
            r.attrs["error"] = FAILED_ERROR if p["fail"] else ""
            r.attrs["started_utc"] = f"2024-05-01T10:00:0{i}Z"
            tr = r.create_group("trace")
            for col, vals in _trace(300, p["rho"], diverge_at=30 if p["fail"] else None).items():
                tr.create_dataset(col, data=vals.astype(np.float64))
            mg = r.create_group("metrics")
            metrics = {}
            if not p["fail"]:
                emb = embeddings[p["run_id"]]
                r.create_dataset("embedding", data=emb)
                norms = np.linalg.norm(emb.astype(np.float64), axis=1)
                metrics = {"knn_recall@15": knn_recall(emb, graph_idx),
                           "knn_accuracy@15": knn_accuracy(emb, labels, p["seed"]),
                           "norm_mean": float(norms.mean()), "norm_std": float(norms.std()),
                           "norm_median": float(np.median(norms))}
                for ref in p["dcor_to"]:  # against the reference run of the same seed
                    ref_id = next(q["run_id"] for q in plan
                                  if q["name"] == ref and q["seed"] == p["seed"])
                    metrics[f"dcor_to_{ref}"] = distance_correlation(emb, embeddings[ref_id])
                metrics.update(p.get("recorded", {}))
                for k, v in metrics.items():
                    mg.attrs[k] = v
            results.append(dict(p, metrics=metrics))

        if partial:
            return results

        s = f.create_group("summary")
        s.create_dataset("run_id", data=[p["run_id"] for p in plan], dtype=STR)
        s.create_dataset("name", data=[p["name"] for p in plan], dtype=STR)
        s.create_dataset("params_json", data=[json.dumps(p["params"]) for p in plan], dtype=STR)
        s.create_dataset("seed", data=np.array([p["seed"] for p in plan], dtype=np.int64))
        s.create_dataset("status", data=["failed" if p["fail"] else "ok" for p in plan], dtype=STR)
        s.create_dataset("error", data=[FAILED_ERROR if p["fail"] else "" for p in plan], dtype=STR)
        s.create_dataset("wall_seconds",
                         data=np.array([runs[p["run_id"]].attrs["wall_seconds"] for p in plan]))
        sm = s.create_group("metrics")
        names = sorted({m for r in results for m in r["metrics"]})
        for m in names:
            sm.create_dataset(m, data=np.array(
                [r["metrics"].get(m, np.nan) for r in results], dtype=np.float64))

        cg = f.create_group("claims")
        for claim, evaluate in design.claims:
            verdict, observed, explanation = evaluate(results)
            c = cg.create_group(claim["id"])
            c.attrs["text"] = claim["text"]
            c.attrs["verdict"] = verdict
            c.attrs["check_json"] = json.dumps(claim["check"])
            c.attrs["observed_json"] = json.dumps(observed)
            c.attrs["explanation"] = explanation
            if "caveat" in claim:
                c.attrs["caveat"] = claim["caveat"]
    return results


def write_fixtures(outdir):
    """The complete spectrum fixture and a partial cne one; returns their paths."""
    full = os.path.join(outdir, "spectrum", "fixture_rho.h5")
    part = os.path.join(outdir, "cne", "fixture_partial.h5")
    write_fixture(full)
    write_fixture(part, spec_id="cne/fixture_partial", paper="cne",
                  title="Fixture: interrupted run (report test)", partial=True)
    return full, part


def write_placement_fixture(outdir):
    """The placement fixture (placement_design()); returns its path."""
    path = os.path.join(outdir, "spectrum", "fixture_placement.h5")
    write_fixture(path, spec_id="spectrum/fixture_placement",
                  title="Fixture: UMAP and LE placed on the rho axis (report test)",
                  design=placement_design())
    return path


def write_c_fixture(outdir):
    """The Neg-t-SNE fixture over c (c_design()); returns its path."""
    path = os.path.join(outdir, "cne", "fixture_c.h5")
    write_fixture(path, spec_id="cne/fixture_c", paper="cne",
                  title="Fixture: Neg-t-SNE over c with Z(t-SNE) and Z(NCE) marked (report test)",
                  design=c_design())
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixture.py OUTDIR")
    for p in write_fixtures(sys.argv[1]):
        print(p)
