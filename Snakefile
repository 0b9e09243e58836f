# nebench: full reproduction, specs -> results/<profile>/<spec id>.h5 -> reports/site.
#
#   snakemake --profile profiles/local                       # quick profile, 2 cores
#   snakemake --profile profiles/local --config profile=smoke
#   snakemake -n --config profile=full                       # what would run
#   snakemake --profile profiles/slurm --config profile=full # one SLURM job per spec
#
# Config keys (--config KEY=VALUE):
#   profile           spec profile to run: full, quick (default), smoke, or any
#                     profile the specs define. Not Snakemake's own --profile,
#                     which picks the executor settings under profiles/.
#   nebench           the nebench binary (default build/nebench)
#   threads           threads per spec unless the spec's "resources" says (default 2)
#   specs             spec files, folders or globs; a list or a comma-separated
#                     string (default: experiments/, without experiments/schema.json
#                     and experiments/baselines/)
#   prepare_datasets  registered real datasets that `nebench data prepare NAME`
#                     caches as datasets/cache/NAME.h5 (default fashion-mnist,
#                     mnist-10k); synthetic and user-path datasets need no step
#   python            interpreter of reports/build.py (default /usr/bin/python3,
#                     Debian's, which has h5py, matplotlib and jinja2)
#   default_memory_gb, default_minutes
#                     cluster resources of a spec without resources.memory_gb /
#                     resources.minutes (default 4 GB, 60 min)
#   device            --device of `nebench run`: auto (default), cpu or cuda.
#                     auto: cuda for a spec whose resources.gpus > 0 when its job
#                     goes to a cluster (profiles/slurm), which then holds that
#                     many GPUs; cpu otherwise (a local run, a CPU spec)
#   slurm_gpu         sbatch option that the GPU count of a spec with
#                     resources.gpus > 0 is appended to (default "--gres=gpu:";
#                     "--gpus=" where a cluster counts GPUs that way)
#   slurm_gpu_extra   further sbatch options of GPU jobs only, e.g.
#                     "--partition=gpu" (default none)
#
# A spec that lacks the requested profile (other than "full") is skipped with
# a warning: `nebench run` would reject it. Paths are relative to this file's
# folder, whatever the current directory.

import copy
import glob
import json
import math
import os
import re
import sys

from snakemake.common import Mode
from snakemake.exceptions import WorkflowError


workdir: workflow.basedir


PROFILE = str(config.get("profile", "quick"))
NEBENCH = str(config.get("nebench", "build/nebench"))
THREADS = int(config.get("threads", 2))
PREPARE = config.get("prepare_datasets", ["fashion-mnist", "mnist-10k"])
if isinstance(PREPARE, str):
    PREPARE = [p for p in re.split(r"[,\s]+", PREPARE) if p]
PYTHON = str(config.get("python", "/usr/bin/python3"))
DEFAULT_MEMORY_GB = float(config.get("default_memory_gb", 4))
DEFAULT_MINUTES = float(config.get("default_minutes", 60))
DEVICE = str(config.get("device", "auto"))
if DEVICE not in ("auto", "cpu", "cuda"):
    raise WorkflowError(f"config device={DEVICE!r}: must be auto, cpu or cuda")
SLURM_GPU = str(config.get("slurm_gpu", "--gres=gpu:"))
SLURM_GPU_EXTRA = str(config.get("slurm_gpu_extra", ""))
# Jobs go to a cluster (--slurm, --cluster, ...), or this is such a job
# running on a cluster node (--mode 2): the spec's resources were granted.
ON_CLUSTER = not workflow.run_local or workflow.mode == Mode.cluster

# Spec ids become result paths (shared spec reference: no "..", no leading "/").
SPEC_ID = r"[a-z0-9_]+(?:/[a-z0-9_]+)*"
if not re.fullmatch(r"[A-Za-z0-9_]+", PROFILE):
    raise WorkflowError(f"config profile={PROFILE!r}: must be an identifier such as quick")


def named_spec_files(value):
    """The spec files config 'specs' names one by one (not via a folder or glob)."""
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else (value or [])
    return {os.path.normpath(str(v)) for v in items if str(v).endswith(".json")}


def spec_files(value):
    """Spec JSON files named by config 'specs' (files, folders, globs), sorted."""
    if value is None:
        items = ["experiments"]
    elif isinstance(value, str):
        items = [v for v in re.split(r"[,\s]+", value) if v]
    else:
        items = [str(v) for v in value]
    files = set()
    for item in items:
        if os.path.isdir(item):
            for path in glob.glob(os.path.join(item, "**", "*.json"), recursive=True):
                rel = os.path.relpath(path, item)
                # The schema and the CI baselines live next to the specs but are not specs.
                if rel == "schema.json" or rel.split(os.sep)[0] == "baselines":
                    continue
                files.add(os.path.normpath(path))
        elif glob.has_magic(item):
            matches = glob.glob(item, recursive=True)
            if not matches:
                raise WorkflowError(f"config specs: {item!r} matches no file")
            files.update(os.path.normpath(m) for m in matches)
        elif os.path.isfile(item):
            files.add(os.path.normpath(item))
        else:
            raise WorkflowError(f"config specs: {item!r} is not a file or folder")
    return sorted(files)


def split_path(path):
    """'runs[0].method.phases.*.iters' -> ['runs', 0, 'method', 'phases', '*', 'iters']."""
    parts = []
    for comp in path.split("."):
        m = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", comp)
        if not m:
            raise ValueError(f"bad override path {path!r}")
        if m.group(1):
            parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def apply_override(node, parts, value):
    """Sets value at parts ('*' = every element/key; a missing last key is added)."""
    head, rest = parts[0], parts[1:]
    if head == "*":
        keys = range(len(node)) if isinstance(node, list) else list(node)
    elif isinstance(node, list) and isinstance(head, str) and head.isdigit():
        keys = [int(head)]
    else:
        keys = [head]
    for k in keys:
        if not rest:
            node[k] = copy.deepcopy(value)
        elif isinstance(node, dict) and k in node or isinstance(node, list) and k < len(node):
            apply_override(node[k], rest, value)


def resolve(spec, path):
    """The spec as the requested profile sees it, for the parts this file reads
    (dataset and resources); nebench itself applies the whole profile."""
    out = copy.deepcopy(spec)
    overrides = dict((spec.get("profiles") or {}).get(PROFILE) or {})
    for key, value in overrides.items():
        parts = split_path(key)
        if parts and parts[0] in ("dataset", "resources"):
            if parts[0] not in out:
                out[parts[0]] = {}
            try:
                apply_override(out, parts, value)
            except (TypeError, KeyError, IndexError) as e:
                raise WorkflowError(f"{path}: profiles.{PROFILE}.{key}: cannot apply ({e})")
    return out


def load_specs(files):
    specs, skipped, missing = {}, [], []
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                spec = json.load(fh)
        except (OSError, ValueError) as e:
            raise WorkflowError(f"{path}: cannot read spec: {e}")
        sid = spec.get("id") if isinstance(spec, dict) else None
        if not isinstance(sid, str) or not re.fullmatch(SPEC_ID, sid):
            raise WorkflowError(f"{path}: id: missing or not of the form {SPEC_ID} (got {sid!r})")
        if sid in specs:
            raise WorkflowError(f"{path}: id {sid!r} is also the id of {specs[sid]['file']}")
        if PROFILE != "full" and PROFILE not in (spec.get("profiles") or {}):
            skipped.append(path)
            continue
        spec = resolve(spec, path)
        ds = spec.get("dataset") or {}
        res = spec.get("resources") or {}
        data = []
        if ds.get("name") in PREPARE:
            data.append(f"datasets/cache/{ds['name']}.h5")
        elif "path" in ds:
            # Relative to the spec file. "labels" may also name a key inside the
            # data file (obs/cell_type of an .h5ad), so it is an input only if it is a file.
            base = os.path.dirname(path)
            user_data = os.path.normpath(os.path.join(base, ds["path"]))
            # Said here, not left to Snakemake: when an old report exists, a
            # dry run would plan around the missing input without a word.
            if not os.path.exists(user_data):
                # Specs of the user's own data (CIFAR-10, MedMNIST: not in
                # Debian or npm) are left out of a whole-repo run, with a
                # word; a spec asked for by name must have its data.
                if os.path.normpath(path) in named_spec_files(config.get("specs")):
                    raise WorkflowError(f"{path}: dataset.path: {user_data} does not exist")
                missing.append(f"{path} (needs {user_data})")
                continue
            data.append(user_data)
            if isinstance(ds.get("labels"), str):
                labels = os.path.normpath(os.path.join(base, ds["labels"]))
                if os.path.isfile(labels):
                    data.append(labels)
        gpus = int(res.get("gpus", 0))
        specs[sid] = {
            "file": path,
            "data": data,
            "threads": int(res.get("threads", THREADS)),
            "mem_mb": int(math.ceil(float(res.get("memory_gb", DEFAULT_MEMORY_GB)) * 1024)),
            "runtime": int(math.ceil(float(res.get("minutes", DEFAULT_MINUTES)))),
            "gpus": gpus,
            # Snakemake 7's --slurm executor knows no GPU resource: it appends
            # slurm_extra to sbatch. None (no resource) for a CPU spec.
            "slurm_extra": " ".join(filter(None, [f"{SLURM_GPU}{gpus}", SLURM_GPU_EXTRA]))
            if gpus > 0 else None,
            # A granted GPU is used; a local run stays on the CPU unless asked
            # (nebench refuses cuda with a clear error where there is none).
            "device": DEVICE if DEVICE != "auto" else
            ("cuda" if gpus > 0 and ON_CLUSTER else "cpu"),
        }
    if skipped:
        print(f"nebench: profile {PROFILE!r} is not defined in {len(skipped)} spec(s), "
              f"skipped: {', '.join(skipped)}", file=sys.stderr)
    if missing:
        print(f"nebench: {len(missing)} spec(s) need data files that are not there, "
              f"skipped: {', '.join(missing)}", file=sys.stderr)
    return specs


SPECS = load_specs(spec_files(config.get("specs")))
RESULTS = [f"results/{PROFILE}/{sid}.h5" for sid in sorted(SPECS)]


def spec_of(wildcards):
    if wildcards.spec not in SPECS:
        raise WorkflowError(f"no spec with id {wildcards.spec!r} (profile {PROFILE})")
    return SPECS[wildcards.spec]


# Needs a CLI binary that a missing build would otherwise turn into "command not found".
CHECK_NEBENCH = (
    'test -x {params.nebench:q} || {{ echo "nebench binary {params.nebench} not found: build it '
    '(cmake --build build) or pass --config nebench=PATH" >&2; exit 127; }}; '
)


wildcard_constraints:
    spec=SPEC_ID,
    dataset="|".join(re.escape(d) for d in PREPARE) or "(?!)",


# Downloads and the report are quick and may need the internet or the shared
# filesystem view of the login node; only run_spec is worth a cluster job.
localrules:
    all,
    prepare_dataset,
    report,


rule all:
    input:
        "reports/site/index.html",


rule prepare_dataset:
    output:
        "datasets/cache/{dataset}.h5",
    params:
        nebench=NEBENCH,
    shell:
        CHECK_NEBENCH + "{params.nebench:q} data prepare {wildcards.dataset}"


rule run_spec:
    input:
        spec=lambda wc: spec_of(wc)["file"],
        data=lambda wc: spec_of(wc)["data"],
    output:
        f"results/{PROFILE}/{{spec}}.h5",
    threads: lambda wc: spec_of(wc)["threads"]
    resources:
        mem_mb=lambda wc: spec_of(wc)["mem_mb"],
        runtime=lambda wc: spec_of(wc)["runtime"],
        gpus=lambda wc: spec_of(wc)["gpus"],
        slurm_extra=lambda wc: spec_of(wc)["slurm_extra"],
    params:
        nebench=NEBENCH,
        profile=PROFILE,
        device=lambda wc: spec_of(wc)["device"],
    shell:
        CHECK_NEBENCH + "{params.nebench:q} run {input.spec:q} --profile {params.profile} "
        "--out {output:q} --threads {threads} --device {params.device}"


rule report:
    input:
        results=RESULTS,
        builder="reports/build.py",
        templates=sorted(glob.glob("reports/templates/*.html")),
        static=sorted(glob.glob("reports/static/*")),
    output:
        "reports/site/index.html",
    params:
        python=PYTHON,
        results=f"results/{PROFILE}",
    shell:
        "mkdir -p {params.results} && "
        "{params.python:q} reports/build.py --results {params.results} --out reports/site"
