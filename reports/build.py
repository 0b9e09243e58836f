#!/usr/bin/python3
"""Builds the static nebench report site from result files.

    /usr/bin/python3 reports/build.py --results results/quick --out reports/site \
        [--results more/dirs ...]

Reads every *.h5 under the results directories (the layout is documented in
results/README.md; *.tmp files are still being written and are skipped) and
writes a site that works offline from the file system: index.html (a dashboard
of every claim, grouped by paper), one page per spec, PNG figures under img/
and one stylesheet under static/. No CDN, no JS framework; all links relative.
"""

import argparse
import concurrent.futures
import dataclasses
import hashlib
import io
import json
import math
import multiprocessing
import os
import re
import shutil
import sys
import time

import h5py
import jinja2
import matplotlib
import matplotlib.colors
import matplotlib.ticker
import numpy as np

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUT_VERSION = 1
# Dashboard order and headings (shared/CLAIMS.md).
PAPERS = {
    "spectrum": "Attraction-repulsion spectrum (Böhm, Berens, Kobak, JMLR 2022)",
    "cne": "From t-SNE to UMAP with contrastive learning (Damrich et al., ICLR 2023)",
    "tsimcne": "Unsupervised visualization of image datasets (Böhm et al., ICLR 2023)",
    "medical": "Self-supervised visualisation of medical image datasets (2024)",
    "norms": "On the importance of embedding norms in SSL (Draganov et al., 2025)",
    "graph": "Node embeddings via neighbor embeddings (Böhm et al., 2025)",
}
VERDICTS = ("pass", "fail", "inconclusive")
# Metric columns in this order first (then any other name alphabetically).
METRIC_ORDER = ("knn_recall@", "knn_recall_affinity@", "knn_accuracy@", "linear_accuracy",
                "graph_recall", "spearman", "dcor", "silhouette", "norm_")
# Trace panels in this order first (then any other column alphabetically).
TRACE_ORDER = ("loss", "grad_norm", "Z", "exaggeration", "learning_rate", "norm_mean", "seconds")
# Trace columns drawn in the norms figure instead of the generic trace panels
# (per-class norm means of image models, the features' kNN accuracy after
# chosen epochs: Draganov et al. 2025).
NORM_CLASS = "norm_class"
KNN_FEATURES = "knn_features"
MAX_CLASS_PANELS = 6
SITE_MARKER = ".nebench-site"
DPI = 100
# Above this many points an embedding is drawn from a seeded uniform sample.
MAX_SCATTER_POINTS = 100_000
# Log x axis for a sweep whose positive values span more than this factor.
LOG_SPAN = 20.0
# Metric prefix of the distance correlation between a swept run and an unswept run
# ("dcor_to_umap"); it places the unswept run on the sweep axis.
DCOR_TO = "dcor_to_"
# Metric prefix of the value of a swept parameter an unswept run ran at ("last_c": Neg-t-SNE
# at the normaliser of t-SNE, NCE's learned c); it places the run on that sweep axis directly.
LAST = "last_"


class ReportError(Exception):
    """A problem the user must fix (missing directory, foreign output folder)."""


# ---------------------------------------------------------------------------
# Reading result files


@dataclasses.dataclass
class Run:
    run_id: str
    name: str
    params: dict
    seed: object
    status: str
    error: str
    wall_seconds: float
    started_utc: str
    method_json: str
    metrics: dict
    has_embedding: bool
    trace_columns: list


@dataclasses.dataclass
class Claim:
    id: str
    text: str
    verdict: str
    check: object
    observed: object
    explanation: str
    caveat: str  # why the claim may not hold here ("" when the spec gives none)


@dataclasses.dataclass
class SpecResult:
    path: str  # as found under its results directory
    rel: str  # path relative to the results directory it came from
    attrs: dict
    spec: dict  # the resolved spec (parsed spec_json), {} if unreadable
    dataset: dict
    graph: dict
    runs: list
    metric_names: list
    claims: list
    problems: list  # non-fatal inconsistencies worth showing
    page: str = ""
    thumb: str = ""

    @property
    def spec_id(self):
        return self.attrs.get("spec_id") or os.path.splitext(self.rel)[0]

    @property
    def paper(self):
        return self.attrs.get("paper") or self.spec.get("paper") or "unknown"

    @property
    def title(self):
        return self.attrs.get("title") or self.spec.get("title") or self.spec_id

    @property
    def profile(self):
        return self.attrs.get("profile", "?")

    @property
    def status(self):
        return self.attrs.get("status", "unknown")


def _py(value):
    """HDF5 attribute/scalar -> plain Python (str, int, float, list)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        if value.shape == () or value.size == 1:
            return _py(value.reshape(-1)[0]) if value.size else None
        return [_py(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj):
    return {k: _py(obj.attrs[k]) for k in obj.attrs}


def _strings(dset):
    """A 1-D string dataset (variable- or fixed-length) as a list of str."""
    try:
        return [str(s) for s in dset.asstr()[()]]
    except TypeError:
        return [_py(s) if not isinstance(s, str) else s for s in dset[()]]


def _json(text, default, problems=None, what=""):
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError) as e:
        if problems is not None:
            problems.append(f"{what}: not valid JSON ({e})")
        return default


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def natural_key(text):
    """'tsne@rho=16' after 'tsne@rho=2': digit runs compare as numbers."""
    return [(0, float(t), "") if re.fullmatch(r"\d+(?:\.\d+)?", t) else (1, 0.0, t)
            for t in re.findall(r"\d+(?:\.\d+)?|\D+", text)]


def metric_sort_key(name):
    for i, prefix in enumerate(METRIC_ORDER):
        if name.startswith(prefix):
            return (i, name)
    return (len(METRIC_ORDER), name)


def load_result(path, rel):
    """Reads everything but the big arrays; tolerates partial files and failed runs."""
    problems = []
    with h5py.File(path, "r") as f:
        attrs = _attrs(f)
        version = attrs.get("layout_version")
        if version != LAYOUT_VERSION:
            problems.append(f"layout_version is {version!r}, this report reads {LAYOUT_VERSION}")
        spec = _json(attrs.get("spec_json"), {}, problems, "spec_json")
        spec = spec if isinstance(spec, dict) else {}
        dataset = _attrs(f["dataset"]) if "dataset" in f else {}
        graph = _attrs(f["graph"]) if "graph" in f else {}

        summary = {}
        if "summary" in f and "run_id" in f["summary"]:
            s = f["summary"]
            ids = _strings(s["run_id"])
            columns = {m: np.asarray(s["metrics"][m][()], dtype=np.float64).reshape(-1)
                       for m in (s["metrics"] if "metrics" in s else [])}
            for i, rid in enumerate(ids):
                summary[rid] = {m: float(v[i]) for m, v in columns.items() if i < v.size}
        runs = []
        run_groups = f["runs"] if "runs" in f else {}
        # Spec order comes from /summary; runs a partial file has but /summary
        # lacks follow in stored order.
        order = [r for r in summary if r in run_groups]
        order += sorted((r for r in run_groups if r not in summary), key=natural_key)
        for rid in order:
            g = run_groups[rid]
            a = _attrs(g)
            metrics = {k: _float(v) for k, v in
                       (_attrs(g["metrics"]).items() if "metrics" in g else [])}
            for k, v in summary.get(rid, {}).items():
                if k not in metrics and not math.isnan(v):
                    metrics[k] = v
            params = _json(a.get("params_json"), {}, problems, f"runs/{rid} params_json")
            emb_shape = g["embedding"].shape if "embedding" in g else ()
            runs.append(Run(
                run_id=rid, name=str(a.get("name", rid.split("@")[0])),
                params=params if isinstance(params, dict) else {},
                seed=a.get("seed"), status=str(a.get("status", "unknown")),
                error=str(a.get("error", "") or ""), wall_seconds=_float(a.get("wall_seconds")),
                started_utc=str(a.get("started_utc", "")),
                method_json=str(a.get("method_json", "")), metrics=metrics,
                has_embedding=len(emb_shape) == 2 and emb_shape[0] > 0 and emb_shape[1] > 0,
                trace_columns=list(g["trace"].keys()) if "trace" in g else []))
        for rid in summary:
            if rid not in run_groups:
                problems.append(f"/summary lists run {rid} but /runs has no such group")
        # nebench's store writes a run's "complete" attribute last; in a file whose runs
        # carry it, a run without it was cut off while being written.
        if any("complete" in run_groups[r.run_id].attrs for r in runs):
            for r in runs:
                if "complete" not in run_groups[r.run_id].attrs:
                    r.status = "incomplete"
                    problems.append(f"runs/{r.run_id} was not completely written")

        claims = []
        if "claims" in f:
            for cid in f["claims"]:
                a = _attrs(f["claims"][cid])
                raw_check, raw_observed = a.get("check_json"), a.get("observed_json")
                claims.append(Claim(
                    id=cid, text=str(a.get("text", "")), verdict=str(a.get("verdict", "unknown")),
                    check=_json(raw_check, raw_check, problems, f"claims/{cid} check_json"),
                    observed=_json(raw_observed, raw_observed, problems,
                                   f"claims/{cid} observed_json"),
                    explanation=str(a.get("explanation", "")),
                    caveat=str(a.get("caveat", "") or "")))
            # Show claims in spec order where the spec lists them.
            spec_order = {c.get("id"): i for i, c in enumerate(spec.get("claims", []))
                          if isinstance(c, dict)}
            claims.sort(key=lambda c: (spec_order.get(c.id, len(spec_order)), c.id))
    names = sorted({m for r in runs for m in r.metrics}, key=metric_sort_key)
    return SpecResult(path=path, rel=rel, attrs=attrs, spec=spec, dataset=dataset, graph=graph,
                      runs=runs, metric_names=names, claims=claims, problems=problems)


def find_result_files(results_dirs):
    """[(path, dir, rel)] of every *.h5 below the directories, sorted, *.tmp skipped."""
    found = []
    for d in results_dirs:
        if not os.path.isdir(d):
            raise ReportError(
                f"results directory '{d}' does not exist (run the pipeline first, "
                f"e.g. snakemake --profile profiles/local --config profile=quick)")
        for root, dirs, files in os.walk(d):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".h5") and not name.endswith(".tmp"):
                    path = os.path.join(root, name)
                    found.append((path, d, os.path.relpath(path, d)))
    return found


# ---------------------------------------------------------------------------
# Figures


def _safe(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"


class ImageWriter:
    """Writes PNGs under <site>/img/<page>/ and hands back site-relative paths."""

    def __init__(self, site, page_stem):
        self.site = site
        self.rel_dir = f"img/{page_stem}"
        self.used = set()
        os.makedirs(os.path.join(site, self.rel_dir), exist_ok=True)

    def save(self, fig, stem):
        stem = _safe(stem)
        name, i = stem, 1
        while name in self.used:
            i += 1
            name = f"{stem}_{i}"
        self.used.add(name)
        rel = f"{self.rel_dir}/{name}.png"
        fig.savefig(os.path.join(self.site, rel), dpi=DPI)
        return rel


def categorical_colours(n):
    """n distinct colours: tab10 up to 10, tab20 up to 20, else evenly spaced turbo."""
    if n <= 10:
        return [matplotlib.colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [matplotlib.colormaps["tab20"](i) for i in range(n)]
    return [matplotlib.colormaps["turbo"](i / (n - 1)) for i in range(n)]


def label_colours(labels, class_names):
    """Per-point RGBA and the legend [(name, hex)]; labels < 0 are unlabelled (grey)."""
    labels = np.asarray(labels, dtype=np.int64)
    top = int(labels.max()) + 1 if labels.size else 0
    n_classes = max(top, len(class_names))
    palette = np.array(categorical_colours(n_classes)) if n_classes else np.zeros((0, 4))
    rgba = np.tile(np.array([[0.7, 0.7, 0.7, 1.0]]), (labels.size, 1))
    ok = labels >= 0
    if n_classes:
        rgba[ok] = palette[labels[ok]]
    present = set(np.unique(labels[ok]).tolist())
    legend = []
    for c in range(n_classes):
        if c in present:
            name = class_names[c] if c < len(class_names) else str(c)
            legend.append((name, matplotlib.colors.to_hex(palette[c])))
    return rgba, legend


def plot_embedding(images, run, emb, colours, n_total):
    fig = Figure(figsize=(3.0, 3.0))
    ax = fig.add_axes([0.02, 0.02, 0.96, 0.88])
    finite = np.all(np.isfinite(emb), axis=1)
    idx = np.flatnonzero(finite)
    # Seeded shuffle so that no class is always drawn on top of the others.
    rng = np.random.default_rng(0)
    idx = idx[rng.permutation(idx.size)][:MAX_SCATTER_POINTS]
    if emb.shape[1] >= 2:
        xs, ys = emb[idx, 0], emb[idx, 1]
    else:  # 1-D embedding: spread the points vertically so they are visible.
        xs, ys = emb[idx, 0], rng.uniform(-1.0, 1.0, idx.size)
    size = float(np.clip(20000.0 / max(idx.size, 1), 0.3, 8.0))
    ax.scatter(xs, ys, c=colours[idx], s=size, linewidths=0, rasterized=True)
    if emb.shape[1] >= 2:
        ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    title = run.run_id
    if idx.size < n_total:
        title += f"\n({idx.size} of {n_total} points drawn)"
    ax.set_title(title, fontsize=8)
    return images.save(fig, f"emb_{run.run_id}")


def set_log(ax, which):
    """Log scale without minor ticks: minor log ticks cost most of a figure's draw time."""
    if which == "x":
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    else:
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def method_type(run):
    """The run's method type ("tsne", "tsimcne", ...), "" when unreadable."""
    try:
        return str(json.loads(run.method_json).get("type", ""))
    except (ValueError, AttributeError):
        return ""


def plot_trace_groups(images, traces):
    """One trace figure per method type: t-SNE iterations and image-model
    epochs have different x axes and scales and would squash each other in
    shared panels. Returns [{"src", "label"}] in order of first appearance;
    a spec with one method type keeps the single figure "traces"."""
    groups = {}
    for run, cols in traces:
        groups.setdefault(method_type(run), []).append((run, cols))
    out = []
    for kind, members in groups.items():
        name = "traces" if len(groups) == 1 else "traces_" + (re.sub(r"[^a-z0-9_]", "_", kind) or "other")
        src = plot_traces(images, members, name)
        if src:
            out.append({"src": src, "label": kind or "other"})
    return out


def panel_grid(panels, legend, row_height):
    """A figure for `panels` small plots, up to 3 per row, with room on the
    right for a shared legend when `legend`; returns (fig, nrows, ncols)."""
    ncols = min(3, panels)
    nrows = math.ceil(panels / ncols)
    legend_w = 2.2 if legend else 0.0
    width, height = 2.8 * ncols + legend_w, row_height * nrows + 0.2
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.55 / width, right=1 - (legend_w + 0.15) / width,
                        bottom=0.45 / height, top=1 - 0.3 / height, wspace=0.32, hspace=0.6)
    return fig, nrows, ncols


def plot_traces(images, traces, name="traces"):
    """One panel per trace column, one line per run (dashed if the run failed).

    traces: [(run, {column: values})]. The x axis is the run's own
    iteration/epoch/step column when it has one, else the row index.
    """
    xnames = ("iteration", "epoch", "step")
    columns = []
    for _, cols in traces:
        columns.extend(c for c in cols if c not in xnames and c not in columns
                       and not in_norms_figure(c))
    rank = {c: i for i, c in enumerate(TRACE_ORDER)}
    columns.sort(key=lambda c: (rank.get(c, len(rank)), c))
    if not columns:
        return None
    fig, nrows, ncols = panel_grid(len(columns), len(traces) > 1, 2.0)
    colours = categorical_colours(len(traces))
    handles = {}  # run id -> its first line, for the shared legend
    for i, col in enumerate(columns):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        used_x = set()
        positive = True
        lo, hi = math.inf, 0.0
        for j, (run, cols) in enumerate(traces):
            if col not in cols:
                continue
            y = cols[col]
            xname = next((c for c in xnames if c in cols and cols[c].shape == y.shape), None)
            x = cols[xname] if xname else np.arange(y.size)
            used_x.add(xname or "row")
            (line,) = ax.plot(x, y, lw=1.0, color=colours[j], label=run.run_id,
                              ls="--" if run.status != "ok" else "-",
                              marker="." if y.size <= 2 else None, ms=3)
            handles.setdefault(run.run_id, line)
            fin = y[np.isfinite(y)]
            if fin.size:
                positive &= bool(np.all(fin > 0))
                lo, hi = min(lo, float(fin.min())), max(hi, float(fin.max()))
        if positive and hi > 0 and lo < math.inf and hi / lo > 1e3:
            set_log(ax, "y")
        ax.set_title(col, fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel(" / ".join(sorted(used_x)), fontsize=7)
    if len(traces) > 1:
        fig.legend(handles=list(handles.values()), loc="upper right", fontsize=6, frameon=False,
                   ncol=1 if len(handles) <= 2 * 7 * nrows else 2)
    return images.save(fig, name)


def in_norms_figure(column):
    """Columns the norms figure draws (and the generic trace panels leave out)."""
    return column.startswith(NORM_CLASS) or column == KNN_FEATURES


def _class_columns(cols):
    """norm_class<k> columns of one trace as [(k, name)], by k."""
    out = []
    for c in cols:
        rest = c[len(NORM_CLASS):]
        if c.startswith(NORM_CLASS) and rest.isdigit():
            out.append((int(rest), c))
    return sorted(out)


def plot_norms(images, traces, class_names=()):
    """The norms figure of a spec (Draganov et al. 2025; claims N2-N4): mean |z| per
    epoch, one line per run; the features' kNN accuracy at the evaluated epochs when a
    run logged knn_features (the other epochs are NaN); and, when the traces have
    per-class means (norm_class<k>), one panel per run with a line per class, for at most
    MAX_CLASS_PANELS runs: the first seed of every configuration first, then further seeds. traces: [(run, {column: values})]; only runs with an
    epoch column and norm_mean count. Returns {"src", "alt"} or None."""
    runs = [(r, c) for r, c in traces if "epoch" in c and "norm_mean" in c]
    if not runs:
        return None
    with_knn = [(r, c) for r, c in runs if KNN_FEATURES in c and np.isfinite(c[KNN_FEATURES]).any()]
    with_class = [(r, c) for r, c in runs if _class_columns(c)]
    nth = {}  # how many runs of the same configuration (name, params) came before
    order = []
    for i, (r, _) in enumerate(with_class):
        key = (r.name, json.dumps(r.params, sort_keys=True))
        order.append((nth.get(key, 0), i))
        nth[key] = nth.get(key, 0) + 1
    with_class = [with_class[i] for _, i in sorted(order)][:MAX_CLASS_PANELS]
    panels = 1 + bool(with_knn) + len(with_class)
    fig, nrows, ncols = panel_grid(panels, len(runs) > 1, 2.1)
    colours = categorical_colours(len(runs))
    handles = {}

    def run_lines(ax, column, mask_finite):
        for j, (run, cols) in enumerate(runs):
            if column not in cols:
                continue
            x, y = cols["epoch"], cols[column]
            if x.shape != y.shape:
                continue
            if mask_finite:  # evaluated epochs only, joined
                ok = np.isfinite(y)
                x, y = x[ok], y[ok]
            (line,) = ax.plot(x, y, lw=1.0, color=colours[j], label=run.run_id,
                              ls="--" if run.status != "ok" else "-",
                              marker="." if mask_finite or y.size <= 2 else None, ms=4)
            handles.setdefault(run.run_id, line)

    ax = fig.add_subplot(nrows, ncols, 1)
    run_lines(ax, "norm_mean", False)
    fin = np.concatenate([c["norm_mean"][np.isfinite(c["norm_mean"])] for _, c in runs])
    if fin.size and fin.min() > 0 and fin.max() / fin.min() > 30:  # runs far apart
        set_log(ax, "y")
    ax.set_title("mean |z| (norm_mean)", fontsize=8)
    ax.set_xlabel("epoch", fontsize=7)
    ax.tick_params(labelsize=6)
    k = 1
    if with_knn:
        k += 1
        ax = fig.add_subplot(nrows, ncols, k)
        run_lines(ax, KNN_FEATURES, True)
        ax.set_title("kNN accuracy of the features", fontsize=8)
        ax.set_xlabel("epoch", fontsize=7)
        ax.tick_params(labelsize=6)
    for run, cols in with_class:
        k += 1
        ax = fig.add_subplot(nrows, ncols, k)
        classes = _class_columns(cols)
        palette = categorical_colours(max(c for c, _ in classes) + 1)
        for c, name in classes:
            label = class_names[c] if c < len(class_names) else str(c)
            ax.plot(cols["epoch"], cols[name], lw=1.0, color=palette[c], label=label)
        ax.set_title(f"class means of |z|: {run.run_id}", fontsize=7)
        ax.set_xlabel("epoch", fontsize=7)
        ax.tick_params(labelsize=6)
        if len(classes) <= 12:
            ax.legend(fontsize=5, frameon=False, ncol=2)
    if len(runs) > 1:
        fig.legend(handles=list(handles.values()), loc="upper right", fontsize=6, frameon=False,
                   ncol=1 if len(handles) <= 2 * 7 * nrows else 2)
    return {"src": images.save(fig, "norms"),
            "alt": "mean norm of z per epoch" + (", kNN accuracy of the features" if with_knn else "")
                   + (", per-class mean norms" if with_class else "")}


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def wants_log_axis(values):
    """Log x axis for positive numeric sweep values that span more than LOG_SPAN."""
    nums = [float(v) for v in values if _is_number(v)]
    return (len(nums) == len(values) and len(nums) > 0 and min(nums) > 0
            and max(nums) / min(nums) > LOG_SPAN)


def mean_sd(values):
    """Mean over seeds and the seed standard deviation (ddof 1; NaN for one seed).
    Non-finite values (failed runs, absent metrics) are left out; returns (mean, sd, count)."""
    v = np.array([x for x in values if np.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return float("nan"), float("nan"), 0
    sd = float(v.std(ddof=1)) if v.size >= 2 else float("nan")
    return float(v.mean()), sd, int(v.size)


def sweep_axes(runs):
    """{run name: [param, ...]} for runs with sweep parameters, in first-seen order."""
    out = {}
    for r in runs:
        if r.params:
            keys = out.setdefault(r.name, [])
            keys.extend(k for k in r.params if k not in keys)
    return out


@dataclasses.dataclass
class Sweep:
    """The ok runs of one run name that vary one sweep parameter, and the x axis they share."""
    name: str
    param: str
    runs: list
    values: list  # the swept values in plot order (sorted when all are numbers)
    xpos: dict  # value -> x position (the value itself, or its index when not numeric)
    numeric: bool
    others: list  # the run's other sweep parameters (one line per combination)


def make_sweep(runs, name, param):
    mine = [r for r in runs if r.name == name and param in r.params and r.status == "ok"]
    values = []
    for r in mine:
        if r.params[param] not in values:
            values.append(r.params[param])
    if not values:
        return None
    numeric = all(_is_number(v) for v in values)
    if numeric:
        values.sort()
    xpos = {v: float(v) if numeric else float(i) for i, v in enumerate(values)}
    others = sorted({k for r in mine for k in r.params if k != param})
    return Sweep(name, param, mine, values, xpos, numeric, others)


def seed_means(runs, param, metric, values):
    """[(value, mean, sd)] over seeds at each swept value where the metric has a finite value."""
    out = []
    for v in values:
        mean, sd, count = mean_sd([r.metrics.get(metric, math.nan)
                                   for r in runs if r.params[param] == v])
        if count:
            out.append((v, mean, sd))
    return out


@dataclasses.dataclass
class Placement:
    """Where an unswept run sits on a sweep axis: at the swept value its embedding matches best
    (Böhm et al. 2022, sec. 2.3 and statsutil.correlate_dataset: UMAP at rho ~ 4, FA2 at
    rho ~ 30), or at the value it ran at (Damrich et al. 2023, Fig. S4: Z(t-SNE), Z(NCVis))."""
    value: object  # the best-matching swept value, or the seed-mean value the run ran at
    label: str  # e.g. "umap (best rho = 4)", "neg_at_tsne (c = 0.00123)"
    metric: str  # what placed it: dcor_to_<ref> or last_<param>
    mean: float  # seed mean of that metric (at value, for dcor_to_<ref>)
    sd: float
    points: list  # seed_means of dcor_to_<ref> along the sweep; [] for last_<param>


def placements(sweep, ref_names):
    """{ref: Placement} for each unswept run ref whose distance correlation to the swept runs
    (metric dcor_to_<ref>) was measured. The best-matching value is the argmax of the seed
    mean over the swept values (the first on ties). With further sweep parameters there is no
    single curve to take the argmax of, so nothing is placed."""
    out = {}
    if sweep.others:
        return out
    for ref in ref_names:
        pts = seed_means(sweep.runs, sweep.param, DCOR_TO + ref, sweep.values)
        if pts:
            value, mean, sd = max(pts, key=lambda p: p[1])
            out[ref] = Placement(value, f"{ref} (best {sweep.param} = {fmt_number(value)})",
                                 DCOR_TO + ref, mean, sd, pts)
    return out


def ran_at(sweep, refs):
    """{ref: Placement} for each unswept run that records the swept parameter's value it ran
    at (metric last_<param>): it sits at the seed mean of that value, on or off the grid. Only
    on a numeric axis, and on a log axis only at a positive value."""
    out = {}
    if not sweep.numeric:
        return out
    log = wants_log_axis(sweep.values)
    for ref, ref_runs in refs.items():
        metric = LAST + sweep.param
        mean, sd, count = mean_sd([r.metrics.get(metric, math.nan) for r in ref_runs])
        if count and (mean > 0 or not log):
            out[ref] = Placement(mean, f"{ref} ({sweep.param} = {mean:.3g})", metric, mean, sd,
                                 [])
    return out


def sweep_figure():
    fig = Figure(figsize=(4.2, 3.0))
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.16, top=0.88)
    return fig, fig.add_subplot(1, 1, 1)


def draw_means(ax, sweep, points, label, **style):
    """Seed means with seed-sd error bars (none for a single seed) along the sweep axis.
    A value off the grid (ran_at, numeric axes only) sits at itself."""
    x = [sweep.xpos.get(v, v) for v, _, _ in points]
    y = [mean for _, mean, _ in points]
    e = [0.0 if math.isnan(sd) else sd for _, _, sd in points]
    return ax.errorbar(x, y, yerr=e, label=label, **{"marker": "o", "ms": 4, "capsize": 3,
                                                     "lw": 1.2, **style})


def finish_sweep_axes(ax, sweep, ylabel, title):
    if sweep.numeric and wants_log_axis(sweep.values):
        set_log(ax, "x")
    if not sweep.numeric or len(sweep.values) <= 12:  # label the swept values (rho = 1, 2, 4...)
        ax.set_xticks([sweep.xpos[v] for v in sweep.values])
        ax.set_xticklabels([fmt_number(v) for v in sweep.values], fontsize=7)
    ax.set_xlabel(sweep.param, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6, frameon=False)


def axis_marks(spec, param):
    """[(value, label)] of the spec's report.marks on parameter param (e.g. Z-bar(UMAP) at
    c = 1 on the c axis of Damrich et al. 2023, Fig. S4)."""
    report = spec.get("report") if isinstance(spec, dict) else None
    marks = report.get("marks", []) if isinstance(report, dict) else []
    return [(m["value"], m["label"]) for m in marks
            if isinstance(m, dict) and m.get("param") == param
            and isinstance(m.get("value"), (int, float)) and isinstance(m.get("label"), str)]


def plot_metric_sweep(images, sweep, metric, references, placed, colours, marks=()):
    """Mean over seeds with seed-sd error bars against one sweep parameter.

    One line per combination of the run's other sweep parameters. An unswept
    run is a marker at its placement on the axis (placed: {ref: Placement}; one
    placed by the value it ran at also gets a dotted vertical line there), else a
    horizontal line, in both cases at its seed mean. marks: [(value, label)] drawn as
    labelled grey vertical lines.
    """
    lines = {}
    for r in sweep.runs:
        key = tuple((k, json.dumps(r.params.get(k))) for k in sweep.others)
        lines.setdefault(key, []).append(r)
    fig, ax = sweep_figure()
    drew = False
    for key, group in lines.items():
        pts = seed_means(group, sweep.param, metric, sweep.values)
        if pts:
            draw_means(ax, sweep, pts, ", ".join(f"{k}={json.loads(v)}" for k, v in key)
                       or sweep.name)
            drew = True
    if not drew:
        return None
    for ref, ref_runs in references.items():
        mean, sd, count = mean_sd([r.metrics.get(metric, math.nan) for r in ref_runs])
        if not count:
            continue
        if ref in placed:
            draw_means(ax, sweep, [(placed[ref].value, mean, sd)], placed[ref].label,
                       color=colours[ref], marker="D", ms=6, ls="none")
            if not placed[ref].points:  # placed by last_<param>: mark its x on every figure
                ax.axvline(placed[ref].value, ls=":", lw=0.8, color=colours[ref])
        else:
            ax.axhline(mean, ls="--", lw=1.0, color=colours[ref], label=ref)
    for value, label in marks:
        if value > 0 or not (sweep.numeric and wants_log_axis(sweep.values)):
            ax.axvline(sweep.xpos.get(value, value), ls="-.", lw=0.9, color="0.45", label=label)
    finish_sweep_axes(ax, sweep, metric, f"{sweep.name}: {metric} vs {sweep.param}")
    return images.save(fig, f"metric_{sweep.name}_{sweep.param}_{metric}")


def plot_placement(images, sweep, placed, colours):
    """dcor_to_<ref> against the sweep parameter, one line per placed run, argmax starred."""
    fig, ax = sweep_figure()
    for ref, p in placed.items():
        draw_means(ax, sweep, p.points, p.label, color=colours[ref])
        ax.plot([sweep.xpos[p.value]], [p.mean], marker="*", ms=13, ls="none",
                color=colours[ref], markeredgecolor="black", markeredgewidth=0.6)
    finish_sweep_axes(ax, sweep, "distance correlation to the run",
                      f"{sweep.name}: placement on {sweep.param}")
    return images.save(fig, f"placement_{sweep.name}_{sweep.param}")


# ---------------------------------------------------------------------------
# Page content


def fmt_number(x):
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "–"
        if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
            return f"{x:.3g}"
        return f"{x:.4g}"
    return str(x)


def fmt_observed(value, limit=240):
    """Compact one-line rendering of observed_json: numbers to 4 significant digits."""

    def rec(v):
        if isinstance(v, dict):
            return "; ".join(f"{k}: {rec(x)}" for k, x in v.items())
        if isinstance(v, list):
            items = [rec(x) for x in v[:12]]
            if len(v) > 12:
                items.append(f"... ({len(v)} values)")
            return "[" + ", ".join(items) + "]"
        return fmt_number(v)

    text = rec(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fmt_params(params):
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "–"


def fmt_check(check):
    return json.dumps(check, separators=(", ", ": ")) if not isinstance(check, str) else check


def _selection(side):
    """'tsne(rho=4)' for a check side {"run", "params"}; its metric is added by the caller."""
    if not isinstance(side, dict):
        return "?"
    params = side.get("params") or {}
    inner = ",".join(f"{k}={fmt_number(v)}" for k, v in params.items()) if isinstance(
        params, dict) else ""
    return f"{side.get('run', '?')}({inner})" if inner else str(side.get("run", "?"))


def _range(r):
    if isinstance(r, list) and len(r) == 2:
        ends = [f"{e.get('run')}:{e.get('metric')}" if isinstance(e, dict) else fmt_number(e)
                for e in r]
        return f"[{ends[0]}, {ends[1]}]"
    return fmt_number(r)


def fmt_target(check):
    """What the spec's check asks for, in one line: the reference value, range or threshold
    the claim is held to (e.g. UMAP's best rho in [2, 8] for the paper's ~4). The numbers come
    from the stored check only; `nebench info` prints the same line (engine/cli/info_claims)."""
    if not isinstance(check, dict):
        return "–"
    t, m = check.get("type"), check.get("metric", "?")
    if t == "monotone":
        tol = check.get("tolerance")
        return (f"{m} {check.get('direction', '?')} over {check.get('over', '?')}"
                + (f" (tolerance {fmt_number(tol)})" if tol else ""))
    if t == "greater":
        return (f"{m}: {_selection(check.get('a'))} > {_selection(check.get('b'))}"
                f" + {fmt_number(check.get('margin', 0))}")
    if t == "argmax_in":
        slack = check.get("slack_steps")
        return (f"argmax of {m} over {check.get('over', '?')} in {_range(check.get('range'))}"
                + (f" (+-{slack} steps)" if slack else ""))
    if t == "within":
        return f"{m} = {fmt_number(check.get('reference'))} +- {fmt_number(check.get('tolerance'))}"
    if t == "ratio_in":
        a, b = check.get("a") or {}, check.get("b") or {}
        return (f"{a.get('metric', '?')} of {_selection(a)} / {b.get('metric', '?')} of "
                f"{_selection(b)} in {_range(check.get('range'))}")
    if t == "close":
        return (f"{m}: |{_selection(check.get('a'))} - {_selection(check.get('b'))}| <= "
                f"{fmt_number(check.get('tolerance'))}")
    if t == "slope":
        log = "log " if check.get("log", True) else ""
        return (f"slope of {log}{m} vs {log}{check.get('over', '?')} in "
                f"{_range(check.get('range'))}")
    if t == "bound":
        parts = [f"> {fmt_number(check['above'])}" if "above" in check else "",
                 f"< {fmt_number(check['below'])}" if "below" in check else ""]
        return f"{m} of {_selection(check)} " + " and ".join(p for p in parts if p)
    return fmt_check(check)


def run_times(res):
    """Run time summary: totals and one row per run name (mean and total wall seconds)."""
    by_name = {}
    for r in res.runs:
        by_name.setdefault(r.name, []).append(r)
    rows = []
    for name, runs in by_name.items():
        secs = [r.wall_seconds for r in runs if math.isfinite(r.wall_seconds)]
        rows.append({"name": name, "runs": len(runs),
                     "failed": sum(r.status != "ok" for r in runs),
                     "mean": sum(secs) / len(secs) if secs else math.nan,
                     "max": max(secs) if secs else math.nan,
                     "total": sum(secs) if secs else math.nan})
    total = sum(r["total"] for r in rows if math.isfinite(r["total"]))
    graph = _float(res.graph.get("build_seconds")) if res.graph else math.nan
    return {"rows": rows, "total": total, "graph": graph}


def image_text(dataset):
    """'1 x 28 x 28, pixel max 255' from /dataset's image_shape and pixel_max
    attributes; None for data that are not images (and older files)."""
    shape = dataset.get("image_shape")
    if shape is None:
        return None
    shape = shape if isinstance(shape, list) else [shape]
    text = " x ".join(str(int(v)) for v in shape)
    pixel_max = dataset.get("pixel_max")
    return text if pixel_max is None else f"{text}, pixel max {fmt_number(_float(pixel_max))}"


def provenance_rows(res):
    a, d, g = res.attrs, res.dataset, res.graph
    versions = _json(a.get("versions"), a.get("versions"))
    if isinstance(versions, dict):
        versions = ", ".join(f"{k} {v}" for k, v in versions.items() if v not in ("", None))
    dirty = a.get("git_dirty")
    rows = [
        ("result file", res.path),
        ("status", res.status),
        ("layout version", a.get("layout_version")),
        ("spec file", a.get("spec_file")),
        ("profile", res.profile),
        ("git commit", a.get("git_commit")),
        ("git dirty", None if dirty is None else ("yes" if dirty else "no")),
        ("versions", versions),
        ("host", a.get("host")),
        ("threads", a.get("threads")),
        ("device", a.get("device")),
        ("started (UTC)", a.get("started_utc")),
        ("finished (UTC)", a.get("finished_utc")),
        ("dataset", d.get("name")),
        ("dataset sha256", d.get("sha256")),
        ("points n", d.get("n")),
        ("dimension d (preprocessed)", d.get("d")),
        ("dimension d (raw)", d.get("d_raw")),
        ("preprocess", d.get("preprocess_json")),
        ("class names", d.get("class_names_json")),
        ("kNN graph", f"k={g.get('k')}, index {g.get('index')}, built in "
                      f"{fmt_number(_float(g.get('build_seconds')))} s" if g else None),
    ]
    images = image_text(d)
    if images is not None:  # only image datasets have the row
        at = next(i for i, (k, _) in enumerate(rows) if k == "dimension d (raw)")
        rows.insert(at + 1, ("images (C x H x W)", images))
    return [(k, "–" if v is None or v == "" else str(v)) for k, v in rows]


def choose_thumb(res, metric_imgs, embedding_imgs):
    """Main metric plot (of the first claim that names a swept run and metric), else
    the first metric plot, else the first embedding. metric_imgs: [[run, param, metric, src]]."""
    for c in res.claims:
        chk = c.check if isinstance(c.check, dict) else {}
        for run, param, metric, src in metric_imgs:
            if run == chk.get("run") and metric == chk.get("metric") and param == chk.get("over"):
                return src
        for run, param, metric, src in metric_imgs:
            if run == chk.get("run") and metric == chk.get("metric"):
                return src
    if metric_imgs:
        return metric_imgs[0][3]
    return embedding_imgs[0]["src"] if embedding_imgs else ""


def make_figures(res, site, stem):
    """Draws every PNG of one result file; returns the manifest the page is built from."""
    images = ImageWriter(site, stem)
    class_names = _json(res.dataset.get("class_names_json"), [])
    class_names = [str(c) for c in class_names] if isinstance(class_names, list) else []
    problems = []

    metric_imgs, sweep_sections = [], []
    unswept = {}
    for r in res.runs:
        if not r.params and r.status == "ok":
            unswept.setdefault(r.name, []).append(r)
    for name, params in sweep_axes(res.runs).items():
        refs = {k: v for k, v in unswept.items() if k != name}
        ref_colours = {ref: f"C{(i + 3) % 10}" for i, ref in enumerate(refs)}
        for param in params:
            sweep = make_sweep(res.runs, name, param)
            if sweep is None:
                continue
            placed = placements(sweep, refs)
            marked = ran_at(sweep, refs)
            imgs = []
            if placed:
                src = plot_placement(images, sweep, placed, ref_colours)
                imgs.append({"src": src, "alt": f"placement on {param} for {name}"})
            # The placement figure shows the dcor_to_<ref> curve of every placed run.
            in_placement = [DCOR_TO + ref for ref in placed]
            metric_imgs.extend([name, param, m, imgs[0]["src"]] for m in in_placement)
            for metric in res.metric_names:
                if metric in in_placement:
                    continue
                src = plot_metric_sweep(images, sweep, metric, refs, {**placed, **marked},
                                        ref_colours, axis_marks(res.spec, param))
                if src:
                    metric_imgs.append([name, param, metric, src])
                    imgs.append({"src": src, "alt": f"{metric} vs {param} for {name}"})
            if imgs:
                best = [{"label": p.label, "mean": p.mean,
                         "what": "distance correlation" if p.points else p.metric,
                         "sd": None if math.isnan(p.sd) else p.sd}
                        for p in [*placed.values(), *marked.values()]]
                sweep_sections.append({"run": name, "param": param, "images": imgs,
                                       "placements": best})

    embedding_imgs, traces, legend = [], [], []
    with h5py.File(res.path, "r") as f:
        labels = f["dataset/labels"][()] if "dataset" in f and "labels" in f["dataset"] else None
        for r in res.runs:
            g = f["runs"][r.run_id]
            if r.has_embedding and r.status == "ok":
                emb = np.asarray(g["embedding"][()], dtype=np.float64)
                if labels is not None and labels.shape[0] == emb.shape[0]:
                    colours, legend = label_colours(labels, class_names)
                else:
                    colours = np.tile(np.array([[0.3, 0.3, 0.6, 1.0]]), (emb.shape[0], 1))
                    if labels is not None:
                        problems.append(f"runs/{r.run_id}: embedding has {emb.shape[0]} rows but "
                                        f"/dataset/labels has {labels.shape[0]}")
                embedding_imgs.append({"src": plot_embedding(images, r, emb, colours, emb.shape[0]),
                                       "alt": f"embedding {r.run_id}", "run": r.run_id})
            if r.trace_columns:
                traces.append((r, {c: np.asarray(g["trace"][c][()], dtype=np.float64).reshape(-1)
                                   for c in r.trace_columns}))
    norms = plot_norms(images, traces, class_names)
    return {"sweep_sections": sweep_sections, "metric_imgs": metric_imgs,
            "embedding_imgs": embedding_imgs, "legend": legend, "problems": problems,
            "trace_imgs": plot_trace_groups(images, traces),
            "norm_imgs": [norms] if norms else []}


def _builder_digest():
    """Figures depend on this script's code, so a changed script invalidates the cache."""
    with open(os.path.abspath(__file__), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


def cached_figures(res, site, stem):
    """make_figures, reused when the result file and this script are unchanged since the
    last build into the same site (the report is rebuilt after every finished spec)."""
    st = os.stat(res.path)
    key = f"{os.path.abspath(res.path)}|{st.st_size}|{st.st_mtime_ns}|{_builder_digest()}"
    folder = os.path.join(site, "img", stem)
    manifest_path = os.path.join(folder, "figures.json")
    try:
        with open(manifest_path, encoding="utf-8") as fh:
            manifest = json.load(fh)
        srcs = [m[3] for m in manifest["metric_imgs"]]
        srcs += [e["src"] for e in manifest["embedding_imgs"]]
        srcs += [t["src"] for t in manifest["trace_imgs"]]
        srcs += [t["src"] for t in manifest["norm_imgs"]]
        if manifest.get("key") == key and all(os.path.isfile(os.path.join(site, p)) for p in srcs):
            return manifest
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    manifest = make_figures(res, site, stem)
    manifest["key"] = key
    with open(manifest_path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh)
    return manifest


def render_spec(res, site, env, stem):
    figs = cached_figures(res, site, stem)
    res.problems.extend(figs["problems"])
    res.thumb = choose_thumb(res, figs["metric_imgs"], figs["embedding_imgs"])
    page = env.get_template("spec.html").render(
        res=res, papers=PAPERS, sweep_sections=figs["sweep_sections"],
        embedding_imgs=figs["embedding_imgs"], trace_imgs=figs["trace_imgs"], legend=figs["legend"],
        norm_imgs=figs["norm_imgs"],
        provenance=provenance_rows(res), failed=[r for r in res.runs if r.status != "ok"],
        times=run_times(res),
        spec_json=json.dumps(res.spec, indent=2) if res.spec else res.attrs.get("spec_json", ""),
        description=res.spec.get("description", ""))
    with open(os.path.join(site, res.page), "w", encoding="utf-8") as fh:
        fh.write(page)


def render_index(results, broken, site, env, sources):
    counts = {v: 0 for v in VERDICTS}
    other = 0
    for res in results:
        for c in res.claims:
            if c.verdict in counts:
                counts[c.verdict] += 1
            else:
                other += 1
    groups = []
    known = list(PAPERS) + sorted({r.paper for r in results} - set(PAPERS))
    for paper in known:
        specs = sorted((r for r in results if r.paper == paper),
                       key=lambda r: (r.spec_id, r.profile))
        if specs:
            groups.append({"paper": paper, "heading": PAPERS.get(paper, paper), "specs": specs})
    page = env.get_template("index.html").render(
        groups=groups, results=results, broken=broken, counts=counts, other=other,
        sources=sources, papers=[g["paper"] for g in groups],
        generated=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    with open(os.path.join(site, "index.html"), "w", encoding="utf-8") as fh:
        fh.write(page)


def prepare_site(out):
    """Creates or cleans the output folder; never deletes a folder this script did not make."""
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise ReportError(f"--out '{out}' exists and is not a directory")
        if os.listdir(out) and not os.path.exists(os.path.join(out, SITE_MARKER)):
            raise ReportError(f"--out '{out}' is a non-empty directory that this script did not "
                              f"create (no {SITE_MARKER}); choose an empty or new folder")
        # img/ is kept: cached_figures reuses what is current, prune_images drops the rest.
        for name in os.listdir(out):
            p = os.path.join(out, name)
            if name == "static" and os.path.isdir(p):
                shutil.rmtree(p)
            elif name.endswith(".html") and os.path.isfile(p):
                os.remove(p)
    os.makedirs(os.path.join(out, "static"), exist_ok=True)
    with open(os.path.join(out, SITE_MARKER), "w") as fh:
        fh.write("written by reports/build.py; img/, static/ and *.html are replaced on rebuild\n")
    shutil.copy(os.path.join(HERE, "static", "style.css"), os.path.join(out, "static", "style.css"))


def prune_images(out, stems):
    """Removes image folders of result files that are no longer part of the site."""
    img = os.path.join(out, "img")
    if os.path.isdir(img):
        for name in os.listdir(img):
            if name not in stems:
                shutil.rmtree(os.path.join(img, name), ignore_errors=True)


def make_env():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_number
    env.filters["observed"] = fmt_observed
    env.filters["params"] = fmt_params
    env.filters["check"] = fmt_check
    env.filters["target"] = fmt_target
    return env


def _render_job(job):
    """Worker: renders one spec page; returns (res, error text or None)."""
    res, out, stem = job
    t0 = time.time()
    try:
        render_spec(res, out, make_env(), stem)
    except Exception as e:  # noqa: BLE001  one odd file must not hide the others
        return res, f"{type(e).__name__}: {e}", time.time() - t0
    return res, None, time.time() - t0


def build(results_dirs, out, jobs=None, log=print):
    """Writes the site; returns (rendered results, [{path, error}] of files that failed)."""
    files = find_result_files(results_dirs)
    prepare_site(out)
    results, broken, stems, todo = [], [], set(), []
    for path, _, rel in files:
        try:
            res = load_result(path, rel)
        except Exception as e:  # noqa: BLE001  (h5py raises OSError, KeyError, TypeError...)
            # An unreadable file is listed on the dashboard instead of hiding the rest.
            broken.append({"path": path, "error": f"{type(e).__name__}: {e}"})
            log(f"build.py: warning: cannot read {path}: {e}", file=sys.stderr)
            continue
        base = res.spec_id.replace("/", "__")
        stem, i = base, 1
        while stem in stems:  # the same spec from another results dir or profile
            stem = f"{base}__{_safe(res.profile)}" + (f"_{i}" if i > 1 else "")
            i += 1
        stems.add(stem)
        res.page = stem + ".html"
        todo.append((res, out, stem))

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if jobs > 1:
        # Figures dominate the run time; specs are independent, so render them in parallel.
        # Loading the fonts once here saves every forked worker from doing it again.
        Figure(figsize=(1, 1)).savefig(io.BytesIO(), format="png")
        ctx = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            done = list(pool.map(_render_job, todo))
    else:
        done = [_render_job(job) for job in todo]
    for res, error, seconds in done:
        if error:
            broken.append({"path": res.path, "error": f"report could not be rendered: {error}"})
            log(f"build.py: warning: {res.path}: {error}", file=sys.stderr)
            continue
        results.append(res)
        log(f"build.py: {res.path} -> {res.page} ({len(res.runs)} runs, {seconds:.1f} s)")
    prune_images(out, {r.page[: -len(".html")] for r in results})
    render_index(results, broken, out, make_env(), results_dirs)
    log(f"build.py: wrote {os.path.join(out, 'index.html')} ({len(results)} result files"
        f"{', %d not shown' % len(broken) if broken else ''})")
    return results, broken


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", action="extend", nargs="+", required=True, metavar="DIR",
                    help="results directory (e.g. results/quick); repeatable")
    ap.add_argument("--out", required=True, help="site folder to write (e.g. reports/site)")
    ap.add_argument("--jobs", type=int, default=None,
                    help="parallel worker processes (default: number of CPUs)")
    args = ap.parse_args(argv)
    try:
        build(args.results, args.out, jobs=args.jobs)
    except ReportError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
