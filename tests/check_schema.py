#!/usr/bin/python3
"""Validates every experiment spec against experiments/schema.json.

Checks, in order:
  1. the schema itself is a valid JSON Schema (draft 2020-12);
  2. every experiments/**/*.json except schema.json and experiments/baselines/
     parses (no duplicate keys) and matches the schema, plus the rules a
     schema cannot express (unique run names and claim ids);
  3. a known-good inline spec is accepted and each deliberately bad inline
     spec is rejected, so the schema cannot silently become permissive.
Exits 1 and prints "FILE: PATH: message" for every failure.

Run from anywhere: /usr/bin/python3 tests/check_schema.py [REPO_ROOT]
"""
import copy
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1
                    else pathlib.Path(__file__).resolve().parent.parent)
EXPERIMENTS = ROOT / "experiments"
SCHEMA_FILE = EXPERIMENTS / "schema.json"


def no_duplicate_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def json_path(path):
    """deque(['runs', 0, 'method']) -> 'runs[0].method' (as the C++ loader)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


def problems(validator, spec):
    """All (path, message) problems of one spec, schema and extra rules."""
    found = []
    for error in sorted(validator.iter_errors(spec),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        # For oneOf/anyOf/if-then the innermost error says most.
        best = jsonschema.exceptions.best_match([error]) or error
        found.append((json_path(best.absolute_path), best.message))
    if isinstance(spec, dict):
        for key, label in (("runs", "name"), ("claims", "id")):
            seen = {}
            items = spec.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and isinstance(item.get(label), str):
                    value = item[label]
                    if value in seen:
                        found.append((f"{key}[{i}].{label}",
                                      f"duplicate {label} {value!r} (also {key}[{seen[value]}])"))
                    seen.setdefault(value, i)
        # A cross-run metric's reference must be a run of the spec with one
        # expanded run per seed (not swept), as the C++ loader checks.
        runs = {r["name"]: r for r in spec.get("runs", []) if isinstance(r, dict)
                and isinstance(r.get("name"), str)} if isinstance(spec.get("runs"), list) else {}
        metrics = spec.get("metrics")
        for i, m in enumerate(metrics if isinstance(metrics, list) else []):
            if not (isinstance(m, dict) and m.get("type") == "distance_correlation_to_run"
                    and isinstance(m.get("run"), str)):
                continue
            if m["run"] not in runs:
                found.append((f"metrics[{i}].run", f"unknown run {m['run']!r}"))
            elif runs[m["run"]].get("sweep"):
                found.append((f"metrics[{i}].run",
                              f"run {m['run']!r} is swept; the reference must be unswept"))
        # An argmax_in range end {"run", "metric"} refers to an unswept run
        # (its seed mean is one number), as the C++ loader checks.
        claims = spec.get("claims")
        for i, c in enumerate(claims if isinstance(claims, list) else []):
            check = c.get("check") if isinstance(c, dict) else None
            if not (isinstance(check, dict) and check.get("type") == "argmax_in"
                    and isinstance(check.get("range"), list)):
                continue
            for j, end in enumerate(check["range"]):
                if not (isinstance(end, dict) and isinstance(end.get("run"), str)):
                    continue
                where = f"claims[{i}].check.range[{j}].run"
                if end["run"] not in runs:
                    found.append((where, f"unknown run {end['run']!r}"))
                elif runs[end["run"]].get("sweep"):
                    found.append((where, f"run {end['run']!r} is swept; a range end "
                                         "must refer to an unswept run"))
    return found


GOOD = {
    "id": "spectrum/schema_check",
    "paper": "spectrum",
    "title": "inline spec of tests/check_schema.py",
    "description": "exercises most of the schema",
    "dataset": {"name": "fashion-mnist", "subsample": 1000, "subsample_seed": 1,
                "preprocess": [{"op": "pca", "dim": 50}, {"op": "scale", "factor": 2}]},
    "graph": {"knn": {"k": 90, "index": "Flat"}},
    "runs": [
        {"name": "tsne", "sweep": {"rho": [1, 4, 30], "kind": ["a", "b"]},
         "method": {"type": "tsne",
                    "affinity": {"type": "perplexity", "perplexity": 30},
                    "init": {"type": "pca", "std": 1e-4}, "repulsion": "fft",
                    "learning_rate": "auto", "theta": 0.5, "dof": 1,
                    "max_step_norm": 5, "min_gain": 0.01, "log_every": 50,
                    "phases": [{"iters": 250, "exaggeration": "max(12,$rho)",
                                "momentum": 0.5},
                               {"iters": 500, "exaggeration": "$rho",
                                "momentum": 0.8, "learning_rate": 100}]}},
        {"name": "tsne_knn", "seeds": [5],
         "method": {"type": "tsne", "affinity": {"type": "binary_knn", "k": 15}}},
        {"name": "umap", "method": {"type": "umap", "k": 15, "a": 1, "b": 1}},
    ],
    "seeds": [0, 1, 2],
    "metrics": [{"type": "knn_recall", "k": 15, "reference": "both", "points": 0},
                {"type": "knn_accuracy", "k": 15, "test_fraction": 0.2},
                {"type": "spearman", "points": 5000},
                {"type": "distance_correlation", "points": 5000},
                {"type": "norms"},
                {"type": "distance_correlation_to_run", "run": "umap", "points": 5000}],
    "claims": [
        {"id": "S1-recall-falls-with-rho", "text": "recall falls",
         "check": {"type": "monotone", "run": "tsne", "over": "rho",
                   "metric": "knn_recall@15", "direction": "decreasing",
                   "tolerance": 0.005}},
        {"id": "S2", "text": "t-SNE beats UMAP",
         "check": {"type": "greater", "metric": "knn_recall@15",
                   "a": {"run": "tsne", "params": {"rho": 1, "kind": "a"}},
                   "b": {"run": "umap"}, "margin": 0}},
        {"id": "S3-peak", "text": "peak in range",
         "check": {"type": "argmax_in", "run": "tsne", "over": "rho",
                   "metric": "dcor_to_umap", "range": [1, 4]},
         "caveat": "may move at a small subsample"},
        {"id": "S4-value", "text": "matches the paper",
         "check": {"type": "within", "run": "umap", "metric": "spearman",
                   "reference": 0.5, "tolerance": 0.1}},
    ],
    "profiles": {"quick": {"dataset.subsample": 10000, "seeds": [0]},
                 "smoke": {"runs.*.method.phases.*.iters": 50,
                           "runs[0].sweep.rho": [1, 4]}},
    "resources": {"threads": 16, "memory_gb": 64, "gpus": 1, "minutes": 120},
}


def bad(description, edit, base=None):
    spec = copy.deepcopy(GOOD if base is None else base)
    edit(spec)
    return description, spec


def setp(path, value):
    """An edit that sets spec[path...] = value."""
    def edit(spec):
        node = spec
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return edit


def delp(path):
    def edit(spec):
        node = spec
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return edit


BAD = [
    bad("unknown top-level key", setp(["titel"], "x")),
    bad("report mark without label", setp(["report"], {"marks": [{"param": "rho", "value": 1}]})),
    bad("missing title", delp(["title"])),
    bad("id with ..", setp(["id"], "spectrum/../x")),
    bad("id with uppercase", setp(["id"], "Spectrum/x")),
    bad("paper not in enum", setp(["paper"], "nature")),
    bad("dataset with name and path", setp(["dataset", "path"], "x.npy")),
    bad("dataset format unknown", setp(["dataset", "format"], "csvx")),
    bad("subsample < 2", setp(["dataset", "subsample"], 1)),
    bad("pca dim too large", setp(["dataset", "preprocess", 0, "dim"], 5000)),
    bad("scale factor 0", setp(["dataset", "preprocess", 1, "factor"], 0)),
    bad("graph k 0", setp(["graph", "knn", "k"], 0)),
    bad("graph unknown key", setp(["graph", "knn", "metric"], "l2")),
    bad("negative seed", setp(["seeds"], [0, -1])),
    bad("duplicate seeds", setp(["seeds"], [1, 1])),
    bad("empty seeds", setp(["seeds"], [])),
    bad("empty runs", setp(["runs"], [])),
    bad("run name with space", setp(["runs", 2, "name"], "my run")),
    bad("duplicate run names", setp(["runs", 2, "name"], "tsne")),
    bad("empty sweep list", setp(["runs", 0, "sweep", "rho"], [])),
    bad("sweep value object", setp(["runs", 0, "sweep", "rho"], [{"a": 1}])),
    bad("sweep param seed", setp(["runs", 0, "sweep", "seed"], [1])),
    bad("method without type", delp(["runs", 2, "method", "type"])),
    bad("tsne unknown key", setp(["runs", 0, "method", "perplexity"], 30)),
    bad("tsne momentum 1", setp(["runs", 0, "method", "phases", 0, "momentum"], 1)),
    bad("tsne phases empty", setp(["runs", 0, "method", "phases"], [])),
    bad("tsne repulsion unknown", setp(["runs", 0, "method", "repulsion"], "fast")),
    bad("perplexity 1", setp(["runs", 0, "method", "affinity", "perplexity"], 1)),
    bad("binary_knn with perplexity",
        setp(["runs", 1, "method", "affinity", "perplexity"], 30)),
    bad("min_gain 1", setp(["runs", 0, "method", "min_gain"], 1)),
    bad("learning_rate fast", setp(["runs", 0, "method", "learning_rate"], "fast")),
    bad("metric unknown type", setp(["metrics", 0, "type"], "recall")),
    bad("metric unknown key", setp(["metrics", 0, "kk"], 15)),
    bad("knn_accuracy test_fraction 1", setp(["metrics", 1, "test_fraction"], 1)),
    bad("spearman points 5", setp(["metrics", 2, "points"], 5)),
    bad("dcor to run without run", delp(["metrics", 5, "run"])),
    bad("dcor to run of unknown run", setp(["metrics", 5, "run"], "nope")),
    bad("dcor to run of a swept run", setp(["metrics", 5, "run"], "tsne")),
    bad("dcor to run points 3", setp(["metrics", 5, "points"], 3)),
    bad("claims not an array", setp(["claims"], {"id": "x"})),
    bad("claim without text", delp(["claims", 0, "text"])),
    bad("claim caveat empty", setp(["claims", 2, "caveat"], "")),
    bad("claim caveat not a string", setp(["claims", 2, "caveat"], ["x"])),
    bad("duplicate claim ids", setp(["claims", 1, "id"], "S1-recall-falls-with-rho")),
    bad("monotone direction", setp(["claims", 0, "check", "direction"], "down")),
    bad("monotone negative tolerance", setp(["claims", 0, "check", "tolerance"], -1)),
    bad("greater without b", delp(["claims", 1, "check", "b"])),
    bad("argmax_in range of 3", setp(["claims", 2, "check", "range"], [1, 2, 3])),
    bad("within without reference", delp(["claims", 3, "check", "reference"])),
    bad("check unknown type", setp(["claims", 0, "check", "type"], "equal")),
    bad("profile name uppercase", setp(["profiles", "Quick"], {})),
    bad("profile overrides id", setp(["profiles", "quick", "id"], "x")),
    bad("profile not an object", setp(["profiles", "quick"], 3)),
    bad("resources threads 0", setp(["resources", "threads"], 0)),
    bad("resources unknown key", setp(["resources", "cpus"], 2)),
    bad("dataset not an object", setp(["dataset"], "mnist")),
]


# cne (engine/ne/cne_method.h): runs[3..5] of GOOD, and bad variants.
GOOD["runs"] += [
    {"name": "cne_neg", "sweep": {"zbar": [1e4, 1e6]},
     "method": {"type": "cne", "loss": "neg", "zbar": "$zbar", "k": 15,
                "negatives": 5, "batch_size": 1024, "early_epochs": 250,
                "epochs": 500, "eps": 1, "learning_rate": 1, "clamp_low": 1e-10,
                "dim": 2, "init": {"type": "pca", "std": 1}, "log_every": 50,
                "parametric": False}},
    {"name": "cne_infonce",
     "method": {"type": "cne", "negatives": 500, "rho": 2, "loss_scale": 1}},
    {"name": "cne_nce",
     "method": {"type": "cne", "loss": "nce", "log_z_init": 0,
                "log_z_learning_rate": 0.001, "init": {"type": "random"}}},
]
BAD += [
    bad("cne neg without c or zbar", delp(["runs", 3, "method", "zbar"])),
    bad("cne neg with c and zbar", setp(["runs", 3, "method", "c"], 1)),
    bad("cne c with infonce", setp(["runs", 4, "method", "c"], 1)),
    bad("cne rho with neg", setp(["runs", 3, "method", "rho"], 2)),
    bad("cne log_z_init with infonce", setp(["runs", 4, "method", "log_z_init"], 0)),
    bad("cne nce with early phase", setp(["runs", 5, "method", "early_epochs"], 250)),
    bad("cne parametric", setp(["runs", 3, "method", "parametric"], True)),
    bad("cne unknown loss", setp(["runs", 3, "method", "loss"], "simclr")),
    bad("cne clamp_low 0", setp(["runs", 4, "method", "clamp_low"], 0)),
    bad("cne unknown key", setp(["runs", 4, "method", "batchsize"], 10)),
    bad("cne init spectral", setp(["runs", 5, "method", "init", "type"], "spectral")),
]

# Metrics and claim checks of the CNE claims (metrics/metric_spec.h,
# metrics/claim_check.h): silhouette, trace_last, argmax_in with run
# references, ratio_in, close.
GOOD["metrics"] += [{"type": "silhouette", "points": 5000},
                    {"type": "trace_last", "column": "c"},
                    {"type": "trace_last", "column": "zbar"}]
_M = len(GOOD["metrics"]) - 3
_C = len(GOOD["claims"])
GOOD["claims"] += [
    {"id": "C1-peak-between-tsne-and-ncvis", "text": "recall peaks between Z(t-SNE) and Z(NCVis)",
     "check": {"type": "argmax_in", "run": "cne_neg", "over": "zbar", "metric": "knn_recall@15",
               "range": [{"run": "cne_nce", "metric": "last_zbar"}, 1e5], "slack_steps": 1}},
    {"id": "C2-nce-z-near-tsne", "text": "NCE's learned Z-bar is near Z(t-SNE)",
     "check": {"type": "ratio_in", "a": {"run": "cne_nce", "metric": "last_zbar"},
               "b": {"run": "tsne", "params": {"rho": 1, "kind": "a"}, "metric": "last_Z"},
               "range": [0.25, 4]}},
    {"id": "C5-close", "text": "parametric close to non-parametric",
     "check": {"type": "close", "metric": "knn_recall@15", "a": {"run": "umap"},
               "b": {"run": "cne_infonce"}, "tolerance": 0.02}},
]
BAD += [
    bad("silhouette points 5", setp(["metrics", _M, "points"], 5)),
    bad("silhouette unknown key", setp(["metrics", _M, "k"], 15)),
    bad("trace_last without column", delp(["metrics", _M + 1, "column"])),
    bad("trace_last column with a space", setp(["metrics", _M + 1, "column"], "log z")),
    bad("trace_last column empty", setp(["metrics", _M + 1, "column"], "")),
    bad("argmax_in range end a string", setp(["claims", _C, "check", "range", 1], "1e5")),
    bad("argmax_in range end without metric",
        delp(["claims", _C, "check", "range", 0, "metric"])),
    bad("argmax_in range end unknown key",
        setp(["claims", _C, "check", "range", 0, "params"], {})),
    bad("argmax_in range end of an unknown run",
        setp(["claims", _C, "check", "range", 0, "run"], "nope")),
    bad("argmax_in range end of a swept run",
        setp(["claims", _C, "check", "range", 0, "run"], "tsne")),
    bad("argmax_in slack_steps -1", setp(["claims", _C, "check", "slack_steps"], -1)),
    bad("argmax_in slack_steps 0.5", setp(["claims", _C, "check", "slack_steps"], 0.5)),
    bad("ratio_in without range", delp(["claims", _C + 1, "check", "range"])),
    bad("ratio_in range of 1", setp(["claims", _C + 1, "check", "range"], [1])),
    bad("ratio_in side without metric", delp(["claims", _C + 1, "check", "a", "metric"])),
    bad("ratio_in with a shared metric",
        setp(["claims", _C + 1, "check", "metric"], "knn_recall@15")),
    bad("close without tolerance", delp(["claims", _C + 2, "check", "tolerance"])),
    bad("close negative tolerance", setp(["claims", _C + 2, "check", "tolerance"], -0.1)),
    bad("close side with a metric",
        setp(["claims", _C + 2, "check", "a", "metric"], "knn_recall@15")),
    bad("close without metric", delp(["claims", _C + 2, "check", "metric"])),
]

# The image pipeline: tsimcne (engine/torch/tsimcne_method.h) with its
# augment object (engine/torch/augment/augment_config.h), linear_probe and
# "on": "features" (metrics/metric_spec.h), the paired greater check
# (metrics/claim_check.h).
_R = len(GOOD["runs"])
GOOD["runs"] += [
    {"name": "tsimcne", "sweep": {"aug": ["natural", "medical"]},
     "method": {"type": "tsimcne", "backbone": "resnet18", "hidden_dim": 1024,
                "loss": "cauchy", "epochs": [1000, 50, 450], "dim": 2,
                "pretrain_dim": 128, "batch_size": 1024, "learning_rate": 0.12,
                "finetune_learning_rate": 1.2e-4, "warmup_epochs": 10,
                "momentum": 0.9, "weight_decay": 5e-4, "output_init_std": 1,
                "augment": {"preset": "$aug", "crop_scale_min": 0.2, "crop_scale_max": 1,
                            "crop_ratio_min": 0.75, "crop_ratio_max": 1.3333,
                            "hflip_p": 0.5, "vflip_p": 0, "jitter_p": 0.8,
                            "brightness": 0.4, "contrast": 0.4, "saturation": 0.4,
                            "hue": 0.1, "grayscale_p": 0.2, "rot90_p": 0,
                            "rotate_degrees": 0},
                "torch_threads": 0, "embed_batch_size": 1024, "norm_images": 0}},
    {"name": "simclr",
     "method": {"type": "tsimcne", "backbone": "small_cnn", "width": 16, "loss": "cosine",
                "temperature": 0.5, "epochs": 100, "dim": 128,
                "augment": {"preset": "none", "jitter_p": 1}}},
]
_M2 = len(GOOD["metrics"])
GOOD["metrics"] += [{"type": "linear_probe", "test_fraction": 0.2, "on": "features"},
                    {"type": "linear_probe"},
                    {"type": "knn_accuracy", "k": 15, "on": "features"}]
_C2 = len(GOOD["claims"])
GOOD["claims"] += [
    {"id": "M1-rotations-help", "text": "rotation augmentations help",
     "check": {"type": "greater", "metric": "linear_probe_features", "paired": True,
               "a": {"run": "tsimcne", "params": {"aug": "medical"}},
               "b": {"run": "tsimcne", "params": {"aug": "natural"}}, "margin": 0}},
]
BAD += [
    bad("tsimcne unknown key", setp(["runs", _R, "method", "epoch"], 10)),
    bad("tsimcne unknown backbone", setp(["runs", _R, "method", "backbone"], "vgg")),
    bad("tsimcne width with resnet18", setp(["runs", _R, "method", "width"], 16)),
    bad("tsimcne width 0", setp(["runs", _R + 1, "method", "width"], 0)),
    bad("tsimcne temperature with cauchy", setp(["runs", _R, "method", "temperature"], 0.5)),
    bad("tsimcne temperature without loss",
        delp(["runs", _R + 1, "method", "loss"])),
    bad("tsimcne unknown loss", setp(["runs", _R, "method", "loss"], "nce")),
    bad("tsimcne two epoch stages", setp(["runs", _R, "method", "epochs"], [10, 10])),
    bad("tsimcne epochs 0", setp(["runs", _R + 1, "method", "epochs"], 0)),
    bad("tsimcne stage of 0 epochs", setp(["runs", _R, "method", "epochs"], [10, 0, 10])),
    bad("tsimcne pretrain_dim with one stage", setp(["runs", _R + 1, "method", "pretrain_dim"], 64)),
    bad("tsimcne finetune lr with one stage",
        setp(["runs", _R + 1, "method", "finetune_learning_rate"], 1e-3)),
    bad("tsimcne batch_size 1", setp(["runs", _R, "method", "batch_size"], 1)),
    bad("tsimcne hidden_dim 0", setp(["runs", _R, "method", "hidden_dim"], 0)),
    bad("tsimcne dim 0", setp(["runs", _R, "method", "dim"], 0)),
    bad("tsimcne learning_rate 0", setp(["runs", _R, "method", "learning_rate"], 0)),
    bad("tsimcne momentum 1", setp(["runs", _R, "method", "momentum"], 1)),
    bad("tsimcne weight_decay < 0", setp(["runs", _R, "method", "weight_decay"], -1e-4)),
    bad("tsimcne output_init_std 0", setp(["runs", _R, "method", "output_init_std"], 0)),
    bad("tsimcne warmup -1", setp(["runs", _R, "method", "warmup_epochs"], -1)),
    bad("tsimcne torch_threads -1", setp(["runs", _R, "method", "torch_threads"], -1)),
    bad("tsimcne embed_batch_size 0", setp(["runs", _R, "method", "embed_batch_size"], 0)),
    bad("tsimcne norm_images -1", setp(["runs", _R, "method", "norm_images"], -1)),
    bad("augment not an object", setp(["runs", _R, "method", "augment"], "medical")),
    bad("augment unknown preset", setp(["runs", _R + 1, "method", "augment", "preset"], "strong")),
    bad("augment unknown key", setp(["runs", _R + 1, "method", "augment", "blur_p"], 0.5)),
    bad("augment probability 1.5", setp(["runs", _R, "method", "augment", "hflip_p"], 1.5)),
    bad("augment crop scale 0", setp(["runs", _R, "method", "augment", "crop_scale_min"], 0)),
    bad("augment crop ratio 0", setp(["runs", _R, "method", "augment", "crop_ratio_max"], 0)),
    bad("augment hue 0.6", setp(["runs", _R, "method", "augment", "hue"], 0.6)),
    bad("augment rotate 200 degrees", setp(["runs", _R, "method", "augment", "rotate_degrees"], 200)),
    bad("augment negative contrast", setp(["runs", _R, "method", "augment", "contrast"], -0.1)),
    bad("linear_probe with k", setp(["metrics", _M2 + 1, "k"], 15)),
    bad("linear_probe test_fraction 0", setp(["metrics", _M2 + 1, "test_fraction"], 0)),
    bad("linear_probe on pixels", setp(["metrics", _M2, "on"], "pixels")),
    bad("knn_accuracy on h", setp(["metrics", _M2 + 2, "on"], "h")),
    bad("knn_recall on features", setp(["metrics", 0, "on"], "features")),
    bad("greater paired not a boolean", setp(["claims", _C2, "check", "paired"], "yes")),
    bad("paired on close", setp(["claims", _C + 2, "check", "paired"], True)),
    bad("paired on monotone", setp(["claims", 0, "check", "paired"], False)),
]

# The norms simulations (engine/ne/norm_simulation_method.h) and the slope
# check (metrics/claim_check.h).
_R3 = len(GOOD["runs"])
GOOD["runs"] += [
    {"name": "sim_norm", "sweep": {"r": [0.5, 1, 2]},
     "method": {"type": "simulation", "kind": "steps_vs_norm", "n": 500, "d": 20,
                "r": "$r", "learning_rate": 10, "tol": 1e-3, "max_steps": 100000,
                "log_every": 10}},
    {"name": "sim_angle", "sweep": {"angle": [0.5, 1.5]},
     "method": {"type": "simulation", "kind": "steps_vs_angle", "angle": "$angle"}},
    {"name": "sim_grad", "sweep": {"s": [1, 2, 10]},
     "method": {"type": "simulation", "kind": "gradient_scaling", "loss": "infonce",
                "temperature": 0.5, "scale": "$s", "noise": 0.5}},
]
GOOD["metrics"] += [{"type": "trace_last", "column": "steps"}]
_C3 = len(GOOD["claims"])
GOOD["claims"] += [
    {"id": "N2-slope", "text": "steps grow like r^2",
     "check": {"type": "slope", "run": "sim_norm", "over": "r", "metric": "last_steps",
               "log": True, "range": [1.9, 2.1]}},
]
BAD += [
    bad("simulation without kind", delp(["runs", _R3, "method", "kind"])),
    bad("simulation unknown kind", setp(["runs", _R3, "method", "kind"], "steps_vs_time")),
    bad("simulation r 0", setp(["runs", _R3, "method", "r"], 0)),
    bad("simulation angle with steps_vs_norm", setp(["runs", _R3, "method", "angle"], 1)),
    bad("simulation loss with steps_vs_norm", setp(["runs", _R3, "method", "loss"], "cosine")),
    bad("simulation steps_vs_angle without angle", delp(["runs", _R3 + 1, "method", "angle"])),
    bad("simulation angle 4", setp(["runs", _R3 + 1, "method", "angle"], 4)),
    bad("simulation lr with gradient_scaling",
        setp(["runs", _R3 + 2, "method", "learning_rate"], 10)),
    bad("simulation temperature with cosine", setp(["runs", _R3 + 2, "method", "loss"], "cosine")),
    bad("simulation unknown key", setp(["runs", _R3, "method", "steps"], 10)),
    bad("simulation n 0", setp(["runs", _R3, "method", "n"], 0)),
    bad("slope without range", delp(["claims", _C3, "check", "range"])),
    bad("slope range of 1", setp(["claims", _C3, "check", "range"], [2])),
    bad("slope without over", delp(["claims", _C3, "check", "over"])),
    bad("slope log not a boolean", setp(["claims", _C3, "check", "log"], "loglog")),
    bad("slope with tolerance", setp(["claims", _C3, "check", "tolerance"], 0.1)),
]

# Datasets: generator options (datasets/synthetic.h, rotated_shapes.h) and
# the image formats of a user's file (datasets/dataset_spec.h).
IMAGES = copy.deepcopy(GOOD)
IMAGES["dataset"] = {"name": "rotated-shapes", "subsample": 1000,
                     "options": {"n": 2000, "size": 32, "channels": 3, "classes": 8,
                                 "noise": 0.2, "seed": 4}}
MORE_GOOD = [("rotated-shapes", IMAGES)]
for name, dataset in [
        ("gaussian-mixture", {"name": "gaussian-mixture",
                              "options": {"n_clusters": 5, "n_per_cluster": 100, "dim": 10,
                                          "separation": 8, "seed": 1}}),
        ("gaussian-line", {"name": "gaussian-line",
                           "options": {"n_clusters": 20, "n_per_cluster": 50, "dim": 50,
                                       "step": 6, "seed": 0}}),
        ("cifar-10 folder", {"path": "data/cifar-10-batches-bin", "format": "cifar10_bin"}),
        ("cifar-100 file", {"path": "data/train.bin", "format": "cifar100_bin"}),
        ("medmnist", {"path": "data/bloodmnist.npz", "format": "medmnist_npz"}),
        ("idx with labels", {"path": "x-ubyte.gz", "labels": "y-ubyte.gz"})]:
    spec = copy.deepcopy(GOOD)
    spec["dataset"] = dataset
    MORE_GOOD.append((name, spec))
BAD += [
    bad("rotated-shapes channels 2", setp(["dataset", "options", "channels"], 2), IMAGES),
    bad("rotated-shapes classes 9", setp(["dataset", "options", "classes"], 9), IMAGES),
    bad("rotated-shapes size 4", setp(["dataset", "options", "size"], 4), IMAGES),
    bad("rotated-shapes noise 2", setp(["dataset", "options", "noise"], 2), IMAGES),
    bad("rotated-shapes unknown option", setp(["dataset", "options", "angle"], 45), IMAGES),
    bad("rotated-shapes option of another generator",
        setp(["dataset", "options", "n_clusters"], 4), IMAGES),
    bad("rotated-shapes negative seed", setp(["dataset", "options", "seed"], -1), IMAGES),
    bad("options of a registered file dataset", setp(["dataset", "options"], {"seed": 1})),
    bad("options with a path",
        setp(["dataset"], {"path": "data/bloodmnist.npz", "options": {"seed": 1}})),
    bad("labels with a registered name", setp(["dataset", "labels"], "y.npy")),
    bad("format with a registered name", setp(["dataset", "format"], "idx")),
    bad("unknown image format",
        setp(["dataset"], {"path": "data/cifar.tar.gz", "format": "cifar10"})),
]


def registry_problems(schema):
    """Every dataset of datasets/registry.json is named in the schema's
    dataset.name description, and every synthetic one has its options schema
    ($defs/dataset_options_<name with _>), so a new dataset cannot go
    undocumented."""
    found = []
    registry = ROOT / "datasets" / "registry.json"
    try:
        entries = json.loads(registry.read_text())["datasets"]
    except (OSError, ValueError, KeyError) as e:
        return [f"{registry}: cannot read the dataset names: {e}"]
    defs = schema["$defs"]
    described = defs["dataset"]["properties"]["name"]["description"]
    for e in entries:
        name = e.get("name", "")
        if name not in described:
            found.append(f"schema.json: $defs.dataset.properties.name: registered dataset "
                         f"{name!r} is not described")
        key = "dataset_options_" + name.replace("-", "_")
        if e.get("kind") == "synthetic" and key not in defs:
            found.append(f"schema.json: $defs.{key}: options of synthetic dataset {name!r} "
                         "are not described")
    return found


def main():
    failures = []
    try:
        schema = json.loads(SCHEMA_FILE.read_text(), object_pairs_hook=no_duplicate_keys)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print(f"{SCHEMA_FILE}: invalid schema: {e}")
        return 1
    validator = jsonschema.Draft202012Validator(schema)

    specs = sorted(p for p in EXPERIMENTS.rglob("*.json")
                   if p != SCHEMA_FILE and "baselines" not in p.relative_to(EXPERIMENTS).parts)
    for path in specs:
        rel = path.relative_to(ROOT)
        try:
            spec = json.loads(path.read_text(), object_pairs_hook=no_duplicate_keys)
        except (OSError, ValueError) as e:
            failures.append(f"{rel}: (root): {e}")
            continue
        failures += [f"{rel}: {p}: {m}" for p, m in problems(validator, spec)]

    for p, m in problems(validator, GOOD):
        failures.append(f"check_schema.py GOOD: {p}: {m}")
    for name, spec in MORE_GOOD:
        for p, m in problems(validator, spec):
            failures.append(f"check_schema.py GOOD ({name}): {p}: {m}")
    failures += registry_problems(schema)
    for description, spec in BAD:
        if not problems(validator, spec):
            failures.append(f"check_schema.py BAD '{description}': accepted, must be rejected")

    for line in failures:
        print(line)
    print(f"{len(specs)} spec file(s), {1 + len(MORE_GOOD)} good and {len(BAD)} bad inline specs: "
          f"{'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
